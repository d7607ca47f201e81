import { z } from 'zod';
import type { Database } from '$lib/database.types';
import { formatConversationKey, type ConversationKeyParts } from '$lib/messaging/conversation-key';
import { MessagingError } from '$lib/messaging/errors';
import {
	Attachment,
	BlockState,
	ConversationPreview,
	Cursor,
	InboxFilter,
	Message,
	OpenedConversationRow,
	ReactionEmoji,
	ReadState,
	ReportReceipt,
	SearchHit,
	SessionStart,
	SyncResult,
	type MessagePage,
	type OpenedConversation,
	type PreviewPage,
	type ProductSummary,
	type ReportReason,
	type SearchPage
} from '$lib/messaging/schemas';
import { conversationTarget, id } from './ids';
import { offerMethods, type MakeOffer, type RespondToOffer } from './offers';

/**
 * The messaging contract the app talks to: one method per RPC, results parsed with zod.
 * User mistakes come back as MessagingError; anything else thrown is a bug.
 */
export interface MessagingBackend {
	openConversation(options: ConversationKeyParts & { limit?: number }): Promise<OpenedConversation>;
	sendMessage(options: SendMessage): Promise<Message>;
	listConversationPreviews(options?: { filter?: InboxFilter; before?: Cursor | null; limit?: number }): Promise<PreviewPage>;
	listMessages(options: { conversationId: string; before?: Cursor | null; limit?: number }): Promise<MessagePage>;
	markConversationRead(options: { conversationId: string; upToMessageId?: string | null }): Promise<ReadState>;
	unreadTotal(): Promise<number>;
	editMessage(options: { id: string; body: string }): Promise<Message>;
	deleteMessage(options: { id: string }): Promise<Message>;
	setArchived(options: { conversationId: string; archived: boolean }): Promise<ReadState>;
	setMuted(options: { conversationId: string; until: string | null }): Promise<ReadState>;
	blockUser(options: { userId: string }): Promise<BlockState>;
	unblockUser(options: { userId: string }): Promise<BlockState>;
	reportMessage(options: { messageId: string; reason: ReportReason; details?: string }): Promise<ReportReceipt>;
	searchMessages(options: { query: string; before?: Cursor | null; limit?: number }): Promise<SearchPage>;
	/** The caller's events after `cursor`, oldest first; `resync` when the cursor is too old to catch up from. */
	syncSince(options: { cursor: number; limit?: number }): Promise<SyncResult>;
	/** The caller's newest event id: where a freshly loaded page starts listening. */
	currentEventCursor(): Promise<number>;
	/** currentEventCursor and unreadTotal in one call, both as of one moment: what a signed-in page starts from. */
	sessionStart(): Promise<SessionStart>;
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
}

/** What image processing measured of a photo: the display size, the thumbnail and the bytes stored for both. */
export interface AttachmentDimensions {
	width: number;
	height: number;
	thumbWidth: number;
	thumbHeight: number;
	bytes: number;
}

/** Into an existing conversation by id, or into the conversation a key names (created on first send). */
export type SendMessage = { id: string; body: string; replyToId?: string | null; attachmentIds?: string[] } & (
	| { conversationId: string }
	| { to: ConversationKeyParts }
);

type Functions = Database['public']['Functions'];

/** The functions of the public schema, as `npm run types` found them in the migrations. */
export type RpcName = keyof Functions & string;

/**
 * The function's named arguments. PostgreSQL passes null to any of them (`set_muted` needs it
 * to unmute), but the generated Args type cannot say so, so null is added here; not to the
 * index signature that stands for "no arguments", which must stay empty.
 */
export type RpcArgs<Name extends RpcName> = {
	[Arg in keyof Functions[Name]['Args']]: Functions[Name]['Args'][Arg] | (string extends Arg ? never : null);
};

/** Set-returning functions come out of the generator as arrays of rows. */
export type RpcShape<Name extends RpcName> = Functions[Name]['Returns'] extends unknown[] ? 'rows' : 'value';

/**
 * Calls one RPC with named arguments and returns its JSON result: the function's value, or
 * an array of rows for set-returning functions. Throws MessagingError for user errors.
 * Names, arguments and shape are checked against the generated types; the result stays
 * unknown because every caller parses it with zod.
 */
export type RpcCall = <Name extends RpcName>(name: Name, args: RpcArgs<Name>, shape: RpcShape<Name>) => Promise<unknown>;

/** attachment_for_reader's answer: the photo, and its message (null while pending). */
const AttachmentAccess = z.object({ id: z.uuid(), message_id: z.uuid().nullable() });

