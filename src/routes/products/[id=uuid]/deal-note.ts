import { formatMinor } from '$lib';
import type { ListingDeal } from '$lib/server';

/** What a listing's page tells a buyer of their own deal with it: one sentence, and where the deal is. */
export interface DealNote {
	text: string;
	link: { href: string; label: string };
}

/**
 * The buyer's part in a listing, in the words the thread uses: reserved for them or sold to them,
 * their offer waiting or countered, or their offer declined. Nothing for a withdrawn offer (they
 * know), nor for an accepted one whose listing is no longer theirs (the thread says what happened).
 */
export function dealNote(deal: ListingDeal | null, listing: { status: 'active' | 'reserved' | 'sold'; sellerName: string }, threadHref: string): DealNote | null {
	if (!deal) return null;
	const { offer } = deal;
	const seller = listing.sellerName;
	const amount = offer ? formatMinor(offer.amount_cents, offer.currency) : '';
	const card = deal.card_message_id ? `${threadHref}#message-${deal.card_message_id}` : threadHref;
	const toThread = { href: threadHref, label: 'Go to the conversation' };
	if (deal.sold_to_you) return { text: `${seller} marked this as sold to you.`, link: toThread };
	if (deal.reserved_for_you) {
		const accepted = offer?.status === 'accepted' ? ` ${seller} accepted your offer of ${amount}.` : '';
		return { text: `Reserved for you.${accepted}`, link: toThread };
	}
	if (!offer) return null;
	if (offer.status === 'open') {
		const text = offer.awaiting === 'buyer' ? `${seller} countered with ${amount}.` : `Your offer of ${amount} is waiting for ${seller}.`;
		return { text, link: { href: card, label: 'See the offer' } };
	}
	if (offer.status === 'declined') {
		const elsewhere = listing.status === 'active' ? '' : ': the listing went to another buyer';
		return { text: `Your offer of ${amount} was declined${elsewhere}.`, link: { href: card, label: 'See the offer' } };
	}
	return null;
}
