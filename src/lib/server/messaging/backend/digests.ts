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
}

const TOKEN = /^[0-9a-f]{64}$/i;

export function digestMethods(call: RpcCall): DigestLinks {
	return {
		async unsubscribeDigests({ userId, token }) {
			if (!TOKEN.test(token)) throw new MessagingError('not_allowed', 'This unsubscribe link is not valid. Switch digests off on your account page instead.');
			await call('unsubscribe_digests', { p_user_id: id(userId, 'user'), p_token: token }, 'value');
		}
	};
}
