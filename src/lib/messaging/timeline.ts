/** The digits of text[at, at + length) as a number; NaN if any is not a digit. */
function digits(text: string, at: number, length: number): number {
	let value = 0;
	for (let i = at; i < at + length; i++) {
		const digit = text.charCodeAt(i) - 48;
		if (digit < 0 || digit > 9) return NaN;
		value = value * 10 + digit;
	}
	return value;
}

/** "2026-12-07T14:50:21.348117+00:00", as PostgreSQL writes UTC, read field by field; NaN for any other shape. */
function utcMicros(timestamp: string): number {
	const end = timestamp.endsWith('+00:00') ? timestamp.length - 6 : timestamp.endsWith('Z') ? timestamp.length - 1 : -1;
	const places = end - 20;
	if (end < 19 || places === 0 || places > 6 || (places > 0 && timestamp[19] !== '.') || (places < 0 && end !== 19)) return NaN;
	if (timestamp[4] !== '-' || timestamp[7] !== '-' || timestamp[10] !== 'T' || timestamp[13] !== ':' || timestamp[16] !== ':') return NaN;
	const at = Date.UTC(digits(timestamp, 0, 4), digits(timestamp, 5, 2) - 1, digits(timestamp, 8, 2), digits(timestamp, 11, 2), digits(timestamp, 14, 2), digits(timestamp, 17, 2));
	return at * 1000 + (places > 0 ? digits(timestamp, 20, places) * 10 ** (6 - places) : 0);
}

/**
 * Orders PostgreSQL timestamps exactly: to the microsecond, whatever the offset they were
 * written with. (JavaScript dates stop at milliseconds, and strings in different offsets do
 * not sort.)
 */
export function timeKey(timestamp: string): number {
	// UTC, as the server sends, is read field by field: Date.parse takes its slow path for
	// microseconds, and a thread page sorts and lays out every message by this.
	const utc = utcMicros(timestamp);
	if (!Number.isNaN(utc)) return utc;
	const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
	const micros = Number(fraction.padEnd(6, '0').slice(3, 6));
	return Date.parse(timestamp) * 1000 + micros;
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first; ties (same microsecond) broken by id, as the SQL keyset does. */
export function compareMessages(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
	return timeKey(a.created_at) - timeKey(b.created_at) || byId(a.id, b.id);
}

/** A copy in compareMessages' order, each time read once rather than at every comparison (a page of 50 takes some 250). */
export function sortMessages<M extends { created_at: string; id: string }>(messages: readonly M[]): M[] {
	return messages
		.map((message) => ({ message, key: timeKey(message.created_at) }))
		.sort((a, b) => a.key - b.key || byId(a.message.id, b.message.id))
		.map(({ message }) => message);
}
