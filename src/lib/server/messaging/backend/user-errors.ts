import { error, fail } from '@sveltejs/kit';
import { MessagingError } from '$lib/messaging/errors';

/** A user mistake from a form action: the form shows the message in place; bugs still throw. */
export async function asFormResult<T>(action: string, work: () => Promise<T>) {
	try {
		return { action, ok: true as const, result: await work() };
	} catch (e) {
		if (e instanceof MessagingError) return fail(e.status, { action, ok: false as const, code: e.code, message: e.message });
		throw e;
	}
}

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
