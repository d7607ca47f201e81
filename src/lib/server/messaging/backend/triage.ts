import { z } from 'zod';
import { QuickReply, ResponseTime } from '$lib/messaging/schemas/index.js';
import { id } from './ids.js';
import type { MessagingBackend } from './messaging-backend.js';
import type { RpcCall } from './rpc-call.js';

// Made once: a zod schema costs microseconds to build, and these parse on every page.
const QuickReplies = z.array(QuickReply);

/** The seller-triage methods of the backend: quick replies and the response-time badge. */
export function triageMethods(
	call: RpcCall
): Pick<MessagingBackend, 'listQuickReplies' | 'saveQuickReply' | 'deleteQuickReply' | 'sellerResponseTime'> {
	return {
		async listQuickReplies() {
			return QuickReplies.parse(await call('list_quick_replies', {}, 'value'));
		},

		async saveQuickReply({ id: replyId, body }) {
			return QuickReply.parse(await call('save_quick_reply', { p_id: id(replyId, 'quick reply'), p_body: body }, 'value'));
		},

		async deleteQuickReply({ id: replyId }) {
			await call('delete_quick_reply', { p_id: id(replyId, 'quick reply') }, 'value');
			return { id: replyId };
		},

		async sellerResponseTime({ sellerId }) {
			return ResponseTime.parse(await call('seller_response_time', { p_seller_id: id(sellerId, 'seller') }, 'value'));
		}
	};
}
