import { describe, expect, it, vi } from 'vitest';
import type { MessagingApi, Outcome } from '../../src/lib/messaging/api.ts';
import { QUICK_REPLIES_MAX, type MessagingEvent, type QuickReply } from '../../src/lib/messaging/schemas/index.ts';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import { QuickReplies } from '../../src/lib/messaging/state/quick-replies.svelte.ts';
import { ME, at, messageId } from '../support/rows.ts';

/**
 * The user's quick replies in the browser: seeded from the page, most recently saved first,
 * every change shown at once and taken back (with the server's message) when it is refused.
 */

interface Call {
	name: string;
	fields: Record<string, string | null | undefined>;
	answer: (outcome: Outcome<unknown>) => void;
}

/** An api whose actions the test answers by hand, in any order. */
function fakeApi() {
	const calls: Call[] = [];
	const api = {
		action: (name: string, fields: Record<string, string | null | undefined>) =>
			new Promise<Outcome<unknown>>((answer) => calls.push({ name, fields, answer }))
	} as unknown as Pick<MessagingApi, 'action'>;
	return { api, calls };
}

const reply = (n: number, body: string, seconds = n): QuickReply => ({ id: messageId(100 + n), body, updated_at: at(seconds) });
const bodies = (replies: QuickReplies) => replies.replies.map((r) => r.body);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function seeded() {
	const { api, calls } = fakeApi();
	let next = 0;
	const replies = new QuickReplies({
		api,
		replies: [reply(1, 'Yes, still available!', 10), reply(2, 'I can post it tomorrow.', 20)],
		newId: () => messageId(200 + ++next)
	});
	return { replies, calls };
}

