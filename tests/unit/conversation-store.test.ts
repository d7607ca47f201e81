import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatConversationKey } from '../../src/lib/messaging/conversation-key.ts';
import {
	ConversationPreview,
	ConversationPreviewRow,
	Message,
	MessagingEvent,
	OpenedConversationRow,
	ReadState,
	type OpenedConversation,
	type UserSummary
} from '../../src/lib/messaging/schemas.ts';
import { ConversationStore } from '../../src/lib/messaging/stores/conversation-store.svelte.ts';

/**
 * The conversation store's merge rules: whatever order server pages, live events, catch-up
 * results and optimistic sends arrive in, each message shows once, in (created_at, id) order,
 * newest edit winning; previews, read state and the unread badge follow the events.
 */

const ME = '11111111-1111-4111-8111-111111111111';
const ALICE = '22222222-2222-4222-8222-222222222222';
const BOB = '33333333-3333-4333-8333-333333333333';
const PRODUCT = 'a0000000-0000-4000-8000-000000000001';
const CONVERSATION = 'c0000000-0000-4000-8000-000000000001';

const conversationId = (n: number) => `c0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const userId = (n: number) => `b0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const messageId = (n: number) => `d0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** 2026-11-24 10:00 UTC plus the given seconds and microseconds, as PostgreSQL writes it. */
function at(seconds: number, micros = 1): string {
	const whole = new Date(Date.UTC(2026, 10, 24, 10, 0, seconds)).toISOString().slice(0, 19);
	return `${whole}.${String(micros).padStart(6, '0')}+00:00`;
}

const me: UserSummary = { id: ME, username: 'me', display_name: 'Me', avatar_url: null };
const alice: UserSummary = { id: ALICE, username: 'alice', display_name: 'Alice', avatar_url: null };

const product = {
	id: PRODUCT,
	title: 'Oak chair',
	price_cents: 4500,
	currency: 'EUR',
	image_url: null,
	status: 'active' as const,
	seller_id: ALICE
};

const KEY = formatConversationKey({ otherUserId: ALICE, productId: PRODUCT });

type PreviewRow = ReturnType<typeof ConversationPreviewRow.parse>;

function message(overrides: Partial<Message> = {}): Message {
	return Message.parse({
		id: messageId(1),
		conversation_id: CONVERSATION,
		sender_id: ALICE,
		sender_username: 'alice',
		sender_display_name: 'Alice',
		sender_avatar_url: null,
		kind: 'text',
		body: 'Is it still available?',
		reply_to_id: null,
		reply_to_sender_id: null,
		reply_to_preview: null,
		reply_to_deleted: false,
		created_at: at(0),
		edited_at: null,
		deleted_at: null,
		product_id: PRODUCT,
		product_title: product.title,
		product_price_cents: product.price_cents,
		product_currency: product.currency,
		product_image_url: null,
		...overrides
	});
}

function previewRow(overrides: Partial<PreviewRow> = {}): PreviewRow {
	return ConversationPreviewRow.parse({
		conversation_id: CONVERSATION,
		other_user_id: ALICE,
		other_username: 'alice',
		other_display_name: 'Alice',
		other_avatar_url: null,
		product_id: PRODUCT,
		product_title: product.title,
		product_price_cents: product.price_cents,
		product_currency: product.currency,
		product_image_url: null,
		product_status: 'active',
		last_message_id: messageId(1),
		last_message_at: at(0),
		last_message_preview: 'Is it still available?',
		last_message_sender_id: ALICE,
		last_message_deleted: false,
		unread_count: 0,
		archived: false,
		muted_until: null,
		other_last_read_at: null,
		...overrides
	});
}

function preview(overrides: Partial<PreviewRow> = {}): ConversationPreview {
	return ConversationPreview.parse(previewRow(overrides));
}

function readState(overrides: Partial<ReadState> = {}): ReadState {
	return ReadState.parse({
		conversation_id: CONVERSATION,
		unread_count: 0,
		last_read_at: null,
		last_read_message_id: null,
		archived: false,
		muted_until: null,
		other_last_read_at: null,
		other_last_read_message_id: null,
		...overrides
	});
}

/** What openConversation returns; `messages` are given oldest first and paged newest first. */
function opened(
	overrides: Partial<Omit<OpenedConversation, 'page'>> & { messages?: Message[]; next?: OpenedConversation['page']['next'] } = {}
): OpenedConversation {
	const { messages = [], next = null, ...rest } = overrides;
	const row = OpenedConversationRow.parse({
		conversation_id: CONVERSATION,
		other_user: alice,
		product,
		read_state: readState(),
		blocked_by_me: false,
		blocked_me: false,
		messages,
		...rest
	});
	const conversation: OpenedConversation = {
		key: rest.key ?? KEY,
		conversation_id: row.conversation_id,
		other_user: row.other_user,
		product: row.product,
		read_state: row.read_state,
		blocked_by_me: row.blocked_by_me,
		blocked_me: row.blocked_me,
		page: { messages: [...row.messages].reverse(), next }
	};
	return conversation;
}

let eventId = 0;

function messageEvent(
	msg: Message,
	options: { type?: 'message.created' | 'message.updated'; preview?: Partial<PreviewRow> | null; unreadTotal?: number } = {}
): MessagingEvent {
	const row =
		options.preview === null
			? null
			: previewRow({
					conversation_id: msg.conversation_id,
					last_message_id: msg.id,
					last_message_at: msg.created_at,
					last_message_preview: msg.body,
					last_message_sender_id: msg.sender_id,
					...options.preview
				});
	return MessagingEvent.parse({
		type: options.type ?? 'message.created',
		id: ++eventId,
		conversation_id: msg.conversation_id,
		created_at: msg.created_at,
		payload: { message: msg, preview: row, unread_total: options.unreadTotal }
	});
}

/** Events carry the recipient's badge total as the server computed it (muted and archived left out). */
function readEvent(state: ReadState, unreadTotal?: number): MessagingEvent {
	return MessagingEvent.parse({
		type: 'read',
		id: ++eventId,
		conversation_id: state.conversation_id,
		created_at: at(59),
		payload: { read_state: state, unread_total: unreadTotal }
	});
}

function conversationUpdated(state: ReadState, row: PreviewRow | null, unreadTotal?: number): MessagingEvent {
	return MessagingEvent.parse({
		type: 'conversation.updated',
		id: ++eventId,
		conversation_id: state.conversation_id,
		created_at: at(59),
		payload: { read_state: state, preview: row, unread_total: unreadTotal }
	});
}

function newStore(options: { unreadTotal?: number; maxThreads?: number } = {}) {
	return new ConversationStore({ me: ME, ...options });
}

const ids = (store: ConversationStore, key = KEY) => store.thread(key)!.messages.map((m) => m.id);
const only = (store: ConversationStore, id: string, key = KEY) => {
	const copies = store.thread(key)!.messages.filter((m) => m.id === id);
	expect(copies).toHaveLength(1);
	return copies[0];
};

afterEach(() => {
	vi.useRealTimers();
});

describe('ConversationStore: one copy of each message, in order', () => {
	it('a message from the server page, a live event and a catch-up replay appears once', () => {
		const store = newStore();
		const first = message({ id: messageId(1), created_at: at(0) });
		store.openThread(opened({ messages: [first] }));
		store.applyEvent(messageEvent(first));
		store.applyEvent(messageEvent(first)); // the catch-up re-reads it
		store.prependOlder(KEY, { messages: [first], next: null });
		store.openThread(opened({ messages: [first] }));

		expect(ids(store)).toEqual([messageId(1)]);
		expect(only(store, messageId(1)).status).toBe('sent');
	});

	it('messages arriving out of order end sorted by created_at, to the microsecond, then by id', () => {
		const store = newStore();
		store.openThread(opened());
		const arrivals = [
			message({ id: messageId(5), created_at: at(1, 2) }),
			message({ id: messageId(2), created_at: at(0, 1) }),
			message({ id: messageId(4), created_at: at(1, 1) }),
			message({ id: messageId(3), created_at: at(0, 2) }),
			message({ id: messageId(7), created_at: at(2, 0) }),
			message({ id: messageId(6), created_at: at(2, 0) }), // same microsecond: id decides
			message({ id: messageId(1), created_at: at(0, 0) })
		];
		for (const m of arrivals) store.applyEvent(messageEvent(m, { preview: null }));

		expect(ids(store)).toEqual([1, 2, 3, 4, 5, 6, 7].map(messageId));
	});

	it('timestamps written with different UTC offsets sort by the instant they name', () => {
		const store = newStore();
		store.openThread(opened());
		store.applyEvent(messageEvent(message({ id: messageId(3), created_at: '2026-11-24T12:00:00.000003+02:00' }), { preview: null }));
		store.applyEvent(messageEvent(message({ id: messageId(1), created_at: '2026-11-24T05:00:00.000001-05:00' }), { preview: null }));
		store.applyEvent(messageEvent(message({ id: messageId(4), created_at: '2026-11-24T10:00:00.000004+00:00' }), { preview: null }));
		store.applyEvent(messageEvent(message({ id: messageId(2), created_at: '2026-11-24T15:30:00.000002+05:30' }), { preview: null }));

		expect(ids(store)).toEqual([1, 2, 3, 4].map(messageId));
	});

	it('older history prepended by scrolling up lands above what is loaded and remembers the next cursor', () => {
		const store = newStore();
		store.openThread(opened({ messages: [message({ id: messageId(3), created_at: at(3) })], next: { at: at(3), id: messageId(3) } }));
		store.prependOlder(KEY, {
			messages: [message({ id: messageId(2), created_at: at(2) }), message({ id: messageId(1), created_at: at(1) })],
			next: null
		});
		expect(ids(store)).toEqual([1, 2, 3].map(messageId));
		expect(store.thread(KEY)!.older).toBeNull();
	});
});

describe('ConversationStore: optimistic sending', () => {
	const PENDING = messageId(100);

	function withHistory() {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-24T10:01:00.000Z'));
		const store = newStore();
		store.openThread(
			opened({ messages: [message({ id: messageId(1), created_at: at(0) }), message({ id: messageId(2), created_at: at(30) })] })
		);
		return store;
	}

	const echo = (overrides: Partial<Message> = {}) =>
		message({
			id: PENDING,
			sender_id: ME,
			sender_username: 'me',
			sender_display_name: 'Me',
			body: 'Yes, it is',
			created_at: at(61, 123456),
			...overrides
		});

	it('addPending shows the message as sending at the bottom of the thread', () => {
		const store = withHistory();
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		const thread = store.thread(KEY)!;
		expect(thread.messages.map((m) => m.id)).toEqual([messageId(1), messageId(2), PENDING]);
		expect(thread.messages.at(-1)).toMatchObject({ status: 'sending', body: 'Yes, it is', sender_id: ME, conversation_id: CONVERSATION });
	});

	it('a pending message stays at the bottom even when the newest message is stamped ahead of this clock', () => {
		const store = withHistory();
		store.applyEvent(messageEvent(message({ id: messageId(3), created_at: at(600) }), { preview: null })); // server clock 9 min ahead
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		expect(ids(store).at(-1)).toBe(PENDING);
		expect(Message.safeParse(store.thread(KEY)!.messages.at(-1)).success).toBe(true);
	});

	it('the RPC answer arriving first confirms the pending copy: one copy, sent, with the server timestamp', () => {
		const store = withHistory();
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		store.confirm(KEY, echo());
		store.applyEvent(messageEvent(echo())); // the echo after the answer
		const sent = only(store, PENDING);
		expect(sent.status).toBe('sent');
		expect(sent.created_at).toBe(at(61, 123456));
		expect(ids(store)).toEqual([messageId(1), messageId(2), PENDING]);
	});

	it('the echo event arriving first confirms the pending copy; the RPC answer then changes nothing', () => {
		const store = withHistory();
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		store.applyEvent(messageEvent(echo()));
		expect(only(store, PENDING).status).toBe('sent');
		store.confirm(KEY, echo());
		expect(only(store, PENDING).status).toBe('sent');
		expect(ids(store)).toEqual([messageId(1), messageId(2), PENDING]);
	});

	it('fail marks a sending message failed with its error; a retry with the same id shows it sending again, still once', () => {
		const store = withHistory();
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		store.fail(KEY, PENDING, 'You are offline.');
		expect(only(store, PENDING)).toMatchObject({ status: 'failed', error: 'You are offline.' });

		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		const retried = only(store, PENDING);
		expect(retried.status).toBe('sending');
		expect(retried.error).toBeUndefined();

		store.confirm(KEY, echo());
		expect(only(store, PENDING).status).toBe('sent');
	});

	it('a failure reported after the echo already confirmed the message does not mark it failed', () => {
		const store = withHistory();
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		store.applyEvent(messageEvent(echo()));
		store.fail(KEY, PENDING, 'Timed out.');
		expect(only(store, PENDING).status).toBe('sent');
		expect(only(store, PENDING).error).toBeUndefined();
	});

	it('the first confirmed send gives a thread opened before its conversation existed its conversation id', () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-24T10:01:00.000Z'));
		const store = newStore();
		store.openThread(opened({ conversation_id: null, read_state: null }));
		store.addPending(KEY, { id: PENDING, body: 'Yes, it is' }, me);
		store.confirm(KEY, echo());
		expect(store.thread(KEY)!.conversationId).toBe(CONVERSATION);
		expect(store.keyOf(CONVERSATION)).toBe(KEY);
		// Later events without a preview still find the thread.
		store.applyEvent(messageEvent(message({ id: messageId(101), created_at: at(90) }), { preview: null }));
		expect(ids(store)).toEqual([PENDING, messageId(101)]);
	});

	it('a message from the server never sorts between or below messages still sending', () => {
		const store = withHistory();
		store.addPending(KEY, { id: messageId(100), body: 'first' }, me); // stamped 10:01:00 by this clock
		vi.setSystemTime(new Date('2026-11-24T10:01:02.000Z'));
		store.addPending(KEY, { id: messageId(101), body: 'second' }, me); // stamped 10:01:02
		// Alice's reply, stored by the server between the two local stamps.
		store.applyEvent(messageEvent(message({ id: messageId(3), created_at: at(61) })));

		expect(ids(store)).toEqual([messageId(1), messageId(2), messageId(3), messageId(100), messageId(101)]);
	});

	it('confirming the first of two pending messages keeps the other at the bottom, even with the server clock ahead', () => {
		const store = withHistory();
		store.addPending(KEY, { id: messageId(100), body: 'first' }, me);
		store.addPending(KEY, { id: messageId(101), body: 'second' }, me);
		// The server stamps the first one 5 s after this tab's clock.
		store.confirm(KEY, echo({ id: messageId(100), body: 'first', created_at: at(65) }));

		expect(ids(store)).toEqual([messageId(1), messageId(2), messageId(100), messageId(101)]);
		expect(store.thread(KEY)!.messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sending']);
	});
});

describe('ConversationStore: edits and deletes', () => {
	const ORIGINAL = message({ id: messageId(1), body: 'Is it still available?', created_at: at(0) });
	const EDITED = { ...ORIGINAL, body: 'Is it still available? I can pick it up today.', edited_at: at(20) };

	it('an edit arriving before the insert still ends with the edited text, once', () => {
		const store = newStore();
		store.openThread(opened());
		store.applyEvent(messageEvent(EDITED, { type: 'message.updated' }));
		store.applyEvent(messageEvent(ORIGINAL, { type: 'message.created' }));

		const shown = only(store, ORIGINAL.id);
		expect(shown.body).toBe(EDITED.body);
		expect(shown.edited_at).toBe(at(20));
	});

	it('a stale older copy (a page loaded before the edit, a replayed insert) never overwrites a newer edit', () => {
		const store = newStore();
		store.openThread(opened({ messages: [ORIGINAL] }));
		store.applyEvent(messageEvent(EDITED, { type: 'message.updated' }));
		store.prependOlder(KEY, { messages: [ORIGINAL], next: null });
		store.openThread(opened({ messages: [ORIGINAL] }));
		store.applyEvent(messageEvent(ORIGINAL));
		store.applyEvent(messageEvent({ ...ORIGINAL, body: 'first edit', edited_at: at(10) }, { type: 'message.updated' }));

		expect(only(store, ORIGINAL.id).body).toBe(EDITED.body);
	});

	it('a later edit replaces an earlier one', () => {
		const store = newStore();
		store.openThread(opened({ messages: [ORIGINAL] }));
		store.applyEvent(messageEvent(EDITED, { type: 'message.updated' }));
		store.applyEvent(messageEvent({ ...ORIGINAL, body: 'Sold, sorry', edited_at: at(40) }, { type: 'message.updated' }));
		expect(only(store, ORIGINAL.id).body).toBe('Sold, sorry');
	});

	it('a delete event shows the message with an empty body and its deleted_at, and stale copies do not bring the text back', () => {
		const store = newStore();
		store.openThread(opened({ messages: [ORIGINAL] }));
		store.applyEvent(messageEvent(EDITED, { type: 'message.updated' }));
		store.applyEvent(messageEvent({ ...EDITED, body: '', deleted_at: at(50) }, { type: 'message.updated' }));
		expect(only(store, ORIGINAL.id)).toMatchObject({ body: '', deleted_at: at(50) });

		store.applyEvent(messageEvent(EDITED, { type: 'message.updated' }));
		store.openThread(opened({ messages: [ORIGINAL] }));
		expect(only(store, ORIGINAL.id)).toMatchObject({ body: '', deleted_at: at(50) });
	});
});

describe('ConversationStore: read state and unread counts', () => {
	it('a read event updates the thread read state, the preview unread count and the unread total', () => {
		const store = newStore();
		store.setInbox('all', { previews: [preview({ unread_count: 3 })], next: null }, 3);
		store.openThread(opened({ read_state: readState({ unread_count: 3 }) }));
		expect(store.unreadTotal).toBe(3);

		const read = readState({ unread_count: 0, last_read_at: at(30), last_read_message_id: messageId(1) });
		store.applyEvent(readEvent(read, 0));
		expect(store.thread(KEY)!.readState).toMatchObject({ unread_count: 0, last_read_at: at(30) });
		expect(store.previews[0].unread_count).toBe(0);
		expect(store.unreadTotal).toBe(0);
	});

	it("the other member's read position from a read event shows as seen in the thread and the preview", () => {
		const store = newStore();
		store.setInbox('all', { previews: [preview()], next: null }, 0);
		store.openThread(opened());
		store.applyEvent(readEvent(readState({ other_last_read_at: at(30), other_last_read_message_id: messageId(1) })));
		expect(store.thread(KEY)!.readState!.other_last_read_message_id).toBe(messageId(1));
		expect(store.previews[0].other_last_read_at).toBe(at(30));
	});

	it("a message event's preview carries the new unread count into the open thread", () => {
		const store = newStore();
		store.setInbox('all', { previews: [preview({ unread_count: 1 })], next: null }, 1);
		store.openThread(opened({ read_state: readState({ unread_count: 1 }) }));
		store.applyEvent(messageEvent(message({ id: messageId(2), created_at: at(10) }), { preview: { unread_count: 2 }, unreadTotal: 2 }));
		expect(store.thread(KEY)!.readState!.unread_count).toBe(2);
		expect(store.previews[0].unread_count).toBe(2);
		expect(store.unreadTotal).toBe(2);
	});

	it('the badge follows the total each event carries, which leaves out muted and archived conversations', () => {
		const store = newStore();
		store.setInbox(
			'all',
			{
				previews: [
					preview({ conversation_id: conversationId(1), other_user_id: userId(1), unread_count: 2, last_message_at: at(3) }),
					preview({
						conversation_id: conversationId(2),
						other_user_id: userId(2),
						unread_count: 5,
						last_message_at: at(2),
						muted_until: '2099-01-01T00:00:00+00:00'
					}),
					preview({
						conversation_id: conversationId(3),
						other_user_id: userId(3),
						unread_count: 1,
						last_message_at: at(1),
						muted_until: '2020-01-01T00:00:00+00:00' // the mute has ended
					})
				],
				next: null
			},
			3
		);
		expect(store.unreadTotal).toBe(3);

		// Archiving takes its unread out of the total; muting another does too.
		store.applyEvent(conversationUpdated(readState({ conversation_id: conversationId(1), unread_count: 2, archived: true }), null, 1));
		expect(store.unreadTotal).toBe(1);
		store.applyEvent(
			conversationUpdated(readState({ conversation_id: conversationId(3), unread_count: 1, muted_until: '2099-01-01T00:00:00+00:00' }), null, 0)
		);
		expect(store.unreadTotal).toBe(0);
		// Unmuting puts it back.
		store.applyEvent(conversationUpdated(readState({ conversation_id: conversationId(2), unread_count: 5 }), null, 5));
		expect(store.unreadTotal).toBe(5);
		// An event without a total leaves the badge as it was.
		store.applyEvent(readEvent(readState({ conversation_id: conversationId(2), unread_count: 5 })));
		expect(store.unreadTotal).toBe(5);
	});

	it("the server's unread total keeps counting conversations beyond the loaded inbox page", () => {
		const store = newStore();
		// 5 unread in all; the first page shows only one conversation with 1 of them.
		store.setInbox('all', { previews: [preview({ unread_count: 1 })], next: { at: at(0), id: CONVERSATION } }, 5);
		expect(store.unreadTotal).toBe(5);
	});

	it('a new message in a conversation the store has not loaded updates the badge to the total it carries', () => {
		// The header badge on a product page: no inbox loaded, 5 unread elsewhere.
		const store = newStore({ unreadTotal: 5 });
		expect(store.unreadTotal).toBe(5);
		store.applyEvent(
			messageEvent(message({ id: messageId(9), conversation_id: conversationId(9), created_at: at(10) }), {
				preview: { conversation_id: conversationId(9), other_user_id: BOB, unread_count: 1 },
				unreadTotal: 6
			})
		);
		expect(store.unreadTotal).toBe(6);
	});
});

describe('ConversationStore: inbox previews', () => {
	function inbox(store: ConversationStore) {
		store.setInbox(
			'all',
			{
				previews: [
					preview({ conversation_id: conversationId(1), other_user_id: userId(1), last_message_at: at(30) }),
					preview({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20) }),
					preview({ conversation_id: conversationId(3), other_user_id: userId(3), last_message_at: at(10) })
				],
				next: null
			},
			0
		);
	}
	const order = (store: ConversationStore) => store.previews.map((p) => p.conversation_id);

	it('previews re-sort live by last_message_at, newest activity first', () => {
		const store = newStore();
		inbox(store);
		expect(order(store)).toEqual([1, 2, 3].map(conversationId));

		store.applyEvent(
			messageEvent(message({ id: messageId(3), conversation_id: conversationId(3), created_at: at(40) }), {
				preview: { conversation_id: conversationId(3), other_user_id: userId(3), unread_count: 1 }
			})
		);
		expect(order(store)).toEqual([3, 1, 2].map(conversationId));
		expect(store.previews[0]).toMatchObject({ last_message_at: at(40), last_message_preview: 'Is it still available?', unread_count: 1 });

		// Microseconds decide too.
		store.applyEvent(
			messageEvent(message({ id: messageId(2), conversation_id: conversationId(2), created_at: at(40, 2) }), {
				preview: { conversation_id: conversationId(2), other_user_id: userId(2) }
			})
		);
		expect(order(store)).toEqual([2, 3, 1].map(conversationId));
	});

	it("a new conversation's first message event puts its preview at the top", () => {
		const store = newStore();
		inbox(store);
		const first = message({ id: messageId(9), conversation_id: conversationId(9), sender_id: BOB, created_at: at(45) });
		store.applyEvent(messageEvent(first, { preview: { conversation_id: conversationId(9), other_user_id: BOB, product_id: null, unread_count: 1 } }));

		expect(order(store)).toEqual([9, 1, 2, 3].map(conversationId));
		expect(store.previews[0].key).toBe(`${BOB}__general`);
		expect(store.keyOf(conversationId(9))).toBe(`${BOB}__general`);
	});

	it('an older preview row from a late page changes neither the newer preview nor the unread total', () => {
		const store = newStore();
		store.setInbox('all', { previews: [preview({ unread_count: 1, last_message_at: at(0) })], next: { at: at(0), id: CONVERSATION } }, 1);
		store.applyEvent(messageEvent(message({ id: messageId(2), created_at: at(30) }), { preview: { unread_count: 2 }, unreadTotal: 2 }));
		expect(store.unreadTotal).toBe(2);

		// A page requested before that message, answered after it.
		store.appendInbox({ previews: [preview({ unread_count: 1, last_message_at: at(0) })], next: null });
		expect(store.previews).toHaveLength(1);
		expect(store.previews[0]).toMatchObject({ last_message_at: at(30), unread_count: 2 });
		expect(store.unreadTotal).toBe(2);
	});

	it("an archived conversation leaves the 'all' filter, and unarchiving brings it back in order", () => {
		const store = newStore();
		inbox(store);
		const archived = readState({ conversation_id: conversationId(2), archived: true });
		store.applyEvent(
			conversationUpdated(archived, previewRow({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20), archived: true }))
		);
		expect(order(store)).toEqual([1, 3].map(conversationId));

		const back = readState({ conversation_id: conversationId(2), archived: false });
		store.applyEvent(
			conversationUpdated(back, previewRow({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20), archived: false }))
		);
		expect(order(store)).toEqual([1, 2, 3].map(conversationId));
	});

	it("the 'archived' filter shows archived conversations only", () => {
		const store = newStore();
		store.setInbox('archived', { previews: [preview({ archived: true })], next: null }, 0);
		expect(store.previews).toHaveLength(1);
		store.applyEvent(conversationUpdated(readState({ archived: false }), previewRow({ archived: false })));
		expect(store.previews).toHaveLength(0);
	});

	it("the 'unread' filter drops a conversation once it has been read", () => {
		const store = newStore();
		store.setInbox('unread', { previews: [preview({ unread_count: 2 })], next: null }, 2);
		expect(store.previews).toHaveLength(1);
		store.applyEvent(readEvent(readState({ unread_count: 0 }), 0));
		expect(store.previews).toHaveLength(0);
		expect(store.unreadTotal).toBe(0);
	});
});

describe('ConversationStore: conversation keys', () => {
	it('previews and threads are keyed otherUserId__productId, or otherUserId__general without a product', () => {
		const store = newStore();
		const general = conversationId(2);
		store.setInbox(
			'all',
			{
				previews: [
					preview({ conversation_id: CONVERSATION, other_user_id: ALICE, product_id: PRODUCT, last_message_at: at(2) }),
					preview({ conversation_id: general, other_user_id: ALICE, product_id: null, product_title: null, last_message_at: at(1) })
				],
				next: null
			},
			0
		);
		expect(store.previews.map((p) => p.key)).toEqual([`${ALICE}__${PRODUCT}`, `${ALICE}__general`]);
		expect(store.keyOf(CONVERSATION)).toBe(`${ALICE}__${PRODUCT}`);
		expect(store.keyOf(general)).toBe(`${ALICE}__general`);

		// An event for the general conversation lands in the thread opened under that key, not the product's.
		store.openThread(opened({ key: `${ALICE}__${PRODUCT}` }));
		store.openThread(opened({ key: `${ALICE}__general`, conversation_id: general, product: null }));
		store.applyEvent(
			messageEvent(message({ id: messageId(5), conversation_id: general, product_id: null, created_at: at(5) }), {
				preview: { conversation_id: general, product_id: null, product_title: null }
			})
		);
		expect(ids(store, `${ALICE}__general`)).toEqual([messageId(5)]);
		expect(ids(store, `${ALICE}__${PRODUCT}`)).toEqual([]);
	});
});

describe('ConversationStore: bounded memory', () => {
	function openMany(store: ConversationStore, count: number) {
		for (let i = 1; i <= count; i++) {
			store.openThread(
				opened({
					key: formatConversationKey({ otherUserId: userId(i), productId: null }),
					conversation_id: conversationId(i),
					product: null,
					messages: [message({ id: messageId(i), conversation_id: conversationId(i), created_at: at(i % 60) })]
				})
			);
		}
	}
	const keyFor = (i: number) => formatConversationKey({ otherUserId: userId(i), productId: null });

	it('opening 30 threads with maxThreads 20 keeps only the 20 most recently opened', () => {
		const store = newStore({ maxThreads: 20 });
		openMany(store, 30);
		expect(Object.keys(store.threads)).toHaveLength(20);
		for (let i = 1; i <= 10; i++) expect(store.thread(keyFor(i))).toBeUndefined();
		for (let i = 11; i <= 30; i++) expect(store.thread(keyFor(i))).toBeDefined();

		// An event for a dropped thread does not bring it back.
		store.applyEvent(
			messageEvent(message({ id: messageId(99), conversation_id: conversationId(1), created_at: at(59) }), {
				preview: { conversation_id: conversationId(1), other_user_id: userId(1), product_id: null }
			})
		);
		expect(store.thread(keyFor(1))).toBeUndefined();
		expect(Object.keys(store.threads)).toHaveLength(20);
	});

	it('reopening a thread makes it recent again, so trimming drops the least recently opened instead', () => {
		const store = newStore({ maxThreads: 3 });
		openMany(store, 3);
		store.openThread(opened({ key: keyFor(1), conversation_id: conversationId(1), product: null }));
		store.openThread(opened({ key: keyFor(4), conversation_id: conversationId(4), product: null }));
		expect(Object.keys(store.threads).sort()).toEqual([keyFor(1), keyFor(3), keyFor(4)].sort());
		// The reopened thread kept the message it already had.
		expect(ids(store, keyFor(1))).toEqual([messageId(1)]);
	});
});

describe('ConversationStore: blocks', () => {
	const blockEvent = (payload: { other_user_id: string; by_me: boolean; blocked: boolean }) =>
		MessagingEvent.parse({ type: 'block.updated', id: ++eventId, conversation_id: null, created_at: at(59), payload });

	it('a block event closes and reopens the composer of every thread with that user, and no other', () => {
		const store = newStore();
		store.openThread(opened());
		const general = { ...opened({ conversation_id: conversationId(7), product: null }), key: formatConversationKey({ otherUserId: ALICE, productId: null }) };
		store.openThread(general);
		const withBob = {
			...opened({ conversation_id: conversationId(8), other_user: { ...alice, id: BOB, username: 'bob' } }),
			key: formatConversationKey({ otherUserId: BOB, productId: PRODUCT })
		};
		store.openThread(withBob);

		store.applyEvent(blockEvent({ other_user_id: ALICE, by_me: false, blocked: true }));
		expect([store.thread(KEY)!.blockedMe, store.thread(general.key)!.blockedMe, store.thread(withBob.key)!.blockedMe]).toEqual([true, true, false]);

		store.applyEvent(blockEvent({ other_user_id: ALICE, by_me: false, blocked: false }));
		expect(store.thread(KEY)!.blockedMe).toBe(false);

		store.applyEvent(blockEvent({ other_user_id: BOB, by_me: true, blocked: true }));
		expect(store.thread(withBob.key)!).toMatchObject({ blockedByMe: true, blockedMe: false });
	});
});
