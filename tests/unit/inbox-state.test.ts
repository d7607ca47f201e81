import { describe, expect, it } from 'vitest';
import { messagingState, type MessagingState } from '../support/messaging-state.ts';
import {
	ALICE,
	BOB,
	CONVERSATION,
	ME,
	PRODUCT,
	at,
	conversationId,
	conversationUpdatedEvent,
	message,
	messageEvent,
	messageId,
	preview,
	previewRow,
	readEvent,
	readState,
	userId
} from '../support/rows.ts';

/**
 * The inbox's previews for one filter: newest activity first, live rows merged by conversation,
 * a late page never replacing a newer row, and rows leaving and joining the filter as their
 * read state changes.
 */

function threeConversations(state: MessagingState) {
	state.inbox.set(
		'all',
		{
			previews: [
				preview({ conversation_id: conversationId(1), other_user_id: userId(1), last_message_at: at(30) }),
				preview({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20) }),
				preview({ conversation_id: conversationId(3), other_user_id: userId(3), last_message_at: at(10) })
			],
			next: null
		},
		{ unreadTotal: 0 }
	);
}
const order = (state: MessagingState) => state.inbox.previews.map((p) => p.conversation_id);

describe('InboxState: previews', () => {
	it('previews re-sort live by last_message_at, newest activity first', () => {
		const state = messagingState();
		threeConversations(state);
		expect(order(state)).toEqual([1, 2, 3].map(conversationId));

		state.apply(
			messageEvent(message({ id: messageId(3), conversation_id: conversationId(3), created_at: at(40) }), {
				preview: { conversation_id: conversationId(3), other_user_id: userId(3), unread_count: 1 }
			})
		);
		expect(order(state)).toEqual([3, 1, 2].map(conversationId));
		expect(state.inbox.previews[0]).toMatchObject({ last_message_at: at(40), last_message_preview: 'Is it still available?', unread_count: 1 });

		// Microseconds decide too.
		state.apply(
			messageEvent(message({ id: messageId(2), conversation_id: conversationId(2), created_at: at(40, 2) }), {
				preview: { conversation_id: conversationId(2), other_user_id: userId(2) }
			})
		);
		expect(order(state)).toEqual([2, 3, 1].map(conversationId));
	});

	it("a new conversation's first message event puts its preview at the top", () => {
		const state = messagingState();
		threeConversations(state);
		const first = message({ id: messageId(9), conversation_id: conversationId(9), sender_id: BOB, created_at: at(45) });
		state.apply(messageEvent(first, { preview: { conversation_id: conversationId(9), other_user_id: BOB, product_id: null, unread_count: 1 } }));

		expect(order(state)).toEqual([9, 1, 2, 3].map(conversationId));
		expect(state.inbox.previews[0].key).toBe(`${BOB}__general`);
	});

	it('a live row older than the loaded page waits for paging when more pages follow', () => {
		const state = messagingState();
		state.inbox.set('all', { previews: [preview({ last_message_at: at(30) })], next: { at: at(30), id: CONVERSATION } }, { unreadTotal: 0 });
		state.apply(
			messageEvent(message({ id: messageId(9), conversation_id: conversationId(9), created_at: at(10) }), {
				preview: { conversation_id: conversationId(9), other_user_id: BOB }
			})
		);
		expect(order(state)).toEqual([CONVERSATION]);

		// With everything loaded, there is no page to wait for.
		state.inbox.append({ previews: [], next: null });
		state.apply(
			messageEvent(message({ id: messageId(9), conversation_id: conversationId(9), created_at: at(10) }), {
				preview: { conversation_id: conversationId(9), other_user_id: BOB }
			})
		);
		expect(order(state)).toEqual([CONVERSATION, conversationId(9)]);
	});

	it('an older preview row from a late page changes neither the newer preview nor the unread total', () => {
		const state = messagingState();
		state.inbox.set('all', { previews: [preview({ unread_count: 1, last_message_at: at(0) })], next: { at: at(0), id: CONVERSATION } }, { unreadTotal: 1 });
		state.apply(messageEvent(message({ id: messageId(2), created_at: at(30) }), { preview: { unread_count: 2 }, unreadTotal: 2 }));
		expect(state.inbox.unreadTotal).toBe(2);

		// A page requested before that message, answered after it.
		state.inbox.append({ previews: [preview({ unread_count: 1, last_message_at: at(0) })], next: null });
		expect(state.inbox.previews).toHaveLength(1);
		expect(state.inbox.previews[0]).toMatchObject({ last_message_at: at(30), unread_count: 2 });
		expect(state.inbox.unreadTotal).toBe(2);
		expect(state.inbox.next).toBeNull();
	});

	it("an archived conversation leaves the 'all' filter, and unarchiving brings it back in order", () => {
		const state = messagingState();
		threeConversations(state);
		const archived = readState({ conversation_id: conversationId(2), archived: true });
		state.apply(
			conversationUpdatedEvent(
				archived,
				previewRow({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20), archived: true })
			)
		);
		expect(order(state)).toEqual([1, 3].map(conversationId));

		const back = readState({ conversation_id: conversationId(2), archived: false });
		state.apply(
			conversationUpdatedEvent(back, previewRow({ conversation_id: conversationId(2), other_user_id: userId(2), last_message_at: at(20), archived: false }))
		);
		expect(order(state)).toEqual([1, 2, 3].map(conversationId));
	});

	it("the 'archived' filter shows archived conversations only", () => {
		const state = messagingState();
		state.inbox.set('archived', { previews: [preview({ archived: true })], next: null }, { unreadTotal: 0 });
		expect(state.inbox.filter).toBe('archived');
		expect(state.inbox.previews).toHaveLength(1);
		state.apply(conversationUpdatedEvent(readState({ archived: false }), previewRow({ archived: false })));
		expect(state.inbox.previews).toHaveLength(0);
	});

	it("the 'unread' filter drops a conversation once it has been read", () => {
		const state = messagingState();
		state.inbox.set('unread', { previews: [preview({ unread_count: 2 })], next: null }, { unreadTotal: 2 });
		expect(state.inbox.previews).toHaveLength(1);
		state.apply(readEvent(readState({ unread_count: 0 }), { unreadTotal: 0 }));
		expect(state.inbox.previews).toHaveLength(0);
		expect(state.inbox.unreadTotal).toBe(0);
	});

	it("the conversation being read stays listed under 'unread' and 'needs_reply' until the next page load", () => {
		const state = messagingState();
		const others = preview({ conversation_id: conversationId(2), other_user_id: userId(2), unread_count: 1, last_message_at: at(5) });
		state.inbox.set('unread', { previews: [preview({ unread_count: 2, last_message_at: at(30) }), others], next: null }, { unreadTotal: 3, open: CONVERSATION });
		state.apply(readEvent(readState({ unread_count: 0 }), { unreadTotal: 1 }));
		expect(state.inbox.previews.map((p) => [p.conversation_id, p.unread_count])).toEqual([
			[CONVERSATION, 0],
			[conversationId(2), 1]
		]);
		// Another conversation read meanwhile (another tab) leaves; so does the open one, archived.
		state.apply(readEvent(readState({ conversation_id: conversationId(2), unread_count: 0 }), { unreadTotal: 0 }));
		expect(state.inbox.previews.map((p) => p.conversation_id)).toEqual([CONVERSATION]);
		state.apply(conversationUpdatedEvent(readState({ unread_count: 0, archived: true }), previewRow({ unread_count: 0, archived: true })));
		expect(state.inbox.previews).toEqual([]);

		// Answered, it stays under 'needs_reply' while open; the next load, with nothing open, lists it as it is.
		state.inbox.set('needs_reply', { previews: [preview({ needs_reply: true })], next: null }, { unreadTotal: 0, open: CONVERSATION });
		state.apply(messageEvent(message({ id: messageId(100), sender_id: ME, created_at: at(100) }), { preview: { needs_reply: false } }));
		expect(state.inbox.previews.map((p) => [p.conversation_id, p.needs_reply])).toEqual([[CONVERSATION, false]]);
		state.inbox.set('needs_reply', { previews: [preview({ needs_reply: false })], next: null }, { unreadTotal: 0 });
		state.apply(messageEvent(message({ id: messageId(101), sender_id: ME, created_at: at(101) }), { preview: { needs_reply: false } }));
		expect(state.inbox.previews).toEqual([]);
	});

	it('a fresh first page replaces the previews of the filter shown before', () => {
		const state = messagingState();
		threeConversations(state);
		state.inbox.set('unread', { previews: [preview({ unread_count: 1 })], next: null });
		expect(order(state)).toEqual([CONVERSATION]);
		expect(state.inbox.filter).toBe('unread');
	});
});

