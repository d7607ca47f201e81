import { z } from 'zod';
import { formatConversationKey, type ConversationKeyParts } from '$lib/messaging/conversation-key.js';
import { MessagingError } from '$lib/messaging/errors.js';
import {
	Attachment,
	ConversationPreview,
	Cursor,
	InboxFilter,
	Message,
	OpenedConversationRow,
	ReactionEmoji,
	ReadState,
	ReportReceipt,
	SessionStart,
	SyncResult,
	type MessagePage,
	type OpenedConversation,
	type PreviewPage,
	type ProductSummary,
	type MessagingPreferences,
	type QuickReply,
	type ReportReason,
	type ResponseTime,
	type BlockBetween,
	type BlockState
} from '$lib/messaging/schemas/index.js';
import { conversationTarget, id } from './ids.js';
import { clampLimit, messageCursor, pageOf } from './paging.js';
import { attachmentMethods, type AttachmentDimensions } from './attachments.js';
import { blockMethods } from './blocks.js';
import { offerMethods, type MakeOffer, type ListingDeal, type RespondToOffer } from './offers.js';
import type { RpcCall, RpcName } from './rpc-call.js';
import { accountMethods, type AccountData } from './account.js';
import { digestMethods, type DigestLinks } from './digests.js';
import { preferenceMethods } from './preferences.js';
import { searchMethods, type SearchMethods } from './search.js';
import { triageMethods } from './triage.js';
import { withScreening, type ContactScreen, type ScreenedText } from '../contact/screen.js';

// Made once: a zod schema costs microseconds to build, and these parse on every page.
const PreviewRows = z.array(ConversationPreview);
const MessageRows = z.array(Message);

/**
 * The messaging contract the app talks to: one method per RPC, results parsed with zod.
 * User mistakes come back as MessagingError; anything else thrown is a bug.
 */
export interface MessagingBackend extends AccountData, DigestLinks, SearchMethods {
	openConversation(options: ConversationKeyParts & { limit?: number }): Promise<OpenedConversation>;
	sendMessage(options: SendMessage): Promise<Message>;
	/** The `listing` filter needs `productId`: the caller's conversations about that product. */
	listConversationPreviews(options?: { filter?: InboxFilter; productId?: string | null; before?: Cursor | null; limit?: number }): Promise<PreviewPage>;
	listMessages(options: { conversationId: string; before?: Cursor | null; limit?: number }): Promise<MessagePage>;
	markConversationRead(options: { conversationId: string; upToMessageId?: string | null }): Promise<ReadState>;
	/** Counts a read conversation as one unread message until it is read or written in again; the read position stays. */
	markConversationUnread(options: { conversationId: string }): Promise<ReadState>;
	unreadTotal(): Promise<number>;
	editMessage(options: { id: string; body: string }): Promise<Message>;
	deleteMessage(options: { id: string }): Promise<Message>;
	setArchived(options: { conversationId: string; archived: boolean }): Promise<ReadState>;
	setMuted(options: { conversationId: string; until: string | null }): Promise<ReadState>;
	blockUser(options: { userId: string }): Promise<BlockState>;
	unblockUser(options: { userId: string }): Promise<BlockState>;
	/** Whether the caller and that user blocked one another, each way: for a page offering a way to write to them. */
	blockBetween(options: { userId: string }): Promise<BlockBetween>;
	reportMessage(options: { messageId: string; reason: ReportReason; details?: string }): Promise<ReportReceipt>;
	/** The caller's events after `cursor`, oldest first; `resync` when the cursor is too old to catch up from. */
	syncSince(options: { cursor: number; limit?: number }): Promise<SyncResult>;
	/** The caller's newest event id: where a freshly loaded page starts listening. */
	currentEventCursor(): Promise<number>;
	/** currentEventCursor, unreadTotal and the preferences in one call, as of one moment, recording the caller as seen: what a signed-in page starts from. */
	sessionStart(): Promise<SessionStart>;
	/** Refuses (rate_limited) when createAttachment would for the caller's pending photos: asked before a photo is processed. */
	checkPhotoRoom(): Promise<void>;
	/** Records a processed photo, pending until a message of the caller's takes it (sendMessage's attachmentIds). */
	createAttachment(options: AttachmentDimensions): Promise<Attachment>;
	/** Drops one of the caller's pending photos (removed before sending, or its files could not be stored). */
	discardAttachment(options: { id: string }): Promise<void>;
	/** The photo if the caller may see it (their own pending one, or one in a conversation of theirs, not deleted, no block); not_found otherwise. */
	attachmentForReader(options: { id: string }): Promise<{ id: string; message_id: string | null }>;
	/** Adds the caller's reaction with this emoji, or takes it back; the message as it is now. */
	toggleReaction(options: { messageId: string; emoji: ReactionEmoji }): Promise<Message>;
	/** The buyer offers an amount (minor units of the listing's currency); the offer card. Idempotent on `id`. */
	makeOffer(options: MakeOffer): Promise<Message>;
	/** Accept, decline, counter (with `amountCents` and the new card's `id`) or withdraw; the offer's newest card as it is now. */
	respondToOffer(options: RespondToOffer): Promise<Message>;
	/** The seller marks the listing sold to this conversation's buyer, or releases it; the product as it is now. */
	setListingStatus(options: { conversationId: string; status: 'sold' | 'active' }): Promise<ProductSummary>;
	/** The caller's quick replies, most recently saved first. */
	listQuickReplies(): Promise<QuickReply[]>;
	/** Saves a quick reply: a new one, or new text for the caller's own with this id. */
	saveQuickReply(options: { id: string; body: string }): Promise<QuickReply>;
	deleteQuickReply(options: { id: string }): Promise<{ id: string }>;
	/** The caller's newest offer on a listing and whether it is reserved for or sold to them; null when they have no part in it. */
	myDealOnListing(options: { productId: string }): Promise<ListingDeal | null>;
	/** How fast a seller usually answers; null without enough replies to say. Anyone may ask, signed in or not. */
	sellerResponseTime(options: { sellerId: string }): Promise<ResponseTime>;
	/** The caller's digest and notification preferences (both on until changed). */
	getPreferences(): Promise<MessagingPreferences>;
	/** Changes the preferences given, leaves the others; the preferences as they are now. */
	setPreferences(options: { emailDigests?: boolean; browserNotifications?: boolean }): Promise<MessagingPreferences>;
	/** The caller is online now (digests wait for members who are away). */
	markSeen(): Promise<void>;
}

