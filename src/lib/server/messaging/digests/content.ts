import { z } from 'zod';

const Id = z.uuid();

/**
 * One unread message as a digest shows it: the stored body, which is what its recipient may see,
 * and for a card or an update about the deal the payload it is worded from for the reader
 * (optional: a host's own content without it shows the stored sentence).
 */
export const DigestMessage = z.object({
	id: Id,
	sender_name: z.string(),
	body: z.string(),
	kind: z.enum(['text', 'system', 'offer']),
	payload: z.record(z.string(), z.unknown()).nullable().optional(),
	created_at: z.string(),
	photo_count: z.number().int().nonnegative()
});
export type DigestMessage = z.infer<typeof DigestMessage>;

/** A conversation in a digest, from the recipient's side: who, about which listing, what is unread. */
export const DigestConversation = z.object({
	conversation_id: Id,
	/** `otherUserId__productId` or `otherUserId__general`: the messages page's deep link. */
	key: z.string().regex(/^[0-9a-f-]{36}__([0-9a-f-]{36}|general)$/),
	other_name: z.string(),
	product_title: z.string().nullable(),
	messages: z.array(DigestMessage).min(1)
});
export type DigestConversation = z.infer<typeof DigestConversation>;

/** What `digest_content` returns: everything one digest email says, read when it is sent. */
export const DigestContent = z.object({
	id: Id,
	user_id: Id,
	email: z.string().min(3),
	display_name: z.string(),
	unsubscribe_token: z.string().regex(/^[0-9a-f]{64}$/),
	conversations: z.array(DigestConversation).min(1)
});
export type DigestContent = z.infer<typeof DigestContent>;
