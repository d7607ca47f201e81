import { availableParallelism } from 'node:os';
import pg from 'pg';

/**
 * Connections beyond about two per core only queue inside PostgreSQL: on a 2-core machine 10
 * of them cost more database CPU per request than 4, and sends into one conversation waited
 * longer on its row. Bigger machines keep the 10 this always had.
 */
const DEFAULT_MAX = Math.min(10, Math.max(4, 2 * availableParallelism()));

/**
 * For the pool that serves requests. A database that hangs (frozen, a network partition) rather
 * than refusing: a request waits at most 5 s for a connection and 15 s for an answer, then gets
 * "unavailable, retrying" (it waited for as long as the database did, 45 s in a probe). The
 * adapters close a connection whose answer never came.
 */
export const REQUEST_TIMEOUTS = { connectionTimeoutMillis: 5_000, query_timeout: 15_000 } as const satisfies pg.PoolConfig;

/** A pool that survives PostgreSQL dropping idle connections instead of crashing the process. */
export function createPool(connectionString: string, options: pg.PoolConfig = {}): pg.Pool {
	const pool = new pg.Pool({ connectionString, max: DEFAULT_MAX, idleTimeoutMillis: 30_000, ...options });
	pool.on('error', (error: Error & { code?: string }) => {
		// 57P01: PostgreSQL is shutting down (a restart, or our own stop); the pool reconnects on demand.
		if (error.code === '57P01') return;
		console.error(`[db] idle connection failed: ${error.message}`);
	});
	// A connection checked out when PostgreSQL goes away emits 'error' on its client, where the
	// pool's listener does not hear it, and an unheard 'error' ends the process. The query in
	// flight fails on its own, and its caller discards the connection.
	pool.on('connect', (client) => client.on('error', () => {}));
	return pool;
}
