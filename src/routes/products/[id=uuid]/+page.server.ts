import { error } from '@sveltejs/kit';
import { formatConversationKey, formatMinor } from '$lib';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const product = await locals.catalogue.getProduct(params.id);
	if (!product) error(404, { message: 'This product does not exist or is no longer listed.' });
	const isOwn = locals.user?.id === product.seller_id;
	const messageHref = isOwn ? null : `/messages?conversation=${formatConversationKey({ otherUserId: product.seller_id, productId: product.id })}`;
	const buying = Boolean(messageHref && locals.user && product.status === 'active');
	// A buyer with an offer open sees it, not a button for a second one (the thread would refuse it).
	// Like the badge below, the page shows without it if it cannot be had.
	const openOffer = buying ? await locals.messaging.myOpenOffer({ productId: product.id }).catch(() => null) : null;
	return {
		product,
		messageHref,
		// Offers are for signed-in buyers of a listing still for sale; the thread opens its offer form on ?offer=1.
		offerHref: buying && !openOffer ? `${messageHref}&offer=1` : null,
		openOffer: openOffer && {
			amount: formatMinor(openOffer.offer.amount_cents, openOffer.offer.currency),
			countered: openOffer.offer.awaiting === 'buyer',
			href: `${messageHref}${openOffer.card_message_id ? `#message-${openOffer.card_message_id}` : ''}`
		},
		// The seller's way to every conversation about this listing.
		conversationsHref: isOwn ? `/messages?filter=listing&product=${product.id}` : null,
		// A badge, nothing more: if it cannot be had, the page shows without it.
		responseTime: await Promise.resolve()
			.then(() => locals.messaging.sellerResponseTime({ sellerId: product.seller_id }))
			.catch(() => null)
	};
};
