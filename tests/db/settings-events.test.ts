// A member's quick replies and preferences as events of their own log, against the real database:
// what each change logs, for whom, and that deleting an account still works with the triggers.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { testPool } from '../support/database.ts';
import { type Actor, createActor } from '../support/messaging.ts';

const db = testPool();

async function eventsSince(actor: Actor, cursor: number): Promise<MessagingEvent[]> {
	return (await actor.api.syncSince({ cursor })).events;
}

describe('settings reach the member’s other tabs and devices', () => {
	it('every save or delete of a quick reply logs the whole list, newest first, for its member alone', async () => {
		const [owner, other] = [await createActor(db), await createActor(db)];
		const [start, otherStart] = [await owner.api.currentEventCursor(), await other.api.currentEventCursor()];
		const first = await owner.api.saveQuickReply({ id: randomUUID(), body: 'Yes, still available.' });
		const second = await owner.api.saveQuickReply({ id: randomUUID(), body: 'I can post it tomorrow.' });
		await owner.api.saveQuickReply({ id: first.id, body: 'Yes, it is still available.' });
		await owner.api.deleteQuickReply({ id: second.id });

		const events = await eventsSince(owner, start);
		expect(events.map((event) => event.type)).toEqual(Array(4).fill('quick_replies.updated'));
		const lists = events.map((event) => (event.type === 'quick_replies.updated' ? event.payload.quick_replies.map((reply) => reply.body) : null));
		expect(lists).toEqual([
			['Yes, still available.'],
			['I can post it tomorrow.', 'Yes, still available.'],
			['Yes, it is still available.', 'I can post it tomorrow.'],
			['Yes, it is still available.']
		]);
		expect(events.every((event) => event.conversation_id === null)).toBe(true);
		expect(await eventsSince(other, otherStart)).toEqual([]);

		// A refused save changes nothing, and logs nothing.
		const refused = await owner.api.saveQuickReply({ id: randomUUID(), body: 'YES, IT IS STILL AVAILABLE.' }).catch((error: Error) => error);
		expect(refused).toBeInstanceOf(Error);
		expect(await eventsSince(owner, events.at(-1)!.id)).toEqual([]);
	});

	it('a change of preferences logs all of them as they are after it', async () => {
		const owner = await createActor(db);
		const start = await owner.api.currentEventCursor();
		await owner.api.setPreferences({ browserNotifications: false });
		await owner.api.setPreferences({ emailDigests: false });
		await owner.api.setPreferences({ browserNotifications: true });
		const events = await eventsSince(owner, start);
		expect(events.map((event) => (event.type === 'preferences.updated' ? event.payload.preferences : event.type))).toEqual([
			{ email_digests: true, browser_notifications: false },
			{ email_digests: false, browser_notifications: false },
			{ email_digests: false, browser_notifications: true }
		]);
	});

	it('an account with quick replies and preferences is still deleted whole', async () => {
		const owner = await createActor(db);
		await owner.api.saveQuickReply({ id: randomUUID(), body: 'Thanks!' });
		await owner.api.setPreferences({ emailDigests: false });
		await db.query('delete from public.profiles where id = $1', [owner.id]);
		const { rows } = await db.query(
			`select (select count(*) from public.quick_replies where user_id = $1)::int as replies,
			        (select count(*) from public.messaging_events where user_id = $1)::int as events`,
			[owner.id]
		);
		expect(rows[0]).toEqual({ replies: 0, events: 0 });
	});
});