function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): { items: T[]; next: Cursor | null } {
	const items = rows.slice(0, limit);
	return { items, next: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}

const clampLimit = (limit: number | undefined, fallback: number, max: number) =>
	Math.min(Math.max(Math.trunc(limit ?? fallback), 1), max);

/** The backend over any RPC transport; the adapters differ only in how they call. */
export function rpcMessagingBackend(call: RpcCall): MessagingBackend {
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
			return Message.parse(
				await call(
					'send_message',
					{
						p_id: id(options.id, 'message'),
						p_body: options.body,
						...target,
						p_reply_to_id: options.replyToId ? id(options.replyToId, 'reply') : null,
						// Left out when there are none: a send without photos is the same call as before photos existed.
						...(options.attachmentIds?.length ? { p_attachment_ids: options.attachmentIds.map((photo) => id(photo, 'photo')) } : {})
					},
					'value'
				)
			);
		},

		async listConversationPreviews({ filter = 'all', before = null, limit } = {}) {
			const size = clampLimit(limit, 30, 99);
			const rows = z.array(ConversationPreview).parse(
				await call(
					'list_conversation_previews',
					{ p_filter: InboxFilter.parse(filter), p_before_at: before?.at ?? null, p_before_id: before?.id ?? null, p_limit: size + 1 },
					'rows'
				)
			);
			const { items, next } = pageOf(rows, size, (p) => ({ at: p.last_message_at, id: p.conversation_id }));
			return { previews: items, next };
		},

		async listMessages({ conversationId, before = null, limit }) {
			const size = clampLimit(limit, 50, 199);
			const rows = z.array(Message).parse(
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

		async unreadTotal() {
			return z.number().int().nonnegative().parse(await call('unread_total', {}, 'value'));
		},

		async editMessage({ id: messageId, body }) {
			return Message.parse(await call('edit_message', { p_id: id(messageId, 'message'), p_body: body }, 'value'));
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

		async blockUser({ userId }) {
			return BlockState.parse(await call('block_user', { p_user_id: id(userId, 'user') }, 'value'));
		},

		async unblockUser({ userId }) {
			return BlockState.parse(await call('unblock_user', { p_user_id: id(userId, 'user') }, 'value'));
		},

		async reportMessage({ messageId, reason, details = '' }) {
			return ReportReceipt.parse(
				await call('report_message', { p_message_id: id(messageId, 'message'), p_reason: reason, p_details: details }, 'value')
			);
		},

		async searchMessages({ query, before = null, limit }) {
			const size = clampLimit(limit, 20, 99);
			const rows = z.array(SearchHit).parse(
				await call(
					'search_messages',
					{ p_query: query, p_before_at: before?.at ?? null, p_before_id: before?.id ?? null, p_limit: size + 1 },
					'rows'
				)
			);
			const { items, next } = pageOf(rows, size, (hit) => ({ at: hit.created_at, id: hit.message_id }));
			return { hits: items, next };
		},

		async syncSince({ cursor, limit = 500 }) {
			if (!Number.isSafeInteger(cursor) || cursor < 0) throw new MessagingError('invalid_input', 'The event cursor is not valid.');
			return SyncResult.parse(await call('sync_since', { p_cursor: cursor, p_limit: limit }, 'value'));
		},

		async currentEventCursor() {
			return z.number().int().nonnegative().parse(await call('current_event_cursor', {}, 'value'));
		},

		async sessionStart() {
			return SessionStart.parse(await call('messaging_session_start', {}, 'value'));
		},

		async createAttachment({ width, height, thumbWidth, thumbHeight, bytes }) {
			return Attachment.parse(
				await call(
					'create_attachment',
					{ p_width: width, p_height: height, p_thumb_width: thumbWidth, p_thumb_height: thumbHeight, p_bytes: bytes },
					'value'
				)
			);
		},

		async discardAttachment({ id: photoId }) {
			await call('discard_attachment', { p_id: id(photoId, 'photo') }, 'value');
		},

		async attachmentForReader({ id: photoId }) {
			return AttachmentAccess.parse(await call('attachment_for_reader', { p_id: id(photoId, 'photo') }, 'value'));
		},

		async toggleReaction({ messageId, emoji }) {
			if (!ReactionEmoji.safeParse(emoji).success) throw new MessagingError('invalid_input', 'Choose one of the offered reactions.');
			return Message.parse(await call('toggle_reaction', { p_message_id: id(messageId, 'message'), p_emoji: emoji }, 'value'));
		},

		...offerMethods(call)
	};
}

function messageCursor(message: Message): Cursor {
	return { at: message.created_at, id: message.id };
}
