import { z } from 'zod';
import { formatConversationKey } from '../conversation-key.js';

/**
 * The shapes the messaging RPCs return, shared by server and browser. Timestamps stay the
 * strings PostgreSQL wrote (microsecond precision), so a cursor sent back is exact.
 */
export const Timestamp = z.string().min(1);
export const Id = z.uuid();

/**
 * Which conversations the inbox lists: `needs_reply` those whose last message (not counting
 * updates about the listing) is the other member's; `listing` every conversation about one
 * product, archived ones too (the product is named separately).
 */
export const InboxFilter = z.enum(['all', 'unread', 'needs_reply', 'archived', 'listing']);
export type InboxFilter = z.infer<typeof InboxFilter>;

export const Cursor = z.object({ at: Timestamp, id: Id });
export type Cursor = z.infer<typeof Cursor>;

export const UserSummary = z.object({
	id: Id,
	username: z.string(),
	display_name: z.string(),
	avatar_url: z.string().nullable(),
	/** Their account was deleted: the conversation stays readable and takes nothing new. Said by open_conversation. */
	deleted: z.boolean().optional()
});
export type UserSummary = z.infer<typeof UserSummary>;

/** A listing is active, reserved for one buyer (after an accepted offer) or sold to one buyer. */
// Withdrawn: off sale and not sold (its seller deleted their account).
export const ProductStatus = z.enum(['active', 'reserved', 'sold', 'withdrawn']);
export type ProductStatus = z.infer<typeof ProductStatus>;

export const ProductSummary = z.object({
	id: Id,
	title: z.string(),
	price_cents: z.number().int(),
	currency: z.string(),
	image_url: z.string().nullable(),
	status: ProductStatus,
	seller_id: Id,
	/** Who a reserved listing is held for, given to its seller alone (open_conversation); null or absent when unknown. */
	reserved_for: z.object({ id: Id, display_name: z.string() }).nullish()
});
export type ProductSummary = z.infer<typeof ProductSummary>;

/** A photo of a message: served as a thumbnail (about 320 px) and a display size (about 1600 px), both WebP. */
export const Attachment = z.object({
	id: Id,
	width: z.number().int().positive(),
	height: z.number().int().positive(),
	thumb_width: z.number().int().positive(),
	thumb_height: z.number().int().positive()
});
export type Attachment = z.infer<typeof Attachment>;
/** The upload endpoint's answer: the stored photo, and what its sender should know about it (an animation sent as a still). */
export const UploadedAttachment = Attachment.extend({ note: z.string().max(300).optional() });
export type UploadedAttachment = z.infer<typeof UploadedAttachment>;
export type AttachmentSize = 'thumb' | 'display';

/** The fixed set of reactions, in the order they are offered. */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '🙏'] as const;
export const ReactionEmoji = z.enum(REACTION_EMOJI);
export type ReactionEmoji = z.infer<typeof ReactionEmoji>;

/** One emoji on a message and who reacted with it, first reaction first. */
export const Reaction = z.object({ emoji: ReactionEmoji, user_ids: z.array(Id).min(1) });
export type Reaction = z.infer<typeof Reaction>;

export const OfferStatus = z.enum(['open', 'accepted', 'declined', 'withdrawn', 'closed']);
export type OfferStatus = z.infer<typeof OfferStatus>;

/**
 * The offer an offer card shows, as it is now. `awaiting` is the side that may act next (null once
 * closed); `current` is whether this card is the offer's newest card (a countered card is not).
 */
export const Offer = z.object({
	id: Id,
	amount_cents: z.number().int().positive(),
	currency: z.string(),
	status: OfferStatus,
	awaiting: z.enum(['seller', 'buyer']).nullable(),
	buyer_id: Id,
	seller_id: Id,
	current: z.boolean()
});
export type Offer = z.infer<typeof Offer>;

/** What a system message records; its body is the same thing as a neutral sentence. */
export const SystemEventName = z.enum([
	'offer.accepted',
	'offer.declined',
	'offer.withdrawn',
	'offer.countered',
	'offer.auto_declined',
	'listing.reserved_elsewhere',
	'listing.sold',
	'listing.sold_elsewhere',
	'listing.available',
	/** A listing reserved for a buyer who deleted their account, for sale again. */
	'listing.released',
	/** A listing taken off sale as its seller deleted their account. */
	'listing.withdrawn'
]);
export type SystemEventName = z.infer<typeof SystemEventName>;

export const SystemEvent = z.object({
	event: SystemEventName,
	actor_id: Id,
	buyer_id: Id.optional(),
	amount_cents: z.number().int().optional(),
	currency: z.string().optional(),
	/** Who a listing reserved or sold elsewhere went to: given to its seller alone. */
	buyer_name: z.string().optional(),
	/** offer.auto_declined: the amount was the seller's counter, withdrawn (not the buyer's offer, declined). */
	countered: z.boolean().optional()
});
export type SystemEvent = z.infer<typeof SystemEvent>;

