import { z } from 'zod';
import { Cursor, Id, Message, MessagingPreferences, QuickReply, ReportReason, Timestamp } from '$lib/messaging/schemas/index.js';
import { id } from './ids.js';
import type { RpcCall } from './rpc-call.js';

/** What a download of the member's data starts from (start_data_export): when, who, their settings. */
export const ExportStart = z.object({
	exported_at: Timestamp,
	profile: z.object({
		id: Id,
		username: z.string(),
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		tier: z.string(),
		created_at: Timestamp
	}),
	preferences: MessagingPreferences,
	quick_replies: z.array(QuickReply),
	/** The members the caller blocked, newest first. */
	blocks: z.array(z.object({ user_id: Id, username: z.string(), display_name: z.string(), blocked_at: Timestamp })),
	/** The reports the caller filed, newest first: why, not the reported text (the other member's). */
	reports: z.array(
		z.object({
			id: Id,
			message_id: Id.nullable(),
			conversation_id: Id,
			reported_user_id: Id,
			reason: ReportReason,
			details: z.string(),
			reported_at: Timestamp
		})
	)
});
export type ExportStart = z.infer<typeof ExportStart>;

/** One of the member's conversations as the download lists it: with whom, about what, their own state of it. */
export const ExportedConversation = z.object({
	conversation_id: Id,
	started_at: Timestamp,
	other_user_id: Id,
	other_username: z.string(),
	other_display_name: z.string(),
	product_id: Id.nullable(),
	product_title: z.string().nullable(),
	product_price_cents: z.number().int().nullable(),
	product_currency: z.string().nullable(),
	archived: z.boolean(),
	muted_until: Timestamp.nullable(),
	last_read_at: Timestamp.nullable()
});
export type ExportedConversation = z.infer<typeof ExportedConversation>;

/** An offer made in one of the member's conversations, as its buyer or its seller. */
export const ExportedOffer = z.object({
	id: Id,
	product_id: Id,
	buyer_id: Id,
	seller_id: Id,
	amount_cents: z.number().int(),
	currency: z.string(),
	status: z.string(),
	created_at: Timestamp,
	updated_at: Timestamp
});
export type ExportedOffer = z.infer<typeof ExportedOffer>;

/** What erasing an account did: when, and how many of each thing went. */
export const ErasedAccount = z.object({
	erased_at: Timestamp,
	messages: z.number().int().nonnegative(),
	photos: z.number().int().nonnegative(),
	reactions: z.number().int().nonnegative(),
	conversations: z.number().int().nonnegative()
});
export type ErasedAccount = z.infer<typeof ErasedAccount>;

/** A member's own data: downloading it page by page, erasing the account. */
export interface AccountData {
	/** Starts a download of the caller's data (at most 3 an hour, `rate_limited` after that): what it begins with. */
	startDataExport(): Promise<ExportStart>;
	/** The caller's conversations in id order, after `after`. */
	exportConversations(options?: { after?: string | null; limit?: number }): Promise<ExportedConversation[]>;
	/** A conversation's messages oldest first, after the cursor, as the caller sees them in the thread. */
	exportMessages(options: { conversationId: string; after?: Cursor | null; limit?: number }): Promise<Message[]>;
	/** The offers of a conversation oldest first, after the cursor (`at` is when the offer was made). */
	exportOffers(options: { conversationId: string; after?: Cursor | null; limit?: number }): Promise<ExportedOffer[]>;
	/**
	 * Erases the caller's account: their messages' text and photos, reactions, settings, event log; the
	 * profile becomes "Deleted user". Asking again for an erased account answers when it was. The login
	 * itself is the host's to remove afterwards (with the service role on Supabase).
	 */
	eraseMyAccount(): Promise<ErasedAccount>;
}

export function accountMethods(call: RpcCall): AccountData {
	return {
		async startDataExport() {
			return ExportStart.parse(await call('start_data_export', {}, 'value'));
		},

		async exportConversations({ after = null, limit = 50 } = {}) {
			return z
				.array(ExportedConversation)
				.parse(await call('export_conversations', { p_after: after ? id(after, 'conversation') : null, p_limit: limit }, 'rows'));
		},

		async exportMessages({ conversationId, after = null, limit = 200 }) {
			return z.array(Message).parse(
				await call(
					'export_messages',
					{ p_conversation_id: id(conversationId, 'conversation'), p_after_at: after?.at ?? null, p_after_id: after?.id ?? null, p_limit: limit },
					'rows'
				)
			);
		},

		async exportOffers({ conversationId, after = null, limit = 100 }) {
			return z.array(ExportedOffer).parse(
				await call(
					'export_offers',
					{ p_conversation_id: id(conversationId, 'conversation'), p_after_at: after?.at ?? null, p_after_id: after?.id ?? null, p_limit: limit },
					'rows'
				)
			);
		},

		async eraseMyAccount() {
			return ErasedAccount.parse(await call('erase_my_account', {}, 'value'));
		}
	};
}
