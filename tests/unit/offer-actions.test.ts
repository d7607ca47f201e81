import type { RequestEvent } from '@sveltejs/kit';
import { describe, expect, it, vi } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import { actions } from '../../src/lib/server/messaging/actions.ts';
import type { MessagingBackend } from '../../src/lib/server/messaging/backend/messaging-backend.ts';
import { ALICE, CONVERSATION, KEY, PRODUCT, ME, messageId, product } from '../support/rows.ts';

/**
 * The offer, respond and listing form actions hand off: the form parsed once, one call of the
 * port with the amount in minor units, one answer shape; a refusal of the database comes back
 * as the sentence it wrote.
 */

const ID = messageId(100);
const OFFER = messageId(500);
const CARD = { id: ID, kind: 'offer' };

function backend(overrides: Partial<MessagingBackend> = {}) {
	return {
		makeOffer: vi.fn(async () => CARD),
		respondToOffer: vi.fn(async () => CARD),
		setListingStatus: vi.fn(async () => ({ ...product, status: 'sold' })),
		...overrides
	} as unknown as MessagingBackend & Record<'makeOffer' | 'respondToOffer' | 'setListingStatus', ReturnType<typeof vi.fn>>;
}

/** Posted as use:enhance posts it (a plain form's done action is a 303 back to the page). */
function post(name: keyof typeof actions, fields: Record<string, string>, messaging: MessagingBackend, enhanced = true) {
	const form = new FormData();
	for (const [field, value] of Object.entries(fields)) form.set(field, value);
	const url = `http://127.0.0.1/messages?conversation=${KEY}&/${name}`;
	return actions[name]({
		request: new Request(url, { method: 'POST', body: form, headers: enhanced ? { 'x-sveltekit-action': 'true' } : {} }),
		url: new URL(url),
		locals: { user: { id: ME }, messaging }
	} as unknown as RequestEvent);
}

describe('offer, respond and listing actions', () => {
	it('offer: by conversation id, in minor units', async () => {
		const messaging = backend();
		const answer = await post('offer', { id: ID, conversation_id: CONVERSATION, amount: '120,50', currency: 'EUR' }, messaging);
		expect(messaging.makeOffer).toHaveBeenCalledWith({ id: ID, amountCents: 12050, currency: 'EUR', conversationId: CONVERSATION });
		expect(answer).toEqual({ action: 'offer', ok: true, result: CARD, nextDraftId: undefined });
	});

	it('offer: the first one of a conversation by key', async () => {
		const messaging = backend();
		await post('offer', { id: ID, key: KEY, amount: '80', currency: 'EUR' }, messaging);
		expect(messaging.makeOffer).toHaveBeenCalledWith({ id: ID, amountCents: 8000, currency: 'EUR', to: { otherUserId: ALICE, productId: PRODUCT } });
	});

	it('offer: a bad amount never reaches the database', async () => {
		const messaging = backend();
		const answer = await post('offer', { id: ID, conversation_id: CONVERSATION, amount: '0', currency: 'EUR' }, messaging);
		expect(messaging.makeOffer).not.toHaveBeenCalled();
		expect(answer).toMatchObject({ status: 400, data: { action: 'offer', ok: false, code: 'invalid_input', message: 'An offer must be more than zero.' } });
	});

	it('respond: accept, and a counter with its amount and card id', async () => {
		const messaging = backend();
		await post('respond', { offer_id: OFFER, action: 'accept' }, messaging);
		expect(messaging.respondToOffer).toHaveBeenLastCalledWith({ offerId: OFFER, action: 'accept', amountCents: null, currency: null, id: null });
		await post('respond', { offer_id: OFFER, action: 'counter', amount: '130', currency: 'EUR', id: ID }, messaging);
		expect(messaging.respondToOffer).toHaveBeenLastCalledWith({ offerId: OFFER, action: 'counter', amountCents: 13000, currency: 'EUR', id: ID });
	});

	it('respond: an out-of-order move is refused with the database’s sentence', async () => {
		const messaging = backend({
			respondToOffer: vi.fn(async () => {
				throw new MessagingError('not_allowed', 'This offer is no longer open.');
			})
		});
		const answer = await post('respond', { offer_id: OFFER, action: 'withdraw' }, messaging);
		expect(answer).toMatchObject({ status: 403, data: { action: 'respond', ok: false, code: 'not_allowed', message: 'This offer is no longer open.' } });
	});

	it('listing: sold or available again, answered with the product', async () => {
		const messaging = backend();
		const answer = await post('listing', { conversation_id: CONVERSATION, status: 'sold' }, messaging);
		expect(messaging.setListingStatus).toHaveBeenCalledWith({ conversationId: CONVERSATION, status: 'sold' });
		expect(answer).toMatchObject({ action: 'listing', ok: true, result: { id: PRODUCT, status: 'sold' } });
	});

	it('without JavaScript a done action is a 303 back to the page it came from; a refused one answers with the page and its sentence', async () => {
		const messaging = backend({ setListingStatus: vi.fn().mockRejectedValueOnce(new MessagingError('not_allowed', 'Only the seller can change the listing.')) });
		const refused = await post('listing', { conversation_id: CONVERSATION, status: 'sold' }, messaging, false);
		expect(refused).toMatchObject({ status: 403, data: { ok: false, message: 'Only the seller can change the listing.' } });
		await expect(post('listing', { conversation_id: CONVERSATION, status: 'sold' }, messaging, false)).rejects.toMatchObject({
			status: 303,
			location: `/messages?conversation=${encodeURIComponent(KEY)}`
		});
		expect(messaging.setListingStatus).toHaveBeenCalledTimes(2);
	});
});
