import type { Message, ProductSummary, UserSummary } from '../schemas';
import { endedDeals } from './offer-card';

/**
 * What the seller is asked before marking a listing sold to this conversation's buyer. Selling is
 * final for every other buyer (their open offers are declined), and a listing reserved for
 * someone else ends that buyer's deal too: the seller hears whose before saying yes.
 */
export function saleQuestion(options: {
	listing: Pick<ProductSummary, 'title' | 'status' | 'reserved_for'>;
	buyer: Pick<UserSummary, 'id' | 'display_name'>;
	messages: readonly Message[];
}): string {
	const { listing, buyer } = options;
	const holder = otherHolder(options);
	const ends = holder ? ` It is reserved for ${holder}, whose accepted offer ends.` : '';
	return `Mark “${listing.title}” as sold to ${buyer.display_name}?${ends} Open offers from other buyers will be declined.`;
}

/** The name of whoever else a reserved listing is held for ("another buyer" when unnamed); null when nobody else. */
function otherHolder({ listing, buyer, messages }: Parameters<typeof saleQuestion>[0]): string | null {
	if (listing.status !== 'reserved') return null;
	if (listing.reserved_for) return listing.reserved_for.id === buyer.id ? null : listing.reserved_for.display_name;
	// Reserved since the thread opened, which an event says but not for whom: this buyer's when
	// their accepted offer here is still the live deal.
	const ended = endedDeals(messages);
	const theirs = messages.some((m) => m.kind === 'offer' && m.offer?.status === 'accepted' && m.offer.buyer_id === buyer.id && !ended.has(m.id));
	return theirs ? null : 'another buyer';
}
