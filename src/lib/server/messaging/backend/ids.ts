import { z } from 'zod';
import type { ConversationKeyParts } from '$lib/messaging/conversation-key.js';
import { MessagingError } from '$lib/messaging/errors.js';

const UUID = z.uuid();

/** Ids are checked before the round trip: a malformed one is the caller's mistake, not a database error. */
export function id(value: string, what: string): string {
	if (!UUID.safeParse(value).success) throw new MessagingError('invalid_input', `The ${what} id is not valid.`);
	return value;
}

/** Where a message or offer goes: an existing conversation by id, or the one a key names (created on first contact). */
export function conversationTarget(options: { conversationId: string } | { to: ConversationKeyParts }) {
	return 'conversationId' in options
		? { p_conversation_id: id(options.conversationId, 'conversation') }
		: {
				p_other_user_id: id(options.to.otherUserId, 'user'),
				p_product_id: options.to.productId ? id(options.to.productId, 'product') : null
			};
}
