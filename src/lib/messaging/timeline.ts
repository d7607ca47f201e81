/**
 * Orders PostgreSQL timestamps exactly: to the microsecond, whatever the offset they were
 * written with. (JavaScript dates stop at milliseconds, and strings in different offsets do
 * not sort.)
 */
export function timeKey(timestamp: string): number {
	const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
	const micros = Number(fraction.padEnd(6, '0').slice(3, 6));
	return Date.parse(timestamp) * 1000 + micros;
}

/** Oldest first; ties (same microsecond) broken by id, as the SQL keyset does. */
export function compareMessages(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
	return timeKey(a.created_at) - timeKey(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
