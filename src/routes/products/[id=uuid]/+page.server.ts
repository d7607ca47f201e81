import { error } from '@sveltejs/kit';
import { formatConversationKey } from '$lib';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const product = await locals.catalogue.getProduct(params.id);
	if (!product) error(404, { message: 'This product does not exist or is no longer listed.' });
	const isOwn = locals.user?.id === product.seller_id;
	const messageHref = isOwn ? null : `/messages?conversation=${formatConversationKey({ otherUserId: product.seller_id, productId: product.id })}`;
	return {
		product,
		messageHref,
		// Offers are for signed-in buyers of a listing still for sale; the thread opens its offer form on ?offer=1.
		offerHref: messageHref && locals.user && product.status === 'active' ? `${messageHref}&offer=1` : null,
		// The seller's way to every conversation about this listing.
		conversationsHref: isOwn ? `/messages?filter=listing&product=${product.id}` : null,
		// A badge, nothing more: if it cannot be had, the page shows without it.
		responseTime: await Promise.resolve()
			.then(() => locals.messaging.sellerResponseTime({ sellerId: product.seller_id }))
			.catch(() => null)
	};
};