describe('QuickReplies', () => {
	it('the page’s replies are listed most recently saved first', () => {
		const { replies } = seeded();
		expect(bodies(replies)).toEqual(['I can post it tomorrow.', 'Yes, still available!']);
	});

	it('a new reply shows on top at once, is sent with a fresh id and takes the stored copy when answered', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ body: '  Collection only, sorry.  ' });
		expect(bodies(replies)[0]).toBe('Collection only, sorry.');
		expect(calls).toHaveLength(1);
		expect(calls[0]).toMatchObject({ name: 'save_quick_reply', fields: { id: messageId(201), body: 'Collection only, sorry.' } });

		const stored = { id: messageId(201), body: 'Collection only, sorry.', updated_at: at(50) };
		calls[0].answer({ ok: true, value: stored });
		expect(await saving).toEqual({ ok: true, value: stored });
		expect(replies.replies[0]).toEqual(stored);
		expect(replies.replies).toHaveLength(3);
	});

	it('editing keeps the id, moves the reply to the top with its new text', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ id: messageId(101), body: 'Yes, it is still for sale.' });
		expect(bodies(replies)).toEqual(['Yes, it is still for sale.', 'I can post it tomorrow.']);
		expect(calls[0].fields).toEqual({ id: messageId(101), body: 'Yes, it is still for sale.' });
		calls[0].answer({ ok: true, value: { id: messageId(101), body: 'Yes, it is still for sale.', updated_at: at(40) } });
		await saving;
		expect(replies.replies.map((r) => r.id)).toEqual([messageId(101), messageId(102)]);
	});

	it('a refused new reply disappears again and the server’s message is returned', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ body: 'x'.repeat(600) });
		expect(replies.replies).toHaveLength(3);
		calls[0].answer({ ok: false, message: 'Quick replies can be at most 500 characters.' });
		expect(await saving).toEqual({ ok: false, message: 'Quick replies can be at most 500 characters.' });
		expect(bodies(replies)).toEqual(['I can post it tomorrow.', 'Yes, still available!']);
	});

	it('a refused edit puts the old text back where it was', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ id: messageId(101), body: 'Changed' });
		calls[0].answer({ ok: false, message: 'Something went wrong. Try again.' });
		expect((await saving).ok).toBe(false);
		expect(bodies(replies)).toEqual(['I can post it tomorrow.', 'Yes, still available!']);
	});

	it('an empty reply is not sent', async () => {
		const { replies, calls } = seeded();
		expect(await replies.save({ body: '   ' })).toEqual({ ok: false, message: 'Write the reply you want to keep.' });
		expect(calls).toHaveLength(0);
		expect(replies.replies).toHaveLength(2);
	});

	it('a deleted reply is gone at once, and stays gone when the server agrees', async () => {
		const { replies, calls } = seeded();
		const removing = replies.remove(messageId(102));
		expect(bodies(replies)).toEqual(['Yes, still available!']);
		expect(calls[0]).toMatchObject({ name: 'delete_quick_reply', fields: { id: messageId(102) } });
		calls[0].answer({ ok: true, value: { id: messageId(102) } });
		expect((await removing).ok).toBe(true);
		expect(bodies(replies)).toEqual(['Yes, still available!']);
	});

	it('a refused delete brings the reply back in its place', async () => {
		const { replies, calls } = seeded();
		const removing = replies.remove(messageId(102));
		calls[0].answer({ ok: false, message: 'You appear to be offline. Try again when you are connected.' });
		expect(await removing).toEqual({ ok: false, message: 'You appear to be offline. Try again when you are connected.' });
		expect(bodies(replies)).toEqual(['I can post it tomorrow.', 'Yes, still available!']);
	});

	it('a reply deleted while its edit is on its way stays deleted, whatever the edit’s answer', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ id: messageId(101), body: 'Changed' });
		const removing = replies.remove(messageId(101));
		calls[0].answer({ ok: false, message: 'Something went wrong. Try again.' });
		calls[1].answer({ ok: true, value: { id: messageId(101) } });
		await Promise.all([saving, removing]);
		expect(bodies(replies)).toEqual(['I can post it tomorrow.']);
	});

	it('a page load does not replace the list while a change is on its way; afterwards it does, with the change laid over it until a list holds it', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ body: 'New one' });
		replies.seed([reply(1, 'Yes, still available!', 10)]);
		expect(bodies(replies)).toEqual(['New one', 'I can post it tomorrow.', 'Yes, still available!']);
		const newOne = { id: messageId(201), body: 'New one', updated_at: at(50) };
		calls[0].answer({ ok: true, value: newOne });
		await saving;
		await flush();
		expect(bodies(replies)).toEqual(['New one', 'Yes, still available!']);
		replies.seed([reply(3, 'From another tab', 45), reply(1, 'Yes, still available!', 10)]);
		expect(bodies(replies)).toEqual(['New one', 'From another tab', 'Yes, still available!']);
		// Its own event: from then on the lists heard are the later word (deleted on the phone).
		replies.seed([newOne, reply(3, 'From another tab', 45), reply(1, 'Yes, still available!', 10)]);
		replies.seed([reply(3, 'From another tab', 45), reply(1, 'Yes, still available!', 10)]);
		expect(bodies(replies)).toEqual(['From another tab', 'Yes, still available!']);
	});

	it('a reply added here while an older list was heard stays listed until its own event, and is not taken for one deleted elsewhere', async () => {
		const { replies, calls } = seeded();
		replies.seed([reply(1, 'Old', 10)], 10);
		const saving = replies.save({ body: 'New here' });
		replies.seed([reply(1, 'Old', 10)], 11);
		calls[0].answer({ ok: true, value: { id: messageId(201), body: 'New here', updated_at: at(50) } });
		await saving;
		expect(bodies(replies)).toEqual(['New here', 'Old']);
		// A delete here, answered, with an older list (still holding the reply) heard after it.
		const removing = replies.remove(messageId(101));
		calls[1].answer({ ok: true, value: { id: messageId(101) } });
		await removing;
		replies.seed([reply(1, 'Old', 10)], 12);
		expect(bodies(replies)).toEqual(['New here']);
	});

	it('a change answered here whose event never comes gives way to the lists heard after 30 s', async () => {
		vi.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z') });
		try {
			const { replies, calls } = seeded();
			const saving = replies.save({ body: 'Lost event' });
			calls[0].answer({ ok: true, value: { id: messageId(201), body: 'Lost event', updated_at: at(50) } });
			await saving;
			replies.seed([reply(1, 'Yes, still available!', 10)], 5);
			expect(bodies(replies)).toEqual(['Lost event', 'Yes, still available!']);
			vi.setSystemTime(new Date('2026-12-07T12:00:31Z'));
			replies.seed([reply(1, 'Yes, still available!', 10)], 6);
			expect(bodies(replies)).toEqual(['Yes, still available!']);
		} finally {
			vi.useRealTimers();
		}
	});

	it('the next member on the tab gets their list at once, whatever the last member had on its way, and its answer changes nothing', async () => {
		const { replies, calls } = seeded();
		replies.seed([reply(1, 'Ana’s private reply', 10)], 5000, 'ana');
		const saving = replies.save({ body: 'Ana typed this' });
		replies.seed([reply(2, 'Ben’s reply', 20)], 40, 'ben');
		expect(bodies(replies)).toEqual(['Ben’s reply']);
		calls[0].answer({ ok: true, value: { id: messageId(201), body: 'Ana typed this', updated_at: at(60) } });
		await saving;
		expect(bodies(replies)).toEqual(['Ben’s reply']);
		replies.seed([reply(3, 'Ben’s next', 30), reply(2, 'Ben’s reply', 20)], 41, 'ben');
		expect(bodies(replies)).toEqual(['Ben’s next', 'Ben’s reply']);
	});

	it('a list heard while a new reply was saved and deleted again here shows once both are answered', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ body: 'Gone again' });
		const removing = replies.remove(messageId(201));
		replies.seed([reply(3, 'Saved on the phone', 60), reply(1, 'Yes, still available!', 10)], 9);
		expect(bodies(replies)).toEqual(['I can post it tomorrow.', 'Yes, still available!']);
		calls[1].answer({ ok: true, value: { id: messageId(201) } });
		await removing;
		calls[0].answer({ ok: true, value: { id: messageId(201), body: 'Gone again', updated_at: at(70) } });
		await saving;
		expect(bodies(replies)).toEqual(['Saved on the phone', 'Yes, still available!']);
	});

	it('a reply deleted on another device after this tab saved it stays deleted once the save is answered', async () => {
		const { replies, calls } = seeded();
		const saving = replies.save({ body: 'Deleted on the phone' });
		const saved = { id: messageId(201), body: 'Deleted on the phone', updated_at: at(50) };
		// Its own event, then the phone's delete, both before the save's answer.
		replies.seed([saved, reply(1, 'Yes, still available!', 10)], 20);
		replies.seed([reply(1, 'Yes, still available!', 10)], 21);
		calls[0].answer({ ok: true, value: saved });
		await saving;
		expect(bodies(replies)).toEqual(['Yes, still available!']);
	});

	it("the next member on the tab gets their own list, whatever the last member's event ids", () => {
		const { replies } = seeded();
		replies.seed([reply(1, 'Ana’s reply', 10)], 5000, 'ana');
		replies.seed([reply(2, 'Ben’s reply', 20)], 40, 'ben');
		expect(bodies(replies)).toEqual(['Ben’s reply']);
		replies.seed([reply(3, 'Ben’s next', 30), reply(2, 'Ben’s reply', 20)], 41, 'ben');
		expect(bodies(replies)).toEqual(['Ben’s next', 'Ben’s reply']);
	});

	it('a page that did not read the list (the inbox alone) keeps the one shown, unless it was the last member’s', () => {
		const { replies } = seeded();
		replies.seed([reply(1, 'Ana’s reply', 10)], 50, 'ana');
		replies.seed(null, 60, 'ana');
		expect(bodies(replies)).toEqual(['Ana’s reply']);
		// Its cursor was no list: an older one read by the next thread page still shows.
		replies.seed([reply(2, 'Ana’s next', 20), reply(1, 'Ana’s reply', 10)], 55, 'ana');
		expect(bodies(replies)).toEqual(['Ana’s next', 'Ana’s reply']);
		replies.seed(null, 70, 'ben');
		expect(bodies(replies)).toEqual([]);
		replies.seed([reply(3, 'Ben’s reply', 30)], 71, 'ben');
		expect(bodies(replies)).toEqual(['Ben’s reply']);
	});

	it('takes the lists the member’s event log brings from their other tabs and devices, and the preferences too', async () => {
		const client = new MessagingClient();
		client.showPage({ session: { me: ME, cursor: 7, unreadTotal: 0, transport: 'sse' }, filter: 'all', inbox: { previews: [], next: null }, opened: null });
		const { api, calls } = fakeApi();
		const replies = new QuickReplies({ api, replies: [reply(1, 'Yes, still available!', 10)] });
		const stop = client.hearQuickReplies((list, at) => replies.seed(list, at));
		const event = (id: number, list: QuickReply[]): MessagingEvent => ({
			type: 'quick_replies.updated',
			id,
			conversation_id: null,
			created_at: at(id),
			payload: { quick_replies: list }
		});
		client.applyEvent(event(8, [reply(2, 'Saved on the phone', 60), reply(1, 'Yes, still available!', 10)]));
		expect(bodies(replies)).toEqual(['Saved on the phone', 'Yes, still available!']);

		// This tab's own change on its way: the list it shows stands until the server answers; then
		// the list heard meanwhile (the phone's reply deleted there) shows, with this change on it
		// until its own event brings it.
		const saving = replies.save({ body: 'Typed here' });
		client.applyEvent(event(9, [reply(1, 'Yes, still available!', 10)]));
		expect(bodies(replies)).toEqual(['Typed here', 'Saved on the phone', 'Yes, still available!']);
		calls[0].answer({ ok: true, value: { id: messageId(300), body: 'Typed here', updated_at: at(70) } });
		await saving;
		expect(bodies(replies)).toEqual(['Typed here', 'Yes, still available!']);
		const typedHere = { id: messageId(300), body: 'Typed here', updated_at: at(70) };
		client.applyEvent(event(10, [typedHere, reply(1, 'Yes, still available!', 10)]));
		expect(bodies(replies)).toEqual(['Typed here', 'Yes, still available!']);
		// A page read before event 10, shown after it, does not take the list back.
		replies.seed([reply(2, 'Saved on the phone', 60), reply(1, 'Yes, still available!', 10)], 8);
		expect(bodies(replies)).toEqual(['Typed here', 'Yes, still available!']);
		// A page mounted later hears the last list at once.
		const later = new QuickReplies({ api, replies: [] });
		const stopLater = client.hearQuickReplies((list, at) => later.seed(list, at));
		expect(bodies(later)).toEqual(['Typed here', 'Yes, still available!']);
		stopLater();
		stop();
		client.applyEvent(event(11, []));
		expect(bodies(replies)).toEqual(['Typed here', 'Yes, still available!']);

		// Notifications turned off on another device: off in this tab at once.
		expect(client.preferences.browser_notifications).toBe(true);
		client.applyEvent({ type: 'preferences.updated', id: 11, conversation_id: null, created_at: at(11), payload: { preferences: { email_digests: true, browser_notifications: false } } });
		expect(client.preferences).toEqual({ email_digests: true, browser_notifications: false });
	});

	it(`is full at ${QUICK_REPLIES_MAX} replies`, () => {
		const { api } = fakeApi();
		const many = Array.from({ length: QUICK_REPLIES_MAX }, (_, i) => reply(i + 1, `Reply ${i + 1}`));
		expect(new QuickReplies({ api, replies: many.slice(1) }).full).toBe(false);
		expect(new QuickReplies({ api, replies: many }).full).toBe(true);
	});
});
