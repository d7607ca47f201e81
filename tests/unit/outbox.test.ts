import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessagingApi, Outcome } from '../../src/lib/messaging/api.ts';
import type { Attachment, Message } from '../../src/lib/messaging/schemas/index.ts';
import { OpenThreads } from '../../src/lib/messaging/state/open-threads.svelte.ts';
import { Outbox } from '../../src/lib/messaging/state/outbox.ts';
import { forgetOthersPendingSends, pendingSend, readPendingSends, type PendingSend } from '../../src/lib/messaging/state/pending-sends.ts';
import { ALICE, BOB, CONVERSATION, KEY, ME, message, messageId, openedConversation } from '../support/rows.ts';

/**
 * Sends on their way are kept in the browser until the server has stored or refused them, per
 * member: a reload, a closed tab or another tab sends them again with the same id (the server
 * stores one message per id), and they show once. Against a storage the test holds and a request
 * layer it answers (no browser, no server: the e2e specs have those).
 */

/** localStorage as the browser keeps it; `refuse` plays a private mode or a full quota. */
class MemoryStorage implements Storage {
	items = new Map<string, string>();
	refuse = false;
	get length() {
		return this.items.size;
	}
	key(index: number) {
		return [...this.items.keys()][index] ?? null;
	}
	getItem(key: string) {
		if (this.refuse) throw new DOMException('The operation is insecure.', 'SecurityError');
		return this.items.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		if (this.refuse) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		this.items.set(key, String(value));
	}
	removeItem(key: string) {
		this.items.delete(key);
	}
	clear() {
		this.items.clear();
	}
}

const OFFLINE: Outcome<Message> = { ok: false, message: 'You appear to be offline. Try again when you are connected.', code: 'offline' };
const photo = (n: number): Attachment => ({ id: messageId(900 + n), width: 800, height: 600, thumb_width: 320, thumb_height: 240 });

/** The send action as the server would answer it: `answer` decides per request; every request's fields are kept. */
function server(answer: (fields: Record<string, string | null | undefined>) => Outcome<Message>) {
	const requests: Record<string, string | null | undefined>[] = [];
	const api = {
		action: (async (_name: string, fields: Record<string, string | null | undefined>) => {
			requests.push(fields);
			return answer(fields);
		}) as MessagingApi['action']
	};
	return { api, requests };
}

/** What the server stores for a send: the message as it answers with it. */
const stored = (fields: Record<string, string | null | undefined>): Outcome<Message> => ({
	ok: true,
	value: message({ id: fields.id!, body: fields.body!.trim(), sender_id: ME, sender_username: 'me', sender_display_name: 'Me', created_at: new Date().toISOString() })
});

/** A tab of the member: its kept threads and its outbox, the conversation with Alice open (as the server loaded it). */
function tab(api: Pick<MessagingApi, 'action'>, options: { member?: string; loaded?: Message[] } = {}) {
	const threads = new OpenThreads();
	const thread = threads.open(openedConversation({ messages: options.loaded ?? [] }));
	const outbox = new Outbox({ member: options.member ?? ME, api, threads, onSignedOut: () => {} });
	return { threads, thread, outbox };
}

let storage: MemoryStorage;
beforeEach(() => {
	storage = new MemoryStorage();
	vi.stubGlobal('localStorage', storage);
});
afterEach(() => {
	vi.unstubAllGlobals();
});