describe('InboxState: conversation keys', () => {
	it('previews are keyed otherUserId__productId, or otherUserId__general without a product', () => {
		const state = messagingState();
		const general = conversationId(2);
		state.inbox.set(
			'all',
			{
				previews: [
					preview({ conversation_id: CONVERSATION, other_user_id: ALICE, product_id: PRODUCT, last_message_at: at(2) }),
					preview({ conversation_id: general, other_user_id: ALICE, product_id: null, product_title: null, last_message_at: at(1) })
				],
				next: null
			},
			{ unreadTotal: 0 }
		);
		expect(state.inbox.previews.map((p) => p.key)).toEqual([`${ALICE}__${PRODUCT}`, `${ALICE}__general`]);
	});

	it('upsert answers the key of a row that comes without one', () => {
		const state = messagingState();
		expect(state.inbox.upsert(previewRow({ other_user_id: BOB, product_id: null }), true)).toBe(`${BOB}__general`);
		expect(state.inbox.upsert(previewRow({ conversation_id: conversationId(2) }), true)).toBe(`${ALICE}__${PRODUCT}`);
	});
});

describe('InboxState: the unread badge', () => {
	it("the server's unread total keeps counting conversations beyond the loaded inbox page", () => {
		const state = messagingState();
		// 5 unread in all; the first page shows only one conversation with 1 of them.
		state.inbox.set('all', { previews: [preview({ unread_count: 1 })], next: { at: at(0), id: CONVERSATION } }, { unreadTotal: 5 });
		expect(state.inbox.unreadTotal).toBe(5);
	});

	it('a page loaded without a total leaves the badge as it was', () => {
		const state = messagingState({ unreadTotal: 4 });
		state.inbox.set('all', { previews: [preview({ unread_count: 1 })], next: null });
		expect(state.inbox.unreadTotal).toBe(4);
	});

	it('a figure read at an older event than the one shown never replaces it; a newer or equal one does', () => {
		const state = messagingState();
		// An event (id 120) says 1; a page whose data was read at cursor 100 says 0 afterwards.
		state.inbox.setUnreadTotal(1, 120);
		state.inbox.setUnreadTotal(0, 100);
		expect(state.inbox.unreadTotal).toBe(1);
		state.inbox.setUnreadTotal(2, 120);
		expect(state.inbox.unreadTotal).toBe(2);
		state.inbox.setUnreadTotal(0, 130);
		expect(state.inbox.unreadTotal).toBe(0);
	});
});

