import { describe, expect, it } from 'vitest';
import type { ListingDeal } from '../../src/lib/server/messaging/backend/offers.ts';
import { dealNote } from '../../src/routes/products/[id=uuid]/deal-note.ts';
import { messageId, userId } from '../support/rows.ts';

/**
 * The sentence a listing's page tells its buyer about their deal: who put the amount on the table
 * (their offer, or the seller's counter) and who did what with it, as the thread says it.
 */

const ANA = userId(1); // the buyer
const LEE = userId(2); // the seller
const THREAD = `/messages?conversation=${LEE}__a0000000-0000-4000-8000-000000000005`;
const CARD = messageId(1);

type DealOptions = Partial<Omit<ListingDeal, 'offer'>> & { status: 'open' | 'accepted' | 'declined' | 'withdrawn'; awaiting?: 'buyer' | 'seller' };

function deal(amountCents: number, options: DealOptions): ListingDeal {
	const { status, awaiting = null, ...rest } = options;
	const id = 'e0000000-0000-4000-8000-000000000001';
	return {
		offer: { id, amount_cents: amountCents, currency: 'EUR', status, awaiting, buyer_id: ANA, seller_id: LEE, current: true },
		card_message_id: CARD,
		countered: false,
		closed_by: null,
		reserved_for_you: false,
		sold_to_you: false,
		sold_for: null,
		...rest
	};
}

type ListingStatus = 'active' | 'reserved' | 'sold' | 'withdrawn';
const note = (of: ListingDeal, status: ListingStatus = 'active') => dealNote(of, { sellerName: 'Lee Seller', status }, THREAD)?.text;

describe('dealNote', () => {
	it('a counter the buyer accepted is the seller’s counter, accepted by "you"', () => {
		// The lamp: Ana offered €30.00, Lee countered €36.00, Ana accepted.
		expect(note(deal(3600, { status: 'accepted', countered: true, closed_by: 'buyer', reserved_for_you: true }))).toBe(
			"Reserved for you. You accepted Lee Seller's counter-offer of €36.00."
		);
		// The mugs: €22.00, countered €25.00, accepted.
		expect(note(deal(2500, { status: 'accepted', countered: true, closed_by: 'buyer', reserved_for_you: true }))).toBe(
			"Reserved for you. You accepted Lee Seller's counter-offer of €25.00."
		);
	});

	it('the buyer’s own offer accepted by the seller is theirs, accepted by the seller', () => {
		expect(note(deal(3000, { status: 'accepted', closed_by: 'seller', reserved_for_you: true }))).toBe(
			'Reserved for you. Lee Seller accepted your offer of €30.00.'
		);
	});

	it('a declined offer says whose amount it was and who declined it', () => {
		// The bike: Ana offered €410.00, Lee countered €430.00, Ana declined the counter.
		expect(note(deal(43_000, { status: 'declined', countered: true, closed_by: 'buyer' }))).toBe("You declined Lee Seller's counter-offer of €430.00.");
		expect(note(deal(41_000, { status: 'declined', closed_by: 'seller' }))).toBe('Lee Seller declined your offer of €410.00.');
		expect(note(deal(41_000, { status: 'declined', closed_by: 'listing' }), 'sold')).toBe('Your offer of €410.00 was declined: the listing went to another buyer.');
		expect(note(deal(43_000, { status: 'declined', countered: true, closed_by: 'listing' }), 'sold')).toBe(
			"Lee Seller's counter-offer of €430.00 was declined: the listing went to another buyer."
		);
		// For sale again since (the seller made it available): not gone, beside a "Make an offer" of its own.
		expect(note(deal(41_000, { status: 'declined', closed_by: 'listing' }), 'active')).toBe(
			'Your offer of €410.00 was declined when the listing went to another buyer; it is for sale again.'
		);
		// Reserved for another buyer is not gone: the page's badge says "Reserved", and the deal may come back.
		expect(note(deal(41_000, { status: 'declined', closed_by: 'listing' }), 'reserved')).toBe('Your offer of €410.00 was declined: the listing is reserved for another buyer.');
		// Nothing records the move any more (retention purged it): no name is guessed.
		expect(note(deal(41_000, { status: 'declined' }))).toBe('Your offer of €410.00 was declined.');
	});

	it('an accepted deal the listing has left says it ended, and how: sold or reserved to another buyer, or for sale again', () => {
		expect(note(deal(3000, { status: 'accepted', closed_by: 'seller' }), 'sold')).toBe(
			"Lee Seller accepted your offer of €30.00; that deal ended: the listing went to another buyer."
		);
		expect(note(deal(3600, { status: 'accepted', countered: true, closed_by: 'buyer' }), 'reserved')).toBe(
			"You accepted Lee Seller's counter-offer of €36.00; that deal ended: the listing is reserved for another buyer."
		);
		expect(note(deal(3000, { status: 'accepted', closed_by: 'seller' }), 'active')).toBe(
			'Lee Seller accepted your offer of €30.00; that deal ended: the listing is for sale again.'
		);
		expect(note(deal(3000, { status: 'accepted', closed_by: 'seller' }), 'withdrawn')).toBeUndefined();
	});

	it('an open offer waits for the seller, or is countered; a withdrawn one says nothing', () => {
		expect(note(deal(3000, { status: 'open', awaiting: 'seller' }))).toBe('Your offer of €30.00 is waiting for Lee Seller.');
		expect(note(deal(3600, { status: 'open', awaiting: 'buyer', countered: true }))).toBe('Lee Seller countered with €36.00.');
		expect(dealNote(deal(3000, { status: 'withdrawn', closed_by: 'buyer' }), { sellerName: 'Lee Seller', status: 'active' }, THREAD)).toBeNull();
	});

	it('sold to the buyer: at the price their accepted offer agreed, not the listed one; without an agreed price, none', () => {
		// The lamp, listed at €39.00: Ana offered €75.00, Lee countered €85.00, Ana accepted, Lee sold it to her.
		const sold = { status: 'accepted', countered: true, closed_by: 'buyer', sold_to_you: true } as const;
		expect(note(deal(8500, { ...sold, sold_for: { amount_cents: 8500, currency: 'EUR' } }), 'sold')).toBe('Lee Seller marked this as sold to you for €85.00.');
		expect(note(deal(8500, sold), 'sold')).toBe('Lee Seller marked this as sold to you.');
	});
});