describe('pending sends in storage', () => {
	it('are their sender’s: read back oldest first by them alone, and forgotten once another member signs in', () => {
		const { outbox, thread } = tab(server(() => OFFLINE).api);
		outbox.keep({ ...pendingSend(thread, { id: messageId(2), body: 'Second' }), created_at: '2026-12-07T10:00:02.000Z' });
		outbox.keep({ ...pendingSend(thread, { id: messageId(1), body: 'First' }), created_at: '2026-12-07T10:00:01.000Z' });

		expect(readPendingSends(ME).map((send) => send.body)).toEqual(['First', 'Second']);
		expect(readPendingSends(BOB)).toEqual([]);
		expect(readPendingSends(null)).toEqual([]);
		forgetOthersPendingSends(ME);
		expect(readPendingSends(ME)).toHaveLength(2);
		forgetOthersPendingSends(BOB);
		expect(readPendingSends(ME)).toEqual([]);
		expect(storage.items.size).toBe(0);
	});

	it('an entry that does not read as a send is dropped from storage, and the others still read', () => {
		const { outbox, thread } = tab(server(() => OFFLINE).api);
		const good = pendingSend(thread, { id: messageId(1), body: 'Fine' });
		outbox.keep(good);
		const prefix = `bazaar-messaging:outbox:${ME}:`;
		const bad: [string, string][] = [
			[`${prefix}${messageId(2)}`, '{not json'],
			[`${prefix}${messageId(3)}`, JSON.stringify({ ...good, id: messageId(3), body: 42 })],
			[`${prefix}${messageId(4)}`, JSON.stringify({ ...good, id: messageId(4), key: 'not-a-key' })],
			[`${prefix}${messageId(5)}`, JSON.stringify({ ...good, id: messageId(5), attachments: [{ id: 'x' }] })],
			// Filed under another id than its own: it would be forgotten under the wrong one.
			[`${prefix}${messageId(6)}`, JSON.stringify({ ...good, id: messageId(7) })]
		];
		for (const [key, value] of bad) storage.setItem(key, value);

		expect(readPendingSends(ME)).toEqual([good]);
		expect([...storage.items.keys()]).toEqual([`${prefix}${messageId(1)}`]);
	});

	it('storage refused keeps and reads nothing, and never throws', () => {
		storage.refuse = true;
		const { outbox, thread } = tab(server(() => OFFLINE).api);
		expect(() => outbox.keep(pendingSend(thread, { id: messageId(1), body: 'Hi' }))).not.toThrow();
		expect(readPendingSends(ME)).toEqual([]);
		expect(() => forgetOthersPendingSends(ME)).not.toThrow();
	});
});