describe('InboxState: triage filters', () => {
	const OTHER_PRODUCT = 'a0000000-0000-4000-8000-000000000002';

	it("'needs_reply': answering takes a conversation out live, and a new message from the other member puts it back", () => {
		const state = messagingState();
		state.inbox.set('needs_reply', { previews: [preview({ needs_reply: true, last_message_at: at(10) })], next: null }, { unreadTotal: 1 });
		expect(order(state)).toEqual([CONVERSATION]);

		// My answer: its event's preview says nothing waits for me any more.
		const answer = message({ id: messageId(2), sender_id: ME, created_at: at(20) });
		state.apply(messageEvent(answer, { preview: { needs_reply: false } }));
		expect(order(state)).toEqual([]);

		// Alice writes again.
		const again = message({ id: messageId(3), sender_id: ALICE, created_at: at(30) });
		state.apply(messageEvent(again, { preview: { needs_reply: true, unread_count: 1 } }));
		expect(order(state)).toEqual([CONVERSATION]);
		expect(state.inbox.previews[0]).toMatchObject({ last_message_at: at(30), needs_reply: true });
	});

	it("'needs_reply': reading a conversation does not answer it, and an archived one is not listed", () => {
		const state = messagingState();
		state.inbox.set('needs_reply', { previews: [preview({ needs_reply: true, unread_count: 1 })], next: null }, { unreadTotal: 1 });
		state.apply(readEvent(readState({ unread_count: 0 }), { unreadTotal: 0 }));
		expect(order(state)).toEqual([CONVERSATION]);
		state.apply(conversationUpdatedEvent(readState({ archived: true }), previewRow({ needs_reply: true, archived: true })));
		expect(order(state)).toEqual([]);
	});

	it("'listing' lists only conversations about its product, archived ones included, and takes new ones live", () => {
		const state = messagingState();
		state.inbox.set('listing', { previews: [preview({ last_message_at: at(10) })], next: null }, { unreadTotal: 0, productId: PRODUCT });
		expect(state.inbox.productId).toBe(PRODUCT);

		// Another listing's conversation stays out; a new conversation about this one comes in.
		state.apply(
			messageEvent(message({ id: messageId(5), conversation_id: conversationId(5), product_id: OTHER_PRODUCT, created_at: at(20) }), {
				preview: { conversation_id: conversationId(5), other_user_id: BOB, product_id: OTHER_PRODUCT }
			})
		);
		state.apply(
			messageEvent(message({ id: messageId(6), conversation_id: conversationId(6), created_at: at(30) }), {
				preview: { conversation_id: conversationId(6), other_user_id: BOB }
			})
		);
		expect(order(state)).toEqual([conversationId(6), CONVERSATION]);

		// Archiving keeps it here.
		state.apply(conversationUpdatedEvent(readState({ archived: true }), previewRow({ archived: true, last_message_at: at(10) })));
		expect(order(state)).toEqual([conversationId(6), CONVERSATION]);
	});

	it('only the listing filter keeps a product: another filter forgets it', () => {
		const state = messagingState();
		state.inbox.set('listing', { previews: [], next: null }, { unreadTotal: 0, productId: PRODUCT });
		state.inbox.set('all', { previews: [], next: null }, { unreadTotal: 0, productId: PRODUCT });
		expect(state.inbox.productId).toBeNull();
	});
});
