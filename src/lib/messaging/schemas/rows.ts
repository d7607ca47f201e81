import { z } from 'zod';
import { formatConversationKey } from './conversation-key';

/**
 * The shapes the messaging RPCs return, shared by server and browser. Timestamps stay the
 * strings PostgreSQL wrote (microsecond precision), so a cursor sent back is exact.
 */
const Timestamp = z.string().min(1);
const Id = z.uuid();

export const InboxFilter = z.enum(['all', 'unread', 'archived']);
export type InboxFilter = z.infer<typeof InboxFilter>;

export const Cursor = z.object({ at: Timestamp, id: Id });
export type Cursor = z.infer<typeof Cursor>;

export const UserSummary = z.object({
	id: Id,
	username: z.string(),
	display_name: z.string(),
	avatar_url: z.string().nullable()
});
export type UserSummary = z.infer<typeof UserSummary>;

export const ProductSummary = z.object({
	id: Id,
	title: z.string(),
	price_cents: z.number().int(),
	currency: z.string(),
	image_url: z.string().nullable(),
	status: z.enum(['active', 'sold']),
	seller_id: Id
});
export type ProductSummary = z.infer<typeof ProductSummary>;

/** A row of messages_realtime_view: what a thread renders. */
export const Message = z.object({
	id: Id,
	conversation_id: Id,
	sender_id: Id,
	sender_username: z.string(),
	sender_display_name: z.string(),
	sender_avatar_url: z.string().nullable(),
	kind: z.enum(['text', 'system']),
	body: z.string(),
	reply_to_id: Id.nullable(),
	reply_to_sender_id: Id.nullable(),
	reply_to_preview: z.string().nullable(),
	reply_to_deleted: z.boolean(),
	created_at: Timestamp,
	edited_at: Timestamp.nullable(),
	deleted_at: Timestamp.nullable(),
	product_id: Id.nullable(),
	product_title: z.string().nullable(),
	product_price_cents: z.number().int().nullable(),
	product_currency: z.string().nullable(),
	product_image_url: z.string().nullable()
});
export type Message = z.infer<typeof Message>;

export const ReadState = z.object({
	conversation_id: Id,
	unread_count: z.number().int().nonnegative(),
	last_read_at: Timestamp.nullable(),
	last_read_message_id: Id.nullable(),
	archived: z.boolean(),
	muted_until: Timestamp.nullable(),
	other_last_read_at: Timestamp.nullable(),
	other_last_read_message_id: Id.nullable()
});
export type ReadState = z.infer<typeof ReadState>;

/** A page of a thread, newest message first; `next` continues with older messages. */
export interface MessagePage {
	messages: Message[];
	next: Cursor | null;
}

export const OpenedConversationRow = z.object({
	conversation_id: Id.nullable(),
	other_user: UserSummary,
	product: ProductSummary.nullable(),
	read_state: ReadState.nullable(),
	blocked_by_me: z.boolean(),
	blocked_me: z.boolean(),
	messages: z.array(Message)
});

export interface OpenedConversation extends Omit<z.infer<typeof OpenedConversationRow>, 'messages'> {
	key: string;
	/** null until the first message is sent: opening never creates a conversation. */
	conversation_id: string | null;
	page: MessagePage;
}

export const ConversationPreviewRow = z.object({
	conversation_id: Id,
	other_user_id: Id,
	other_username: z.string(),
	other_display_name: z.string(),
	other_avatar_url: z.string().nullable(),
	product_id: Id.nullable(),
	product_title: z.string().nullable(),
	product_price_cents: z.number().int().nullable(),
	product_currency: z.string().nullable(),
	product_image_url: z.string().nullable(),
	product_status: z.enum(['active', 'sold']).nullable(),
	last_message_id: Id.nullable(),
	last_message_at: Timestamp,
	last_message_preview: z.string(),
	last_message_sender_id: Id.nullable(),
	last_message_deleted: z.boolean(),
	unread_count: z.number().int().nonnegative(),
	archived: z.boolean(),
	muted_until: Timestamp.nullable(),
	other_last_read_at: Timestamp.nullable()
});

