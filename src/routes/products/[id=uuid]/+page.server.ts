import { error } from '@sveltejs/kit';
import { formatConversationKey } from '$lib';
import { dealNote } from './deal-note';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const product = await locals.catalogue.getProduct(params.id);
	if (!product) error(404, { message: 'This product does not exist or is no longer listed.' });
	const isOwn = locals.user?.id === product.seller_id;
	const messageHref = isOwn ? null : `/messages?conversation=${formatConversationKey({ otherUserId: product.seller_id, productId: product.id })}`;
	const buyer = Boolean(messageHref && locals.user);
	// Withdrawn (its seller deleted their account): nobody to write to; the page only says so.
	// Asked together (the Postgres adapter reads both in one transaction), and each optional: if it
	// cannot be had, the page shows without it. The response-time badge; a buyer's own deal with
	// the listing (an offer waiting, countered or declined; reserved for them, sold to them), so an
	// open offer is shown rather than a button for a second one (the thread would refuse it); and a
	// block between buyer and seller, which the thread would only refuse ("You blocked Sam Seller").
	const optional = <T>(read: () => Promise<T>) => Promise.resolve().then(read).catch(() => null);
	const [responseTime, deal, blocks] = await Promise.all([
		optional(() => locals.messaging.sellerResponseTime({ sellerId: product.seller_id })),
		buyer ? optional(() => locals.messaging.myDealOnListing({ productId: product.id })) : null,
		buyer ? optional(() => locals.messaging.blockBetween({ userId: product.seller_id })) : null
	]);
	// Said as the thread says it: who blocked whom is no secret there either.
	const sellerBlock = blocks?.blocked_by_me ? ('by-you' as const) : blocks?.blocked_me ? ('of-you' as const) : null;
	return {
		product,
		messageHref: product.status === 'withdrawn' ? null : messageHref,
		sellerBlock: product.status === 'withdrawn' ? null : sellerBlock,
		// Offers are for buyers of a listing still for sale; the thread opens its offer form on
		// ?offer=1. A visitor signs in on the way (the link keeps ?offer=1); if their account turns
		// out to have an offer open, the thread says so in the form's place, and a block it says anyway.
		offerHref: messageHref && product.status === 'active' && (!locals.user || (!sellerBlock && deal?.offer?.status !== 'open')) ? `${messageHref}&offer=1` : null,
		dealNote: messageHref && product.status !== 'withdrawn' ? dealNote(deal, { sellerName: product.seller_name, status: product.status }, messageHref) : null,
		// The seller's way to every conversation about this listing.
		conversationsHref: isOwn && product.status !== 'withdrawn' ? `/messages?filter=listing&product=${product.id}` : null,
		responseTime
	};
};