describe('Outbox', () => {
	it('keeps a send from the moment it leaves until the server stores it', () => {
		const { outbox, thread } = tab(server(() => OFFLINE).api);
		const send = pendingSend(thread, { id: messageId(1), body: 'Is it still available?' });
		outbox.keep(send, thread);
		expect(thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sending']]);
		expect(readPendingSends(ME)).toEqual([send]);

		outbox.settle(send.id, stored({ id: send.id, body: send.body }));
		expect(readPendingSends(ME)).toEqual([]);
	});

	it('forgets a send refused for good; keeps one that may pass another time', () => {
		const { outbox, thread } = tab(server(() => OFFLINE).api);
		const answers: [Outcome<Message>, boolean][] = [
			[{ ok: false, message: 'Ana is not accepting messages from you.', code: 'blocked' }, false],
			[{ ok: false, message: 'Write a message before sending.', code: 'body_empty' }, false],
			[{ ok: false, message: 'This message id is already taken.', code: 'conflict' }, false],
			[OFFLINE, true],
			[{ ok: false, message: 'Messages are unavailable right now. Try again in a moment.', code: 'unavailable' }, true],
			[{ ok: false, message: 'You are sending messages too fast.', code: 'rate_limited' }, true],
			[{ ok: false, message: 'Sign in to use messages.', code: 'not_authenticated' }, true],
			[{ ok: false, message: 'Something went wrong. Try again.' }, true]
		];
		for (const [i, [outcome, kept]] of answers.entries()) {
			const send = pendingSend(thread, { id: messageId(i + 1), body: `Try ${i}` });
			outbox.keep(send, thread);
			outbox.settle(send.id, outcome);
			expect(readPendingSends(ME).some((s) => s.id === send.id), outcome.ok ? 'stored' : outcome.message).toBe(kept);
		}
	});

	it('a reload: the send shows again in its thread and goes again by itself, with its id, text, reply and photos', async () => {
		const before = tab(server(() => OFFLINE).api);
		const question = message({ id: messageId(50), body: 'Which colour do you want?' });
		const send = pendingSend(before.thread, { id: messageId(1), body: '  The blue one  ', replyTo: question, attachments: [photo(1), photo(2)] });
		before.outbox.keep(send, before.thread);
		// The page goes before the answer comes.

		const { api, requests } = server(stored);
		const after = tab(api, { loaded: [question] });
		after.outbox.restore(after.thread);
		const shown = after.thread.messages.at(-1)!;
		expect([shown.id, shown.status, shown.body, shown.reply_to_preview, shown.attachments]).toEqual([
			messageId(1),
			'sending',
			'The blue one',
			'Which colour do you want?',
			[photo(1), photo(2)]
		]);

		await vi.waitFor(() => expect(after.thread.messages.at(-1)?.status).toBe('sent'));
		expect(requests).toEqual([
			{ conversation_id: CONVERSATION, id: messageId(1), body: '  The blue one  ', reply_to: messageId(50), attachments: `${photo(1).id},${photo(2).id}` }
		]);
		expect(after.thread.messages.filter((m) => m.id === messageId(1))).toHaveLength(1);
		expect(readPendingSends(ME)).toEqual([]);
	});

	it('a send the server stored before the reload shows once, and is not sent again', async () => {
		const before = tab(server(() => OFFLINE).api);
		const send = pendingSend(before.thread, { id: messageId(1), body: 'Reached the server' });
		before.outbox.keep(send, before.thread);

		const { api, requests } = server(stored);
		const storedCopy = message({ id: messageId(1), body: 'Reached the server', sender_id: ME });
		const after = tab(api, { loaded: [storedCopy] });
		after.outbox.restore(after.thread);
		await Promise.resolve();

		expect(after.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]);
		expect(requests).toEqual([]);
		expect(readPendingSends(ME)).toEqual([]);
	});

	it('two tabs sending the same kept message both get the stored one, and each shows it once', async () => {
		const first = tab(server(() => OFFLINE).api);
		first.outbox.keep(pendingSend(first.thread, { id: messageId(1), body: 'Once' }), first.thread);

		const { api, requests } = server(stored);
		const [a, b] = [tab(api), tab(api)];
		a.outbox.restore(a.thread);
		b.outbox.restore(b.thread);
		await vi.waitFor(() => expect(requests).toHaveLength(2));
		for (const other of [a, b]) {
			await vi.waitFor(() => expect(other.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]));
		}
		expect(new Set(requests.map((fields) => fields.id))).toEqual(new Set([messageId(1)]));
	});

	it('another member’s kept sends are never shown to them nor sent as them', async () => {
		const ben = tab(server(() => OFFLINE).api, { member: BOB });
		ben.outbox.keep(pendingSend(ben.thread, { id: messageId(1), body: 'Ben’s words' }), ben.thread);

		const { api, requests } = server(stored);
		const ana = tab(api, { member: ALICE });
		ana.outbox.restore(ana.thread);
		await Promise.resolve();
		expect(ana.thread.messages).toEqual([]);
		expect(requests).toEqual([]);
	});

	it('a tab still open when another member signs in elsewhere does not send its waiting sends again as them', async () => {
		// The browser's events, for the outbox to hear that the connection is back.
		const browser = new EventTarget();
		vi.stubGlobal('window', browser);
		vi.stubGlobal('navigator', { onLine: true });
		const { api, requests } = server(() => OFFLINE);
		const ben = tab(api, { member: BOB });
		const stop = ben.outbox.start();
		const waiting = pendingSend(ben.thread, { id: messageId(1), body: 'Ben’s words' });
		ben.outbox.keep(waiting, ben.thread);
		ben.thread.fail(waiting.id, 'You appear to be offline.', 'offline');
		ben.outbox.settle(waiting.id, OFFLINE);

		// Back online: it goes again (and finds no connection again).
		browser.dispatchEvent(new Event('online'));
		await vi.waitFor(() => expect(requests).toHaveLength(1));
		await vi.waitFor(() => expect(ben.thread.messages[0].status).toBe('failed'));

		// Ana signs in in another tab, which forgets Ben's sends there; this tab's requests now carry her session.
		forgetOthersPendingSends(ALICE);
		browser.dispatchEvent(new Event('online'));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(requests).toHaveLength(1);
		stop();
	});

	it('a send refused for want of a session waits, untried, and goes once when the member’s next session starts in this tab', async () => {
		vi.useFakeTimers();
		try {
			vi.stubGlobal('window', new EventTarget());
			vi.stubGlobal('navigator', { onLine: true });
			let signedIn = false;
			const { api, requests } = server((fields) => (signedIn ? stored(fields) : { ok: false, message: 'Sign in to use messages.', code: 'not_authenticated' }));
			const kept: number[] = [];
			let signedOut = 0;
			const threads = new OpenThreads();
			const thread = threads.open(openedConversation({ messages: [] }));
			const outbox = new Outbox({ member: ME, api, threads, onSignedOut: () => signedOut++, onKept: (count) => kept.push(count) });
			const stop = outbox.start();
			await outbox.retry(thread, { ...message({ id: messageId(1), body: 'Still on for Saturday?', sender_id: ME, created_at: new Date().toISOString() }), status: 'sending' });
			expect([signedOut, thread.messages[0].status, readPendingSends(ME).length]).toEqual([1, 'failed', 1]);

			// Every try would be refused until the member signs in: none is made meanwhile.
			await vi.advanceTimersByTimeAsync(30_000);
			expect(requests).toHaveLength(1);

			// Signed in again: the feed restarts the outbox for the new session, and the send goes, once.
			stop();
			signedIn = true;
			const stopAgain = outbox.start();
			await vi.waitFor(() => expect(thread.messages[0].status).toBe('sent'));
			expect(requests.map((r) => r.id)).toEqual([messageId(1), messageId(1)]);
			expect(readPendingSends(ME)).toEqual([]);
			// The count a page shows of what waits: one kept, then none.
			expect(kept.at(-1)).toBe(0);
			expect(kept).toContain(1);
			stopAgain();
		} finally {
			vi.useRealTimers();
		}
	});

	it('a send the server could not store for want of its database waits and goes by itself, saying why, and the tab hears the feed cannot be live', async () => {
		vi.useFakeTimers();
		try {
			vi.stubGlobal('window', new EventTarget());
			vi.stubGlobal('navigator', { onLine: true });
			const UNAVAILABLE: Outcome<Message> = { ok: false, message: 'Messages are unavailable right now. Try again in a moment.', code: 'unavailable' };
			let databaseBack = false;
			const { api, requests } = server((fields) => (databaseBack ? stored(fields) : UNAVAILABLE));
			const threads = new OpenThreads();
			const thread = threads.open(openedConversation({ messages: [] }));
			let unavailable = 0;
			const outbox = new Outbox({ member: ME, api, threads, onSignedOut: () => {}, onUnavailable: () => unavailable++ });
			const stop = outbox.start();
			await outbox.retry(thread, { ...message({ id: messageId(1), body: 'Sent while the database hangs', sender_id: ME, created_at: new Date().toISOString() }), status: 'sending' });
			// It said "Not sent: Messages are unavailable right now; retrying." and never tried again.
			expect([thread.messages[0].status, thread.messages[0].waiting, unavailable]).toEqual(['failed', 'unavailable', 1]);
			await vi.advanceTimersByTimeAsync(5_000);
			expect(requests).toHaveLength(2);
			databaseBack = true;
			await vi.advanceTimersByTimeAsync(5_000);
			expect(thread.messages[0].status).toBe('sent');
			expect(requests.map((r) => r.id)).toEqual([messageId(1), messageId(1), messageId(1)]);
			expect(readPendingSends(ME)).toEqual([]);
			stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('a send that got no answer waits as offline when the browser is, and as the server out of reach when it is online', async () => {
		const threads = new OpenThreads();
		const thread = threads.open(openedConversation({ messages: [] }));
		const outbox = new Outbox({ member: ME, api: server(() => OFFLINE).api, threads, onSignedOut: () => {} });
		for (const [i, onLine] of [true, false].entries()) {
			vi.stubGlobal('navigator', { onLine });
			await outbox.retry(thread, { ...message({ id: messageId(i + 1), body: `Try ${i}`, sender_id: ME, created_at: new Date().toISOString() }), status: 'sending' });
		}
		expect(thread.messages.map((m) => [m.body, m.status, m.waiting])).toEqual([
			['Try 0', 'failed', 'unreachable'],
			['Try 1', 'failed', 'offline']
		]);
		// Shown again (a thread opened later in the tab), each says why it waits as it did.
		const again = new OpenThreads().open(openedConversation({ messages: [] }));
		outbox.restore(again);
		expect(again.messages.map((m) => m.waiting)).toEqual(['unreachable', 'offline']);
	});

	it('with storage refused a send still goes again from memory, and only then would leaving the page lose it', async () => {
		let reachable = false;
		const { api, requests } = server((fields) => (reachable ? stored(fields) : OFFLINE));
		const { outbox, thread } = tab(api);
		// As the composer does: the send leaves, no connection answers.
		const offline = (send: PendingSend) => {
			outbox.keep(send, thread);
			thread.fail(send.id, 'You appear to be offline.', 'offline');
			outbox.settle(send.id, OFFLINE);
		};
		offline(pendingSend(thread, { id: messageId(1), body: 'Kept' }));
		expect(outbox.atRisk).toBe(false);

		storage.refuse = true;
		offline(pendingSend(thread, { id: messageId(2), body: 'In memory only' }));
		expect(outbox.atRisk).toBe(true);
		expect(thread.messages.map((m) => [m.body, m.status, m.waiting])).toEqual([
			['Kept', 'failed', 'offline'],
			['In memory only', 'failed', 'offline']
		]);

		// Retried, it goes after the send waiting before it.
		reachable = true;
		await outbox.retry(thread, thread.messages[1]);
		expect(requests.map((fields) => fields.body)).toEqual(['Kept', 'In memory only']);
		expect(thread.messages.find((m) => m.id === messageId(2))?.status).toBe('sent');
		expect(outbox.atRisk).toBe(false);
	});
});

describe('Outbox, the send limit', () => {
	const LIMITED: Outcome<Message> = {
		ok: false,
		message: 'You are sending messages too fast (at most 30 a minute). Wait a moment and try again.',
		code: 'rate_limited'
	};

	it('a send over the limit waits and goes by itself; what is written after it in its thread waits behind it and goes after it, in order', async () => {
		vi.stubGlobal('navigator', { onLine: true });
		let limited = true;
		const { api, requests } = server((fields) => (limited ? LIMITED : stored(fields)));
		const { outbox, thread } = tab(api);
		// As the composer does: the first leaves and the limit refuses it.
		const first = pendingSend(thread, { id: messageId(1), body: 'First' });
		expect(outbox.keepToPost(first, thread)).toBe(true);
		thread.fail(first.id, LIMITED.message, 'limit');
		outbox.settle(first.id, LIMITED);
		expect(thread.messages.map((m) => [m.body, m.status, m.waiting])).toEqual([['First', 'failed', 'limit']]);

		// Written meanwhile: not posted, shown waiting behind it.
		const second = pendingSend(thread, { id: messageId(2), body: 'Second' });
		expect(outbox.keepToPost(second, thread)).toBe(false);
		expect(thread.messages.map((m) => [m.body, m.status, m.waiting])).toEqual([
			['First', 'failed', 'limit'],
			['Second', 'failed', 'limit']
		]);
		expect(requests).toEqual([]);

		// Still over the limit: the first is refused again, and the second does not go before it.
		outbox.pickUp();
		await vi.waitFor(() => expect(requests).toHaveLength(1));
		await new Promise((resolve) => setTimeout(resolve, 10));
		expect(requests.map((fields) => fields.body)).toEqual(['First']);
		expect(thread.messages.map((m) => [m.body, m.status, m.waiting])).toEqual([
			['First', 'failed', 'limit'],
			['Second', 'failed', 'limit']
		]);

		limited = false;
		outbox.pickUp();
		await vi.waitFor(() => expect(thread.messages.map((m) => m.status)).toEqual(['sent', 'sent']));
		expect(requests.map((fields) => fields.body)).toEqual(['First', 'First', 'Second']);
		expect(readPendingSends(ME)).toEqual([]);
	});

	it('a Retry of a send waiting behind another sends both, the earlier first', async () => {
		vi.stubGlobal('navigator', { onLine: true });
		let limited = true;
		const { api, requests } = server((fields) => (limited ? LIMITED : stored(fields)));
		const { outbox, thread } = tab(api);
		const first = pendingSend(thread, { id: messageId(1), body: 'First' });
		outbox.keep(first, thread);
		outbox.settle(first.id, LIMITED);
		expect(outbox.keepToPost(pendingSend(thread, { id: messageId(2), body: 'Second' }), thread)).toBe(false);
		limited = false;
		await outbox.retry(thread, thread.messages[1]);
		expect(requests.map((fields) => fields.body)).toEqual(['First', 'Second']);
	});
});

describe('Outbox, sends another tab of the member left behind', () => {
	/** The browser's window for a started outbox: its events, and whether it is online. */
	function browserWindow() {
		const window = new EventTarget();
		vi.stubGlobal('window', window);
		vi.stubGlobal('navigator', { onLine: true });
		return window;
	}
	/** What another tab's `localStorage.setItem` tells this one. */
	const storageEvent = (key: string, newValue: string | null) => Object.assign(new Event('storage'), { key, newValue });
	const keyOf = (member: string, id: string) => `bazaar-messaging:outbox:${member}:${id}`;

	it('an open tab sends a send a closed tab left waiting once the connection is back, without navigating, and shows it once', async () => {
		const window = browserWindow();
		const { api, requests } = server(stored);
		const b = tab(api);
		const stop = b.outbox.start();
		await Promise.resolve();

		// Tab A, with no connection, sends; then it is closed.
		const a = tab(server(() => OFFLINE).api);
		const left = pendingSend(a.thread, { id: messageId(1), body: 'Sent while the server was down' });
		a.outbox.keep(left, a.thread);
		a.outbox.settle(left.id, OFFLINE);

		// Tab B hears that it is back online (its feed live again does the same): it sends it.
		window.dispatchEvent(new Event('online'));
		await vi.waitFor(() => expect(b.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]));
		expect(requests.map((fields) => fields.id)).toEqual([messageId(1)]);
		expect(readPendingSends(ME)).toEqual([]);

		// Heard again: nothing is left to send.
		window.dispatchEvent(new Event('online'));
		b.outbox.pickUp();
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(requests).toHaveLength(1);
		expect(b.thread.messages).toHaveLength(1);
		stop();
	});

	it('a send another tab keeps is picked up after that tab had its go, unless it was stored meanwhile', async () => {
		const window = browserWindow();
		vi.useFakeTimers();
		try {
			const { api, requests } = server(stored);
			const b = tab(api);
			const stop = b.outbox.start();

			const a = tab(server(() => OFFLINE).api);
			const stuck = pendingSend(a.thread, { id: messageId(1), body: 'Still on its way' });
			a.outbox.keep(stuck, a.thread);
			window.dispatchEvent(storageEvent(keyOf(ME, stuck.id), JSON.stringify(stuck)));
			const done = pendingSend(a.thread, { id: messageId(2), body: 'Stored by its own tab' });
			a.outbox.keep(done, a.thread);
			window.dispatchEvent(storageEvent(keyOf(ME, done.id), JSON.stringify(done)));
			a.outbox.settle(done.id, stored({ id: done.id, body: done.body }));
			window.dispatchEvent(storageEvent(keyOf(ME, done.id), null));

			// The tab that wrote them gets the first go.
			await vi.advanceTimersByTimeAsync(1_000);
			expect(requests).toEqual([]);
			await vi.advanceTimersByTimeAsync(5_000);
			expect(requests.map((fields) => fields.id)).toEqual([messageId(1)]);
			expect(b.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]);
			stop();
		} finally {
			vi.useRealTimers();
		}
	});

	it('two open tabs sending one send each show it once; another member’s sends are left alone', async () => {
		const window = browserWindow();
		const { api, requests } = server(stored);
		const b = tab(api);
		const stop = b.outbox.start();
		// Tab A is still open and sends its own send again, as B picks it up.
		const a = tab(api);
		const both = pendingSend(a.thread, { id: messageId(1), body: 'Both tabs have it' });
		a.outbox.keep(both, a.thread);
		a.outbox.settle(both.id, OFFLINE);
		const bens = tab(server(() => OFFLINE).api, { member: BOB });
		bens.outbox.keep(pendingSend(bens.thread, { id: messageId(2), body: 'Ben’s words' }), bens.thread);

		window.dispatchEvent(new Event('online'));
		await a.outbox.retry(a.thread, a.thread.messages[0]);
		await vi.waitFor(() => expect(b.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]));
		expect(a.thread.messages.map((m) => [m.id, m.status])).toEqual([[messageId(1), 'sent']]);
		expect(new Set(requests.map((fields) => fields.id))).toEqual(new Set([messageId(1)]));
		expect(readPendingSends(BOB)).toHaveLength(1);
		stop();
	});
});
