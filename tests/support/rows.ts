import { formatConversationKey } from '../../src/lib/messaging/conversation-key.ts';
import {
	ConversationPreview,
	ConversationPreviewRow,
	Message,
	MessagingEvent,
	OpenedConversationRow,
	ReadState,
	SearchHit,
	type OpenedConversation,
	type ProductSummary,
	type UserSummary
} from '../../src/lib/messaging/schemas/index.ts';

/**
 * Messaging rows and events as the RPCs and the event log deliver them, for unit tests. Every
 * builder starts from one conversation (Alice asks me about her oak chair), validates what it
 * builds with the shared zod schema, and takes overrides for what a test is about.
 */

export const ME = '11111111-1111-4111-8111-111111111111';
export const ALICE = '22222222-2222-4222-8222-222222222222';
export const BOB = '33333333-3333-4333-8333-333333333333';
export const PRODUCT = 'a0000000-0000-4000-8000-000000000001';
export const CONVERSATION = 'c0000000-0000-4000-8000-000000000001';

const numbered = (prefix: string) => (n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const conversationId = numbered('c0000000');
export const userId = numbered('b0000000');
export const messageId = numbered('d0000000');

/** 2026-11-24 10:00 UTC plus the given seconds and microseconds, as PostgreSQL writes it. */
export function at(seconds: number, micros = 1): string {
	const whole = new Date(Date.UTC(2026, 10, 24, 10, 0, seconds)).toISOString().slice(0, 19);
	return `${whole}.${String(micros).padStart(6, '0')}+00:00`;
}

export const me: UserSummary = { id: ME, username: 'me', display_name: 'Me', avatar_url: null };
export const alice: UserSummary = { id: ALICE, username: 'alice', display_name: 'Alice', avatar_url: null };

export const product: ProductSummary = {
	id: PRODUCT,
	title: 'Oak chair',
	price_cents: 4500,
	currency: 'EUR',
	image_url: null,
	status: 'active',
	seller_id: ALICE
};

/** The key of the default conversation, from my side. */
export const KEY = formatConversationKey({ otherUserId: ALICE, productId: PRODUCT });

export function message(overrides: Partial<Message> = {}): Message {
	return Message.parse({
		id: messageId(1),
		conversation_id: CONVERSATION,
		sender_id: ALICE,
		sender_username: 'alice',
		sender_display_name: 'Alice',
		sender_avatar_url: null,
		kind: 'text',
		body: 'Is it still available?',
		reply_to_id: null,
		reply_to_sender_id: null,
		reply_to_preview: null,
		reply_to_deleted: false,
		created_at: at(0),
		edited_at: null,
		deleted_at: null,
		product_id: PRODUCT,
		product_title: product.title,
		product_price_cents: product.price_cents,
		product_currency: product.currency,
		product_image_url: null,
		attachments: [],
		reactions: [],
		payload: null,
		offer: null,
		contact_hidden: false,
		...overrides
	});
}

export function readState(overrides: Partial<ReadState> = {}): ReadState {
	return ReadState.parse({
		conversation_id: CONVERSATION,
		unread_count: 0,
		last_read_at: null,
		last_read_message_id: null,
		archived: false,
		muted_until: null,
		other_last_read_at: null,
		other_last_read_message_id: null,
		...overrides
	});
}

/** A preview as list_conversation_previews returns it and events carry it: without its key. */
export function previewRow(overrides: Partial<ConversationPreviewRow> = {}): ConversationPreviewRow {
	return ConversationPreviewRow.parse({
		conversation_id: CONVERSATION,
		other_user_id: ALICE,
		other_username: 'alice',
		other_display_name: 'Alice',
		other_avatar_url: null,
		product_id: PRODUCT,
		product_title: product.title,
		product_price_cents: product.price_cents,
		product_currency: product.currency,
		product_image_url: null,
		product_status: 'active',
		last_message_id: messageId(1),
		last_message_at: at(0),
		last_message_preview: 'Is it still available?',
		last_message_sender_id: ALICE,
		last_message_deleted: false,
		last_message_kind: 'text',
		needs_reply: false,
		last_message_payload: null,
		product_seller_id: product.seller_id,
		other_deleted: false,
		unread_count: 0,
		archived: false,
		muted_until: null,
		other_last_read_at: null,
		...overrides
	});
}

/** A preview as a page hands it to the browser: keyed. */
export function preview(overrides: Partial<ConversationPreviewRow> = {}): ConversationPreview {
	return ConversationPreview.parse(previewRow(overrides));
}

/** A row of search_messages, before it is keyed. */
export function searchHitRow(overrides: Partial<SearchHitRow> = {}): SearchHitRow {
	const row: SearchHitRow = {
		message_id: messageId(1),
		conversation_id: CONVERSATION,
		sender_id: ALICE,
		body: 'Is it still available?',
		created_at: at(0),
		other_user_id: ALICE,
		other_display_name: 'Alice',
		other_avatar_url: null,
		product_id: PRODUCT,
		product_title: product.title,
		kind: 'text',
		payload: null,
		product_seller_id: product.seller_id,
		...overrides
	};
	SearchHit.parse(row);
	return row;
}
export type SearchHitRow = Omit<SearchHit, 'key'>;

/** What openConversation returns; `messages` are given oldest first and paged newest first. */
export function openedConversation(
	overrides: Partial<Omit<OpenedConversation, 'page'>> & { messages?: Message[]; next?: OpenedConversation['page']['next'] } = {}
): OpenedConversation {
	const { messages = [], next = null, key = KEY, ...rest } = overrides;
	const row = OpenedConversationRow.parse({
		conversation_id: CONVERSATION,
		other_user: alice,
		product,
		read_state: readState(),
		blocked_by_me: false,
		blocked_me: false,
		messages,
		...rest
	});
	return {
		key,
		conversation_id: row.conversation_id,
		other_user: row.other_user,
		product: row.product,
		read_state: row.read_state,
		blocked_by_me: row.blocked_by_me,
		blocked_me: row.blocked_me,
		page: { messages: [...row.messages].reverse(), next }
	};
}

// ---------------------------------------------------------------------------------------
// Events of a user's log. Each gets the next id unless the test names one.

let lastEventId = 0;
const eventId = (id?: number) => id ?? ++lastEventId;

/** A message event; its preview row follows the message unless overridden, or is left out with `preview: null`. */
export function messageEvent(
	msg: Message,
	options: { type?: 'message.created' | 'message.updated'; preview?: Partial<ConversationPreviewRow> | null; unreadTotal?: number; id?: number } = {}
): MessagingEvent {
	const row =
		options.preview === null
			? null
			: previewRow({
					conversation_id: msg.conversation_id,
					last_message_id: msg.id,
					last_message_at: msg.created_at,
					last_message_preview: msg.body,
					last_message_sender_id: msg.sender_id,
					// As the recipient's live event has it: their conversation counts the message unread.
					unread_count: msg.sender_id === ME ? 0 : 1,
					...options.preview
				});
	return MessagingEvent.parse({
		type: options.type ?? 'message.created',
		id: eventId(options.id),
		conversation_id: msg.conversation_id,
		created_at: msg.created_at,
		payload: { message: msg, preview: row, unread_total: options.unreadTotal }
	});
}

/** Events carry the recipient's badge total as the server computed it (muted and archived left out). */
export function readEvent(state: ReadState, options: { unreadTotal?: number; id?: number } = {}): MessagingEvent {
	return MessagingEvent.parse({
		type: 'read',
		id: eventId(options.id),
		conversation_id: state.conversation_id,
		created_at: at(59),
		payload: { read_state: state, unread_total: options.unreadTotal }
	});
}

export function conversationUpdatedEvent(
	state: ReadState,
	row: ConversationPreviewRow | null,
	options: { unreadTotal?: number; id?: number } = {}
): MessagingEvent {
	return MessagingEvent.parse({
		type: 'conversation.updated',
		id: eventId(options.id),
		conversation_id: state.conversation_id,
		created_at: at(59),
		payload: { read_state: state, preview: row, unread_total: options.unreadTotal }
	});
}

export function blockEvent(payload: { other_user_id: string; by_me: boolean; blocked: boolean; unread_total?: number }, options: { id?: number } = {}): MessagingEvent {
	return MessagingEvent.parse({ type: 'block.updated', id: eventId(options.id), conversation_id: null, created_at: at(59), payload });
}