export type { RpcArgs, RpcCall, RpcName, RpcShape } from './rpc-call.js';
export type { AttachmentDimensions } from './attachments.js';

/** Into an existing conversation by id, or into the conversation a key names (created on first send). */
export type SendMessage = { id: string; body: string; replyToId?: string | null; attachmentIds?: string[] } & (
	| { conversationId: string }
	| { to: ConversationKeyParts }
);

/** What both adapters take besides their connection. */
export interface BackendOptions {
	/** Screens texts for contact details while the operator's contact masking is on; without it such sends are refused then. */
	screen?: ContactScreen;
}

/**
 * Where a signed-in page's realtime feed starts. Both adapters run a call asked after it after it,
 * so a page's reads follow its cursor (each says how).
 */
export const SESSION_START = 'messaging_session_start' satisfies RpcName;

/** The backend over any RPC transport; the adapters differ only in how they call. */
export function rpcMessagingBackend(call: RpcCall, options: BackendOptions = {}): MessagingBackend {
	// The screen alone, not the options: an event stream keeps syncSince, and so this scope, for
	// hours, and the options the adapters pass carry the request's claims.
	const { screen } = options;
	const screened = <T>(messageId: string, body: string, send: (screening: ScreenedText | null) => Promise<T>) =>
		withScreening(screen, messageId, body, send);

	return {
		async openConversation({ otherUserId, productId, limit }) {
			const size = clampLimit(limit, 50, 199);
			const row = OpenedConversationRow.parse(
				await call(
					'open_conversation',
					{ p_other_user_id: id(otherUserId, 'user'), p_product_id: productId ? id(productId, 'product') : null, p_limit: size + 1 },
					'value'
				)
			);
			const { messages, ...conversation } = row;
			const { items, next } = pageOf(messages, size, messageCursor);
			return {
				...conversation,
				key: formatConversationKey({ otherUserId, productId }),
				page: { messages: items, next }
			};
		},

		async sendMessage(options) {
			const target = conversationTarget(options);
			const messageId = id(options.id, 'message');
			const replyToId = options.replyToId ? id(options.replyToId, 'reply') : null;
			const photos = options.attachmentIds?.map((photo) => id(photo, 'photo')) ?? [];
			return screened(messageId, options.body, async (screening) =>
				Message.parse(
					await call(
						'send_message',
						{
							p_id: messageId,
							p_body: options.body,
							...target,
							p_reply_to_id: replyToId,
							// Left out when there are none: a plain send is the same call as before photos and masking existed.
							...(photos.length ? { p_attachment_ids: photos } : {}),
							...screening
						},
						'value'
					)
				)
			);
		},

		async listConversationPreviews({ filter = 'all', productId = null, before = null, limit } = {}) {
			const size = clampLimit(limit, 30, 99);
			if (!InboxFilter.safeParse(filter).success) throw new MessagingError('invalid_input', 'Choose one of the inbox filters.');
			if (filter === 'listing' && !productId) throw new MessagingError('invalid_input', 'Choose the listing to show conversations about.');
			const rows = PreviewRows.parse(
				await call(
					'list_conversation_previews',
					{
						p_filter: filter,
						p_before_at: before?.at ?? null,
						p_before_id: before?.id ?? null,
						p_limit: size + 1,
						// Left out for the other filters: their call stays the one it was before listings had a filter.
						...(filter === 'listing' ? { p_product_id: id(productId!, 'product') } : {})
					},
					'rows'
				)
			);
			const { items, next } = pageOf(rows, size, (p) => ({ at: p.last_message_at, id: p.conversation_id }));
			return { previews: items, next };
		},

		async listMessages({ conversationId, before = null, limit }) {
			const size = clampLimit(limit, 50, 199);
			const rows = MessageRows.parse(
				await call(
					'list_messages',
					{
						p_conversation_id: id(conversationId, 'conversation'),
						p_before_at: before?.at ?? null,
						p_before_id: before?.id ?? null,
						p_limit: size + 1
					},
					'rows'
				)
			);
			const { items, next } = pageOf(rows, size, messageCursor);
			return { messages: items, next };
		},

		async markConversationRead({ conversationId, upToMessageId = null }) {
			return ReadState.parse(
				await call(
					'mark_conversation_read',
					{ p_conversation_id: id(conversationId, 'conversation'), p_up_to_message_id: upToMessageId ? id(upToMessageId, 'message') : null },
					'value'
				)
			);
		},

		async markConversationUnread({ conversationId }) {
			return ReadState.parse(await call('mark_conversation_unread', { p_conversation_id: id(conversationId, 'conversation') }, 'value'));
		},

		async unreadTotal() {
			return z.number().int().nonnegative().parse(await call('unread_total', {}, 'value'));
		},

		async editMessage({ id: given, body }) {
			const messageId = id(given, 'message');
			return screened(messageId, body, async (screening) =>
				Message.parse(await call('edit_message', { p_id: messageId, p_body: body, ...screening }, 'value'))
			);
		},

		async deleteMessage({ id: messageId }) {
			return Message.parse(await call('delete_message', { p_id: id(messageId, 'message') }, 'value'));
		},

		async setArchived({ conversationId, archived }) {
			return ReadState.parse(
				await call('set_archived', { p_conversation_id: id(conversationId, 'conversation'), p_archived: archived }, 'value')
			);
		},

		async setMuted({ conversationId, until }) {
			return ReadState.parse(await call('set_muted', { p_conversation_id: id(conversationId, 'conversation'), p_until: until }, 'value'));
		},

		async reportMessage({ messageId, reason, details = '' }) {
			return ReportReceipt.parse(
				await call('report_message', { p_message_id: id(messageId, 'message'), p_reason: reason, p_details: details }, 'value')
			);
		},

		async syncSince({ cursor, limit = 500 }) {
			if (!Number.isSafeInteger(cursor) || cursor < 0) throw new MessagingError('invalid_input', 'The event cursor is not valid.');
			return SyncResult.parse(await call('sync_since', { p_cursor: cursor, p_limit: limit }, 'value'));
		},

		async currentEventCursor() {
			return z.number().int().nonnegative().parse(await call('current_event_cursor', {}, 'value'));
		},

		async sessionStart() {
			return SessionStart.parse(await call(SESSION_START, {}, 'value'));
		},

		async toggleReaction({ messageId, emoji }) {
			if (!ReactionEmoji.safeParse(emoji).success) throw new MessagingError('invalid_input', 'Choose one of the offered reactions.');
			return Message.parse(await call('toggle_reaction', { p_message_id: id(messageId, 'message'), p_emoji: emoji }, 'value'));
		},

		...blockMethods(call),
		...searchMethods(call),
		...attachmentMethods(call),
		...offerMethods(call),
		...triageMethods(call),
		...preferenceMethods(call),
		...accountMethods(call),
		...digestMethods(call)
	};
}
