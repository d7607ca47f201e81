import { MessagingPreferences } from '$lib/messaging/schemas/index.js';
import type { MessagingBackend } from './messaging-backend.js';
import type { RpcCall } from './rpc-call.js';

/** The member's own settings and presence: digest and notification preferences, being seen online. */
export function preferenceMethods(call: RpcCall): Pick<MessagingBackend, 'getPreferences' | 'setPreferences' | 'markSeen'> {
	return {
		async getPreferences() {
			return MessagingPreferences.parse(await call('get_messaging_preferences', {}, 'value'));
		},

		async setPreferences({ emailDigests, browserNotifications }) {
			return MessagingPreferences.parse(
				await call(
					'set_messaging_preferences',
					{ p_email_digests: emailDigests ?? null, p_browser_notifications: browserNotifications ?? null },
					'value'
				)
			);
		},

		async markSeen() {
			await call('mark_seen', {}, 'value');
		}
	};
}
