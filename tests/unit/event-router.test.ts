import { describe, expect, it } from 'vitest';
import { formatConversationKey } from '../../src/lib/messaging/conversation-key.ts';
import { idsOf, messagingState, threadOf } from '../support/messaging-state.ts';
import {
	ALICE,
	BOB,
	CONVERSATION,
	KEY,
	PRODUCT,
	alice,
	at,
	blockEvent,
	conversationId,
	conversationUpdatedEvent,
	message,
	messageEvent,
	messageId,
	openedConversation,
	preview,
	previewRow,
	readEvent,
	readState,
	userId
} from '../support/rows.ts';

/**
 * Events of the user's log, routed to the inbox and the kept threads: read positions, counts
 * and the badge follow them, each event lands in the thread of its own conversation, and a
 * block reaches every thread with that user.
 */

describe('routeEvent: read state and unread counts', () => {
	it('a read event updates the thread read state, the preview unread count and the unread total', () => {
		const state = messagingState();
		state.inbox.set('all', { previews: [preview({ unread_count: 3 })], next: null }, { unreadTotal: 3 });
		state.threads.open(openedConversation({ read_state: readState({ unread_count: 3 }) }));
		expect(state.inbox.unreadTotal).toBe(3);

		const read = readState({ unread_count: 0, last_read_at: at(30), last_read_message_id: messageId(1) });
		state.apply(readEvent(read, { unreadTotal: 0 }));
		expect(threadOf(state).readState).toMatchObject({ unread_count: 0, last_read_at: at(30) });
		expect(state.inbox.previews[0].unread_count).toBe(0);
		expect(state.inbox.unreadTotal).toBe(0);
	});

	it("the other member's read position from a read event shows as seen in the thread and the preview", () => {
		const state = messagingState();
		state.inbox.set('all', { previews: [preview()], next: null }, { unreadTotal: 0 });
		state.threads.open(openedConversation());
		state.apply(readEvent(readState({ other_last_read_at: at(30), other_last_read_message_id: messageId(1) })));
		expect(threadOf(state).readState!.other_last_read_message_id).toBe(messageId(1));
		expect(state.inbox.previews[0].other_last_read_at).toBe(at(30));
	});

	it('a conversation.updated event (archive, mute) updates the read state of the open thread', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		state.apply(conversationUpdatedEvent(readState({ archived: true, muted_until: 'infinity' }), null));
		expect(threadOf(state).readState).toMatchObject({ archived: true, muted_until: 'infinity' });
	});

	it("a message event's preview carries the new unread count into the open thread", () => {
		const state = messagingState();
		state.inbox.set('all', { previews: [preview({ unread_count: 1 })], next: null }, { unreadTotal: 1 });
		state.threads.open(openedConversation({ read_state: readState({ unread_count: 1 }) }));
		state.apply(messageEvent(message({ id: messageId(2), created_at: at(10) }), { preview: { unread_count: 2 }, unreadTotal: 2 }));
		expect(threadOf(state).readState!.unread_count).toBe(2);
		expect(state.inbox.previews[0].unread_count).toBe(2);
		expect(state.inbox.unreadTotal).toBe(2);
	});

	it('the badge follows the total each event carries, which leaves out muted and archived conversations', () => {
		const state = messagingState();
		state.inbox.set(
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
			{ unreadTotal: 3 }
		);
		expect(state.inbox.unreadTotal).toBe(3);

		// Archiving takes its unread out of the total; muting another does too.
		state.apply(conversationUpdatedEvent(readState({ conversation_id: conversationId(1), unread_count: 2, archived: true }), null, { unreadTotal: 1 }));
		expect(state.inbox.unreadTotal).toBe(1);
		state.apply(
			conversationUpdatedEvent(readState({ conversation_id: conversationId(3), unread_count: 1, muted_until: '2099-01-01T00:00:00+00:00' }), null, {
				unreadTotal: 0
			})
		);
		expect(state.inbox.unreadTotal).toBe(0);
		// Unmuting puts it back.
		state.apply(conversationUpdatedEvent(readState({ conversation_id: conversationId(2), unread_count: 5 }), null, { unreadTotal: 5 }));
		expect(state.inbox.unreadTotal).toBe(5);
		// An event without a total leaves the badge as it was.
		state.apply(readEvent(readState({ conversation_id: conversationId(2), unread_count: 5 })));
		expect(state.inbox.unreadTotal).toBe(5);
		// A block event carries the total too.
		state.apply(blockEvent({ other_user_id: BOB, by_me: true, blocked: true, unread_total: 4 }));
		expect(state.inbox.unreadTotal).toBe(4);
	});

	it('a new message in a conversation the store has not loaded updates the badge to the total it carries', () => {
		// The header badge on a product page: no inbox loaded, 5 unread elsewhere.
		const state = messagingState({ unreadTotal: 5 });
		expect(state.inbox.unreadTotal).toBe(5);
		state.apply(
			messageEvent(message({ id: messageId(9), conversation_id: conversationId(9), created_at: at(10) }), {
				preview: { conversation_id: conversationId(9), other_user_id: BOB, unread_count: 1 },
				unreadTotal: 6
			})
		);
		expect(state.inbox.unreadTotal).toBe(6);
	});
});

