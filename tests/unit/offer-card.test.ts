import { describe, expect, it } from 'vitest';
import { canMakeOffer, endedDeals, offerCard, supersededCards, type OfferResponse } from '../../src/lib/messaging/offers/offer-card.ts';
import type { Message, Offer, OfferStatus } from '../../src/lib/messaging/schemas/index.ts';
import { message, messageId, product, userId } from '../support/rows.ts';

/**
 * An offer card as each member sees it: who offered, the amount, its state, and the buttons
 * that member may press, which are exactly the moves the offer's state machine allows them.
 */

const ANA = { id: userId(1), display_name: 'Ana' }; // the buyer
const LEE = { id: userId(2), display_name: 'Lee' }; // the seller
const OFFER_ID = 'e0000000-0000-4000-8000-000000000001';

function card(options: {
	from: typeof ANA;
	status?: OfferStatus;
	awaiting?: Offer['awaiting'];
	current?: boolean;
	amount?: number;
	id?: string;
	offerId?: string;
}): Message {
	const amount = options.amount ?? 12000;
	return message({
		id: options.id ?? messageId(1),
		kind: 'offer',
		sender_id: options.from.id,
		sender_username: options.from.display_name.toLowerCase(),
		sender_display_name: options.from.display_name,
		body: `${options.from.display_name} offered €${(amount / 100).toFixed(2)}`,
		payload: { offer_id: options.offerId ?? OFFER_ID, amount_cents: amount, currency: 'EUR' },
		offer: {
			id: options.offerId ?? OFFER_ID,
			// The offer's amount now, which a countered card no longer shows.
			amount_cents: 99999,
			currency: 'EUR',
			status: options.status ?? 'open',
			awaiting: options.awaiting === undefined ? 'seller' : options.awaiting,
			buyer_id: ANA.id,
			seller_id: LEE.id,
			current: options.current ?? true
		}
	});
}

const seenBy = (viewer: typeof ANA) => ({ me: viewer.id, other: viewer === ANA ? LEE : ANA });

type Row = [string, typeof ANA, Parameters<typeof card>[0], string, string, OfferResponse[]];

describe('offerCard: label, state and buttons for each viewer', () => {
	it.each<Row>([
		// Ana's offer, waiting for Lee
		['the seller answers an open offer', LEE, { from: ANA }, 'Ana offered', 'Waiting for you', ['accept', 'decline', 'counter']],
		['the buyer may withdraw while the seller has not answered', ANA, { from: ANA }, 'You offered', 'Waiting for Lee', ['withdraw']],
		// Lee's counter, waiting for Ana
		['the buyer answers a counter', ANA, { from: LEE, awaiting: 'buyer' }, 'Lee countered', 'Waiting for you', ['accept', 'decline']],
		['the seller waits on their counter', LEE, { from: LEE, awaiting: 'buyer' }, 'You countered', 'Waiting for Ana', []],
		// A card a counter followed
		['a countered card has no buttons (seller)', LEE, { from: ANA, current: false }, 'Ana offered', 'Countered', []],
		['a countered card has no buttons (buyer)', ANA, { from: ANA, current: false }, 'You offered', 'Countered', []],
		// Closed offers
		['accepted, seen by the buyer', ANA, { from: ANA, status: 'accepted', awaiting: null }, 'You offered', 'Accepted', []],
		['accepted counter, seen by the seller', LEE, { from: LEE, status: 'accepted', awaiting: null }, 'You countered', 'Accepted', []],
		['declined', ANA, { from: ANA, status: 'declined', awaiting: null }, 'You offered', 'Declined', []],
		['declined counter', LEE, { from: LEE, status: 'declined', awaiting: null }, 'You countered', 'Declined', []],
		['withdrawn, seen by the seller', LEE, { from: ANA, status: 'withdrawn', awaiting: null }, 'Ana offered', 'Withdrawn', []],
		// Closed by the seller selling the listing to its buyer: neither accepted nor declined
		['closed by a sale, seen by the buyer', ANA, { from: ANA, status: 'closed', awaiting: null }, 'You offered', 'Closed · sold to you', []],
		['closed counter, seen by the seller', LEE, { from: LEE, status: 'closed', awaiting: null }, 'You countered', 'Closed · sold to Ana', []],
		// A closed offer's older card still says it was countered
		['an accepted offer’s countered card', ANA, { from: ANA, status: 'accepted', awaiting: null, current: false }, 'You offered', 'Countered', []]
	])('%s', (_, viewer, options, byline, state, responses) => {
		expect(offerCard(card(options), seenBy(viewer))).toMatchObject({ byline, state, responses, amount: '€120.00' });
	});

	it('the amount is the card’s own, not the offer’s latest', () => {
		expect(offerCard(card({ from: ANA, amount: 9050, current: false }), seenBy(LEE))?.amount).toBe('€90.50');
	});

	it('a block leaves the state but takes the buttons', () => {
		const view = offerCard(card({ from: ANA }), { ...seenBy(LEE), blocked: true });
		expect(view).toMatchObject({ state: 'Waiting for you', responses: [] });
	});

	it('a card a newer card follows is countered, whatever its copy says', () => {
		const view = offerCard(card({ from: ANA }), { ...seenBy(LEE), superseded: true });
		expect(view).toMatchObject({ state: 'Countered', current: false, responses: [] });
	});

	it('a text message, or a card without its offer, is no card', () => {
		expect(offerCard(message(), seenBy(ANA))).toBeNull();
		expect(offerCard({ ...card({ from: ANA }), offer: null }, seenBy(ANA))).toBeNull();
	});
});

