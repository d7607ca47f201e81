import { describe, expect, it } from 'vitest';
import { SyncResult, TabSyncResult } from '../../src/lib/messaging/schemas/index.ts';
import { at } from '../support/rows.ts';

/** A catch-up read by a tab whose code is older than the server's: what it does not know, it passes. */

const preferences = (id: number) => ({
	type: 'preferences.updated',
	id,
	conversation_id: null,
	created_at: at(id),
	payload: { preferences: { email_digests: true, browser_notifications: false } }
});

describe('a catch-up in a tab', () => {
	it('leaves out an event of a type the tab does not know, keeps the rest and the cursor past them all', () => {
		const result = { events: [preferences(4), { type: 'listing.renamed', id: 5, conversation_id: null, created_at: at(5), payload: {} }, preferences(6)], cursor: 6, resync: false, has_more: false };
		expect(() => SyncResult.parse(result)).toThrow();
		const read = TabSyncResult.parse(result);
		expect(read.events.map((event) => event.id)).toEqual([4, 6]);
		expect(read.cursor).toBe(6);
	});

	it('still refuses a result that is not one', () => {
		expect(TabSyncResult.safeParse({ events: [preferences(4)], cursor: 'six', resync: false, has_more: false }).success).toBe(false);
	});
});
