/**
 * SQLSTATEs of a transaction PostgreSQL rolled back to settle a conflict with another one: a
 * deadlock (40P01) or a serialization failure (40001). None of it was applied, so the call may
 * run again: the other transaction has usually finished by then. Both adapters do, up to
 * CONFLICT_ATTEMPTS in all (PostgREST answers a deadlock with HTTP 500).
 */
const CONFLICT_ROLLBACKS: ReadonlySet<string> = new Set(['40P01', '40001']);

export const CONFLICT_ATTEMPTS = 3;

export function isConflictRollback(code: string | undefined): boolean {
	return code !== undefined && CONFLICT_ROLLBACKS.has(code);
}
