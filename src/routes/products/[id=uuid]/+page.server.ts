import { error } from '@sveltejs/kit';
import { formatConversationKey } from '$lib';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const product = await locals.catalogue.getProduct(params.id);
	if (!product) error(404, { message: 'This product does not exist or is no longer listed.' });
	const isOwn = locals.user?.id === product.seller_id;
	return {
		product,
		messageHref: isOwn
			? null
			: `/messages?conversation=${formatConversationKey({ otherUserId: product.seller_id, productId: product.id })}`
	};
};
