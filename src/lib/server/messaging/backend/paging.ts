import type { Cursor, Message } from '$lib/messaging/schemas/index.js';

/**
 * A page from `limit + 1` rows: the first `limit`, and where the next page starts (the last
 * row's cursor) when the extra row says there is one.
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): { items: T[]; next: Cursor | null } {
	const items = rows.slice(0, limit);
	return { items, next: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}

/** A page size the RPC accepts: a whole number from 1 to `max`, `fallback` when none is asked. */
export const clampLimit = (limit: number | undefined, fallback: number, max: number) => Math.min(Math.max(Math.trunc(limit ?? fallback), 1), max);

export function messageCursor(message: Message): Cursor {
	return { at: message.created_at, id: message.id };
}
