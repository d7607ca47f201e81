import { describe, expect, it } from 'vitest';
import type { Message, Offer } from '../../src/lib/messaging/schemas/index.ts';
import { messagingState, onlyCopy, threadOf } from '../support/messaging-state.ts';
import {
	ALICE,
	CONVERSATION,
	ME,
	PRODUCT,
	at,
	conversationUpdatedEvent,
	me,
	message,
	messageEvent,
	messageId,
	openedConversation,
	previewRow,
	product,
	readState
} from '../support/rows.ts';

/**
 * Offers and the listing's status in an open thread: a card changed by the other member or by
 * the server replaces the shown one, and the status badge follows every event that carries a
 * newer status, whichever conversation about the listing it came from.
 */

const OFFER_ID = 'e0000000-0000-4000-8000-000000000001';
const CARD_ID = messageId(50);

function card(offer: Partial<Offer> = {}): Message {
	return message({
		id: CARD_ID,
		kind: 'offer',
		sender_id: ME,
		sender_username: 'me',
		sender_display_name: 'Me',
		body: 'Me offered €40.00',
		created_at: at(5),
		payload: { offer_id: OFFER_ID, amount_cents: 4000, currency: 'EUR' },
		offer: {
			id: OFFER_ID,
			amount_cents: 4000,
			currency: 'EUR',
			status: 'open',
			awaiting: 'seller',
			buyer_id: ME,
			seller_id: ALICE,
			current: true,
			...offer
		}
	});
}

describe('ThreadState: offer cards', () => {
	it('the card a form answered with shows at once; its updated copy from an event replaces it', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation(), { cursor: 10 });
		thread.confirm(card());
		expect(onlyCopy(state, CARD_ID).offer?.status).toBe('open');

		state.apply(messageEvent(card({ status: 'accepted', awaiting: null }), { type: 'message.updated', id: 11, preview: { product_status: 'reserved' } }));
		expect(onlyCopy(state, CARD_ID).offer).toMatchObject({ status: 'accepted', awaiting: null });
		expect(threadOf(state).product?.status).toBe('reserved');
	});

	it('a page read before the update does not bring the open offer back', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [card()] }), { cursor: 10 });
		state.apply(messageEvent(card({ status: 'declined', awaiting: null }), { type: 'message.updated', id: 12 }));
		state.threads.open(openedConversation({ messages: [card()] }), { cursor: 11 });
		expect(onlyCopy(state, CARD_ID).offer?.status).toBe('declined');
	});

	it('cards and system messages take no reactions', () => {
		const state = messagingState();
		const notice = message({ id: messageId(51), kind: 'system', body: 'Reserved for another buyer', payload: { event: 'listing.reserved_elsewhere', actor_id: ALICE } });
		const thread = state.threads.open(openedConversation({ messages: [card(), notice] }));
		expect(thread.react(CARD_ID, '👍', ME)).toBeNull();
		expect(thread.react(notice.id, '👍', ME)).toBeNull();
	});

	it('a message being sent is plain text, without payload or offer', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.addPending({ id: messageId(60), body: 'Would you take 40?' }, me);
		expect(onlyCopy(state, messageId(60))).toMatchObject({ kind: 'text', payload: null, offer: null, status: 'sending' });
	});
});

describe('ThreadState: the listing status', () => {
	it('follows the status a message event’s preview carries, live', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		const notice = message({ id: messageId(70), kind: 'system', body: 'Reserved for another buyer', created_at: at(9) });
		state.apply(messageEvent(notice, { preview: { product_status: 'reserved' } }));
		// An event says the listing is reserved, not whom for: what the thread knew of that goes.
		expect(threadOf(state).product).toEqual({ ...product, status: 'reserved', reserved_for: null });

		state.apply(messageEvent(message({ id: messageId(71), kind: 'system', body: 'Sold to another buyer', created_at: at(10) }), { preview: { product_status: 'sold' } }));
		expect(threadOf(state).product?.status).toBe('sold');

		state.apply(messageEvent(message({ id: messageId(72), kind: 'system', body: 'Available again', created_at: at(11) }), { preview: { product_status: 'active' } }));
		expect(threadOf(state).product?.status).toBe('active');
	});

	it('follows a conversation.updated preview too', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		state.apply(conversationUpdatedEvent(readState({ archived: true }), previewRow({ product_status: 'sold' })));
		expect(threadOf(state).product?.status).toBe('sold');
	});

	it('ignores previews without a status or about another product, and keeps the product otherwise as it was', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.followListing({ product_id: PRODUCT, product_status: null });
		thread.followListing({ product_id: 'a0000000-0000-4000-8000-000000000009', product_status: 'sold' });
		state.apply(messageEvent(message({ id: messageId(73) }), { preview: null }));
		expect(thread.product).toEqual(product);
	});

	it('a general conversation has no listing to follow', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ product: null, key: `${ALICE}__general` }));
		thread.followListing({ product_id: null, product_status: 'sold' });
		expect(thread.product).toBeNull();
	});

	it('takes the product the listing action answered with', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.setProduct({ ...product, status: 'sold' });
		expect(thread.product?.status).toBe('sold');
		thread.setProduct({ ...product, id: 'a0000000-0000-4000-8000-000000000009', status: 'active' });
		expect(thread.product?.status).toBe('sold');
		expect(thread.conversationId).toBe(CONVERSATION);
	});
});
