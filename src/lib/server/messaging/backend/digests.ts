import { z } from 'zod';
import { MessagingError } from '$lib/messaging/errors.js';
import { id } from './ids.js';
import type { RpcCall } from './rpc-call.js';

/** What the app server does for email digests (the worker has its own connection). */
export interface DigestLinks {
	/**
	 * Follows a digest's signed unsubscribe link: switches that member's digests off. Works
	 * signed out (mail clients' one-click unsubscribe carries no session); a link whose
	 * signature is not ours is refused (`not_allowed`).
	 */
	unsubscribeDigests(options: { userId: string; token: string }): Promise<void>;
	/**
	 * Whether digests are on for the member a signed unsubscribe link names, so the page it
	 * opens can say they are off already; null for a link that is not ours (or a member gone).
	 * Reads only: opening a link changes nothing.
	 */
	digestsOnForLink(options: { userId: string; token: string }): Promise<boolean | null>;
}

const TOKEN = /^[0-9a-f]{64}$/i;

export function digestMethods(call: RpcCall): DigestLinks {
	return {
		async unsubscribeDigests({ userId, token }) {
			if (!TOKEN.test(token)) throw new MessagingError('not_allowed', 'This unsubscribe link is not valid. Switch digests off on your account page instead.');
			await call('unsubscribe_digests', { p_user_id: id(userId, 'user'), p_token: token }, 'value');
		},
		async digestsOnForLink({ userId, token }) {
			// Only a reading for the page: a malformed link is "not ours", never an error page.
			if (!TOKEN.test(token) || !z.uuid().safeParse(userId).success) return null;
			return z.boolean().nullable().parse(await call('digests_on_for_link', { p_user_id: userId, p_token: token }, 'value'));
		}
	};
}