describe('supersededCards', () => {
	it('every card of an offer but its newest, offer by offer', () => {
		const other = 'e0000000-0000-4000-8000-000000000002';
		const messages = [
			card({ from: ANA, id: messageId(1) }),
			message({ id: messageId(2) }),
			card({ from: ANA, id: messageId(3), offerId: other }),
			card({ from: LEE, id: messageId(4) }),
			card({ from: ANA, id: messageId(5) })
		];
		expect([...supersededCards(messages)].sort()).toEqual([messageId(1), messageId(4)]);
	});
});

describe('endedDeals', () => {
	const update = (id: number, event: string) => message({ id: messageId(id), kind: 'system', body: 'Available again', payload: { event, actor_id: LEE.id } });
	const accepted = (id: number, offerId = OFFER_ID) => card({ from: ANA, id: messageId(id), offerId, status: 'accepted', awaiting: null });

	it('an accepted card the listing was made available again after; not the deal made since', () => {
		const second = 'e0000000-0000-4000-8000-000000000002';
		const messages = [accepted(1), update(2, 'listing.available'), message({ id: messageId(3) }), accepted(4, second)];
		expect([...endedDeals(messages)]).toEqual([[messageId(1), 'available']]);
		const [ended, , , current] = messages.map((m) => offerCard(m, { ...seenBy(ANA), ended: endedDeals(messages).get(m.id) }));
		expect(ended).toMatchObject({ state: 'Accepted · deal ended when the listing was made available again', responses: [] });
		expect(current).toMatchObject({ state: 'Accepted' });
	});

	it('a listing released when its buyer deleted their account ends the deal too; a sale to this buyer does not', () => {
		expect([...endedDeals([accepted(1), update(2, 'listing.released')])]).toEqual([[messageId(1), 'available']]);
		expect([...endedDeals([accepted(1), update(2, 'listing.sold')])]).toEqual([]);
		// Declined or open cards have no deal to end.
		expect([...endedDeals([card({ from: ANA, id: messageId(1), status: 'declined', awaiting: null }), update(2, 'listing.available')])]).toEqual([]);
	});

	it('a listing reserved for this buyer and sold to another ends the deal, and the card says so to both', () => {
		// The first update after the card ended it, whatever came later.
		const messages = [accepted(1), update(2, 'listing.sold_elsewhere'), update(3, 'listing.available')];
		expect([...endedDeals(messages)]).toEqual([[messageId(1), 'sold_elsewhere']]);
		for (const viewer of [seenBy(ANA), seenBy(LEE)]) {
			expect(offerCard(messages[0], { ...viewer, ended: 'sold_elsewhere' })).toMatchObject({
				state: 'Accepted · deal ended: sold to another buyer',
				responses: []
			});
		}
	});
});

describe('canMakeOffer', () => {
	const buyerProduct = { ...product, seller_id: LEE.id };
	const base: Parameters<typeof canMakeOffer>[0] = { product: buyerProduct, messages: [], me: ANA.id, blocked: false };

	it('a buyer in a conversation about an active listing may offer', () => {
		expect(canMakeOffer(base)).toBe(true);
	});

	it.each<[string, Partial<typeof base>]>([
		['the seller', { me: LEE.id }],
		['a general conversation', { product: null }],
		['a reserved listing', { product: { ...buyerProduct, status: 'reserved' } }],
		['a sold listing', { product: { ...buyerProduct, status: 'sold' } }],
		['a block', { blocked: true }],
		['no one signed in', { me: null }],
		['an open offer of theirs', { messages: [card({ from: ANA })] }],
		['an open counter to them', { messages: [card({ from: LEE, awaiting: 'buyer' })] }]
	])('not with %s', (_, change) => {
		expect(canMakeOffer({ ...base, ...change })).toBe(false);
	});

	it('again once their offer is closed', () => {
		for (const status of ['accepted', 'declined', 'withdrawn', 'closed'] as const) {
			expect(canMakeOffer({ ...base, messages: [card({ from: ANA, status, awaiting: null })] })).toBe(true);
		}
	});
});
