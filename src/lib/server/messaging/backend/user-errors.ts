import { error } from '@sveltejs/kit';
import { MessagingError } from '$lib/messaging/errors.js';

/** A user mistake while loading a page or JSON: the error page (404 for what one may not see) with the message. */
export async function orErrorPage<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		if (e instanceof MessagingError) {
			const status = e.code === 'not_member' || e.code === 'self_conversation' || e.code === 'product_seller_mismatch' ? 404 : e.status;
			error(status, { message: e.message });
		}
		throw e;
	}
}
