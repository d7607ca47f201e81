import { formatMinor } from '$lib';
import type { ListingDeal } from '$lib/server';

/** What a listing's page tells a buyer of their own deal with it: one sentence, and where the deal is. */
export interface DealNote {
	text: string;
	link: { href: string; label: string };
}

/**
 * The buyer's part in a listing, in the words the thread uses: reserved for them or sold to them
 * (at the price agreed, where an offer agreed one), their offer waiting or countered, or the offer
 * declined, saying who did what; an accepted deal the listing has since left, and how (the page
 * said only "Sold" to the buyer whose deal it was).
 * Nothing for a withdrawn offer: they know.
 */
export function dealNote(
	deal: ListingDeal | null,
	listing: { sellerName: string; status: 'active' | 'reserved' | 'sold' | 'withdrawn' },
	threadHref: string
): DealNote | null {
	if (!deal) return null;
	const { offer } = deal;
	const seller = listing.sellerName;
	const amount = offer ? formatMinor(offer.amount_cents, offer.currency) : '';
	// Named for whose amount it is: the buyer's own offer, or the seller's counter-offer, as the thread says.
	const onTable = (your: 'your' | 'Your') => (deal.countered ? `${seller}'s counter-offer of ${amount}` : `${your} offer of ${amount}`);
	const card = deal.card_message_id ? `${threadHref}#message-${deal.card_message_id}` : threadHref;
	const toThread = { href: threadHref, label: 'Go to the conversation' };
	// Only the side an offer waits for accepts it: the buyer a counter, the seller an offer.
	const acceptance = () => (deal.countered ? `You accepted ${onTable('your')}` : `${seller} accepted ${onTable('your')}`);
	if (deal.sold_to_you) {
		// The price the two agreed, as the thread says it: the listed one is only what was asked.
		const price = deal.sold_for ? ` for ${formatMinor(deal.sold_for.amount_cents, deal.sold_for.currency)}` : '';
		return { text: `${seller} marked this as sold to you${price}.`, link: toThread };
	}
	if (deal.reserved_for_you) {
		const accepted = offer?.status === 'accepted' ? ` ${acceptance()}.` : '';
		return { text: `Reserved for you.${accepted}`, link: toThread };
	}
	if (!offer) return null;
	if (offer.status === 'accepted') {
		const ending = { sold: 'the listing went to another buyer', reserved: 'the listing is reserved for another buyer', active: 'the listing is for sale again' }[
			listing.status as 'sold' | 'reserved' | 'active'
		];
		return ending ? { text: `${acceptance()}; that deal ended: ${ending}.`, link: { href: card, label: 'See the offer' } } : null;
	}
	if (offer.status === 'open') {
		const text = offer.awaiting === 'buyer' ? `${seller} countered with ${amount}.` : `Your offer of ${amount} is waiting for ${seller}.`;
		return { text, link: { href: card, label: 'See the offer' } };
	}
	if (offer.status === 'declined') {
		const text =
			deal.closed_by === 'buyer'
				? `You declined ${onTable('your')}.`
				: deal.closed_by === 'seller'
					? `${seller} declined ${onTable('your')}.`
					: `${onTable('Your')} was declined${deal.closed_by === 'listing' ? listingMoved(listing.status) : ''}.`;
		return { text, link: { href: card, label: 'See the offer' } };
	}
	return null;
}

/**
 * Why the listing declined an offer, as it stands: reserved is not gone, and the page's badge says
 * "Reserved"; for sale again, it is not gone at all (the page offers "Make an offer" beside it).
 */
function listingMoved(status: string): string {
	if (status === 'reserved') return ': the listing is reserved for another buyer';
	if (status === 'active') return ' when the listing went to another buyer; it is for sale again';
	return ': the listing went to another buyer';
}