/** The payload of an offer card: the amount this card offers. */
export const OfferCardPayload = z.object({ offer_id: Id, amount_cents: z.number().int(), currency: z.string() });
export type OfferCardPayload = z.infer<typeof OfferCardPayload>;

export const MessageKind = z.enum(['text', 'system', 'offer']);
export type MessageKind = z.infer<typeof MessageKind>;

/** A row of messages_realtime_view: what a thread renders. */
export const Message = z.object({
	id: Id,
	conversation_id: Id,
	sender_id: Id,
	sender_username: z.string(),
	sender_display_name: z.string(),
	sender_avatar_url: z.string().nullable(),
	kind: MessageKind,
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
	product_image_url: z.string().nullable(),
	/** In order; empty for a deleted message. */
	attachments: z.array(Attachment),
	/** In the order each emoji was first used. */
	reactions: z.array(Reaction),
	/** As stored: null for text; an OfferCardPayload for an offer card; a SystemEvent for a system message. */
	payload: z.record(z.string(), z.unknown()).nullable(),
	/** For an offer card, its offer as it is now; null for any other kind. */
	offer: Offer.nullable(),
	/**
	 * The recipient sees this message with phone numbers, emails and links replaced by
	 * "(contact details hidden)" (the operator's contact masking). The sender's own copy keeps the text as written.
	 */
	contact_hidden: z.boolean()
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
export const MessagePage = z.object({ messages: z.array(Message), next: Cursor.nullable() });
export type MessagePage = z.infer<typeof MessagePage>;

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
	product_status: ProductStatus.nullable(),
	last_message_id: Id.nullable(),
	last_message_at: Timestamp,
	last_message_preview: z.string(),
	last_message_sender_id: Id.nullable(),
	last_message_deleted: z.boolean(),
	/** null when the conversation has no messages left (all purged). */
	last_message_kind: MessageKind.nullable(),
	/** The other member wrote last (updates about the listing aside) and the caller has not answered. */
	needs_reply: z.boolean(),
	/** The last message's payload (see Message.payload), from which its preview is worded for the reader. */
	last_message_payload: z.record(z.string(), z.unknown()).nullable(),
	/** The listing's seller: an offer card they post is a counter. null without a listing. */
	product_seller_id: Id.nullable(),
	/** The other member deleted their account: the conversation stays readable and takes nothing new. */
	other_deleted: z.boolean(),
	unread_count: z.number().int().nonnegative(),
	archived: z.boolean(),
	muted_until: Timestamp.nullable(),
	other_last_read_at: Timestamp.nullable()
});

export type ConversationPreviewRow = z.infer<typeof ConversationPreviewRow>;

export const ConversationPreview = ConversationPreviewRow.transform((row) => ({
	...row,
	key: formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id })
}));
export type ConversationPreview = z.infer<typeof ConversationPreview>;

export const PreviewPage = z.object({ previews: z.array(ConversationPreview), next: Cursor.nullable() });
export type PreviewPage = z.infer<typeof PreviewPage>;

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
		product_title: z.string().nullable(),
		/** The message's kind and payload, and the listing's seller: what words a hit for its reader, as a preview is. */
		kind: MessageKind,
		payload: z.record(z.string(), z.unknown()).nullable(),
		product_seller_id: Id.nullable()
	})
	.transform((row) => ({ ...row, key: formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id }) }));
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchPage = z.object({ hits: z.array(SearchHit), next: Cursor.nullable() });
export type SearchPage = z.infer<typeof SearchPage>;

/** A short text the user saved to insert into the composer (most recently saved first). */
export const QuickReply = z.object({ id: Id, body: z.string(), updated_at: Timestamp });
export type QuickReply = z.infer<typeof QuickReply>;

/** At most this many quick replies per user, each at most QUICK_REPLY_MAX_LENGTH characters. */
export const QUICK_REPLIES_MAX = 20;
export const QUICK_REPLY_MAX_LENGTH = 500;

/**
 * How fast a seller usually answers: the median time to the first reply to a new message over
 * the last 30 days (unanswered ones counted as waiting so far), and how many it rests on.
 * null when there are too few to say (fewer than 5).
 */
export const ResponseTime = z.object({ median_seconds: z.number().int().nonnegative(), replies: z.number().int().positive() }).nullable();
export type ResponseTime = z.infer<typeof ResponseTime>;

/** A member's messaging preferences: unread digests by email, notifications in the browser. */
export const MessagingPreferences = z.object({ email_digests: z.boolean(), browser_notifications: z.boolean() });
export type MessagingPreferences = z.infer<typeof MessagingPreferences>;

export const BlockState = z.object({ user_id: Id, blocked: z.boolean() });
export type BlockState = z.infer<typeof BlockState>;

/** The blocks between the caller and another user, each way, as a thread tells them. */
export const BlockBetween = z.object({ user_id: Id, blocked_by_me: z.boolean(), blocked_me: z.boolean() });
export type BlockBetween = z.infer<typeof BlockBetween>;

export const ReportReceipt = z.object({ id: Id, message_id: Id });
export type ReportReceipt = z.infer<typeof ReportReceipt>;
