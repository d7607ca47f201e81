import { describe, expect, it } from 'vitest';
import { saleQuestion } from '../../src/lib/messaging/offers/sale-question.ts';
import type { Message } from '../../src/lib/messaging/schemas/index.ts';
import { message, messageId, product, userId } from '../support/rows.ts';

/**
 * The question before a seller marks a listing sold to the buyer they are talking to: it says
 * whose deal that ends when the listing is reserved for someone else.
 */

const ANA = { id: userId(1), display_name: 'Ana Keen' }; // her offer accepted: the listing reserved for her
const BO = { id: userId(2), display_name: 'Bo Late' }; // asked later; the seller sells to him
const LEE = userId(3); // the seller
const lamp = { ...product, title: 'Oak lamp', seller_id: LEE };

function acceptedCard(buyer: typeof ANA, id: number): Message {
	const offer = { id: 'e0000000-0000-4000-8000-000000000001', amount_cents: 40000, currency: 'EUR', status: 'accepted' as const, awaiting: null, buyer_id: buyer.id, seller_id: LEE, current: true };
	return message({ id: messageId(id), kind: 'offer', sender_id: buyer.id, body: 'offered €400.00', payload: { offer_id: offer.id, amount_cents: 40000, currency: 'EUR' }, offer });
}

describe('saleQuestion', () => {
	it('a listing reserved for another buyer: says who, and that her accepted offer ends', () => {
		const listing = { ...lamp, status: 'reserved' as const, reserved_for: ANA };
		expect(saleQuestion({ listing, buyer: BO, messages: [] })).toBe(
			'Mark “Oak lamp” as sold to Bo Late? It is reserved for Ana Keen, whose accepted offer ends. Open offers from other buyers will be declined.'
		);
	});

	it('a listing for sale, or reserved for this very buyer: only the open offers', () => {
		const plain = 'Mark “Oak lamp” as sold to Ana Keen? Open offers from other buyers will be declined.';
		expect(saleQuestion({ listing: lamp, buyer: ANA, messages: [] })).toBe(plain);
		expect(saleQuestion({ listing: { ...lamp, status: 'reserved', reserved_for: ANA }, buyer: ANA, messages: [] })).toBe(plain);
	});

	it('reserved since the thread opened (whom for unknown): this buyer when their accepted offer here is live, else another buyer', () => {
		const listing = { ...lamp, status: 'reserved' as const, reserved_for: null };
		expect(saleQuestion({ listing, buyer: ANA, messages: [acceptedCard(ANA, 1)] })).toBe(
			'Mark “Oak lamp” as sold to Ana Keen? Open offers from other buyers will be declined.'
		);
		const madeAvailable = message({ id: messageId(2), kind: 'system', body: 'Available again', payload: { event: 'listing.available', actor_id: LEE } });
		expect(saleQuestion({ listing, buyer: ANA, messages: [acceptedCard(ANA, 1), madeAvailable] })).toContain('It is reserved for another buyer, whose accepted offer ends.');
		expect(saleQuestion({ listing, buyer: BO, messages: [] })).toContain('It is reserved for another buyer, whose accepted offer ends.');
	});
});
