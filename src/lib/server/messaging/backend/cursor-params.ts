import { error } from '@sveltejs/kit';
import { Cursor } from '$lib/messaging/schemas/index.js';

/** `?before_at=…&before_id=…` as a keyset cursor; both or neither. */
export function cursorFrom(url: URL): Cursor | null {
	const at = url.searchParams.get('before_at');
	const id = url.searchParams.get('before_id');
	if (at === null && id === null) return null;
	const cursor = Cursor.safeParse({ at, id });
	if (!cursor.success || Number.isNaN(Date.parse(cursor.data.at))) error(400, { message: 'before_at and before_id must come together and be valid.' });
	return cursor.data;
}