export const ConversationPreview = ConversationPreviewRow.transform((row) => ({
	...row,
	key: formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id })
}));
export type ConversationPreview = z.infer<typeof ConversationPreview>;

export interface PreviewPage {
	previews: ConversationPreview[];
	next: Cursor | null;
}

export const SearchHit = z
	.object({
		message_id: Id,
		conversation_id: Id,
		sender_id: Id,
		body: z.string(),
		created_at: Timestamp,
		other_user_id: Id,
		other_display_name: z.string(),
		other_avatar_url: z.string().nullable(),
		product_id: Id.nullable(),
		product_title: z.string().nullable()
	})
	.transform((row) => ({ ...row, key: formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id }) }));
export type SearchHit = z.infer<typeof SearchHit>;

export interface SearchPage {
	hits: SearchHit[];
	next: Cursor | null;
}

export const BlockState = z.object({ user_id: Id, blocked: z.boolean() });
export type BlockState = z.infer<typeof BlockState>;

export const ReportReceipt = z.object({ id: Id, message_id: Id });
export type ReportReceipt = z.infer<typeof ReportReceipt>;

export const ReportReason = z.enum(['spam', 'scam', 'abuse', 'other']);
export type ReportReason = z.infer<typeof ReportReason>;

/** What a person may type: checked in the browser and the form action before SQL checks it again. */
export const MESSAGE_MAX_LENGTH = 4000;

/** The recipient's badge total after the event: events carry it so no client has to add up counts it cannot see. */
const UnreadTotal = z.number().int().nonnegative().optional();

/** One entry of a user's event log, as sync_since and the live push deliver it. */
export const MessagingEvent = z.discriminatedUnion('type', [
	z.object({
		type: z.enum(['message.created', 'message.updated']),
		id: z.number().int().positive(),
		conversation_id: Id,
		created_at: Timestamp,
		payload: z.object({ message: Message, preview: ConversationPreviewRow.nullable(), unread_total: UnreadTotal })
	}),
	z.object({
		type: z.literal('read'),
		id: z.number().int().positive(),
		conversation_id: Id,
		created_at: Timestamp,
		payload: z.object({ read_state: ReadState, unread_total: UnreadTotal })
	}),
	z.object({
		type: z.literal('conversation.updated'),
		id: z.number().int().positive(),
		conversation_id: Id,
		created_at: Timestamp,
		payload: z.object({ read_state: ReadState, preview: ConversationPreviewRow.nullable(), unread_total: UnreadTotal })
	}),
	z.object({
		type: z.literal('block.updated'),
		id: z.number().int().positive(),
		conversation_id: z.null(),
		created_at: Timestamp,
		/** by_me: the recipient blocked (or unblocked) other_user_id; otherwise other_user_id blocked the recipient. */
		payload: z.object({ other_user_id: Id, by_me: z.boolean(), blocked: z.boolean(), unread_total: UnreadTotal })
	})
]);
export type MessagingEvent = z.infer<typeof MessagingEvent>;

export const SyncResult = z.object({
	events: z.array(MessagingEvent),
	cursor: z.number().int().nonnegative(),
	resync: z.boolean(),
	has_more: z.boolean()
});
export type SyncResult = z.infer<typeof SyncResult>;

/** Signals that need no log: lost ones are harmless and expire by themselves. */
export const MessagingSignal = z.discriminatedUnion('type', [
	z.object({ type: z.literal('typing'), conversation_id: Id, user_id: Id, until: z.number() }),
	z.object({ type: z.literal('presence'), user_id: Id, online: z.boolean(), last_seen: z.number().nullable() })
]);
export type MessagingSignal = z.infer<typeof MessagingSignal>;