describe('routeEvent: conversation keys', () => {
	it('an event for the general conversation lands in the thread opened under that key, not the product one', () => {
		const state = messagingState();
		const general = conversationId(2);
		state.threads.open(openedConversation({ key: `${ALICE}__${PRODUCT}` }));
		state.threads.open(openedConversation({ key: `${ALICE}__general`, conversation_id: general, product: null }));
		expect(state.threads.byConversation(CONVERSATION)?.key).toBe(`${ALICE}__${PRODUCT}`);
		expect(state.threads.byConversation(general)?.key).toBe(`${ALICE}__general`);

		state.apply(
			messageEvent(message({ id: messageId(5), conversation_id: general, product_id: null, created_at: at(5) }), {
				preview: { conversation_id: general, product_id: null, product_title: null }
			})
		);
		expect(idsOf(state, `${ALICE}__general`)).toEqual([messageId(5)]);
		expect(idsOf(state, `${ALICE}__${PRODUCT}`)).toEqual([]);
	});

	it("a new conversation's first message reaches the thread opened under its key before the conversation existed", () => {
		const state = messagingState();
		const key = `${BOB}__general`;
		state.threads.open(openedConversation({ key, conversation_id: null, other_user: { ...alice, id: BOB, username: 'bob' }, product: null, read_state: null }));
		const first = message({ id: messageId(9), conversation_id: conversationId(9), sender_id: BOB, product_id: null, created_at: at(45) });
		state.apply(messageEvent(first, { preview: { conversation_id: conversationId(9), other_user_id: BOB, product_id: null, unread_count: 1 } }));

		expect(state.inbox.previews[0].key).toBe(key);
		expect(idsOf(state, key)).toEqual([messageId(9)]);
		expect(state.threads.byConversation(conversationId(9))?.key).toBe(key);
	});

	it('an event without a preview finds the thread by its conversation, and one for a conversation with no kept thread changes no thread', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		state.apply(messageEvent(message({ id: messageId(2), created_at: at(2) }), { preview: null }));
		state.apply(messageEvent(message({ id: messageId(3), conversation_id: conversationId(3), created_at: at(3) }), { preview: null }));
		expect(idsOf(state)).toEqual([messageId(2)]);
		expect(state.threads.size).toBe(1);
	});
});

describe('routeEvent: blocks', () => {
	it('a block event closes and reopens the composer of every thread with that user, and no other', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		const general = openedConversation({
			key: formatConversationKey({ otherUserId: ALICE, productId: null }),
			conversation_id: conversationId(7),
			product: null
		});
		state.threads.open(general);
		const withBob = openedConversation({
			key: formatConversationKey({ otherUserId: BOB, productId: PRODUCT }),
			conversation_id: conversationId(8),
			other_user: { ...alice, id: BOB, username: 'bob' }
		});
		state.threads.open(withBob);
		const blockedMe = () => [KEY, general.key, withBob.key].map((key) => threadOf(state, key).blockedMe);

		state.apply(blockEvent({ other_user_id: ALICE, by_me: false, blocked: true }));
		expect(blockedMe()).toEqual([true, true, false]);

		state.apply(blockEvent({ other_user_id: ALICE, by_me: false, blocked: false }));
		expect(threadOf(state).blockedMe).toBe(false);

		state.apply(blockEvent({ other_user_id: BOB, by_me: true, blocked: true }));
		const bob = threadOf(state, withBob.key);
		expect([bob.blockedByMe, bob.blockedMe]).toEqual([true, false]);
		expect(threadOf(state).blockedByMe).toBe(false);
	});

	it("a preview saying the other member deleted their account closes that thread at once, with the erased name; other threads stay open", () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		const withBob = openedConversation({
			key: formatConversationKey({ otherUserId: BOB, productId: PRODUCT }),
			conversation_id: conversationId(8),
			other_user: { ...alice, id: BOB, username: 'bob' }
		});
		state.threads.open(withBob);
		expect(threadOf(state).closed).toBe(false);

		const erased = previewRow({ other_deleted: true, other_display_name: 'Deleted user', other_username: 'deleted_0123', other_avatar_url: null });
		state.apply(conversationUpdatedEvent(readState(), erased));
		expect(threadOf(state).otherUser).toMatchObject({ id: ALICE, display_name: 'Deleted user', username: 'deleted_0123', deleted: true });
		expect(threadOf(state).closed).toBe(true);
		expect(threadOf(state, withBob.key).closed).toBe(false);
		// A message event's preview says the same: the thread stays closed.
		state.apply(messageEvent(message({ id: messageId(9) }), { preview: { other_deleted: true, other_display_name: 'Deleted user' } }));
		expect(threadOf(state).closed).toBe(true);
	});
});
