import { z } from 'zod';
import { ConversationPreviewRow, Id, Message, MessagingPreferences, QuickReply, ReadState, Timestamp } from './rows.js';

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
	}),
	/** The member's quick replies after a change of them (on any of their devices), newest first. */
	z.object({
		type: z.literal('quick_replies.updated'),
		id: z.number().int().positive(),
		conversation_id: z.null(),
		created_at: Timestamp,
		payload: z.object({ quick_replies: z.array(QuickReply) })
	}),
	/** The member's settings after a change of them (on any of their devices). */
	z.object({
		type: z.literal('preferences.updated'),
		id: z.number().int().positive(),
		conversation_id: z.null(),
		created_at: Timestamp,
		payload: z.object({ preferences: MessagingPreferences })
	})
]);
export type MessagingEvent = z.infer<typeof MessagingEvent>;

/** Every type of event in a member's log, by which the live stream names them; a type left out here does not compile. */
const EVENT_TYPES: Record<MessagingEvent['type'], true> = {
	'message.created': true,
	'message.updated': true,
	read: true,
	'conversation.updated': true,
	'block.updated': true,
	'quick_replies.updated': true,
	'preferences.updated': true
};
export const MESSAGING_EVENT_TYPES = Object.keys(EVENT_TYPES) as MessagingEvent['type'][];

/** The recipient's badge total the event carries: events about the member's settings have none. */
export function unreadTotalOf(event: MessagingEvent): number | undefined {
	return 'unread_total' in event.payload ? event.payload.unread_total : undefined;
}

export const SyncResult = z.object({
	events: z.array(MessagingEvent),
	cursor: z.number().int().nonnegative(),
	resync: z.boolean(),
	has_more: z.boolean()
});
export type SyncResult = z.infer<typeof SyncResult>;

/**
 * SyncResult as a tab reads it: an event of a type its code does not know (a newer server's,
 * for a tab still running what it loaded before a deploy) is left out, and the cursor passes it
 * as it passes purged messages. Refusing the whole result failed every catch-up until a reload.
 */
export const TabSyncResult = SyncResult.extend({
	events: z.array(z.unknown()).transform((events) =>
		events.flatMap((event) => {
			const known = MessagingEvent.safeParse(event);
			return known.success ? [known.data] : [];
		})
	)
});

/**
 * Signals that need no log: lost ones are harmless and expire by themselves. Typing holds `until`
 * a time (ms since epoch); 0 says the writer stopped (cleared their text) before it ran out.
 */
export const MessagingSignal = z.discriminatedUnion('type', [
	z.object({ type: z.literal('typing'), conversation_id: Id, user_id: Id, until: z.number() }),
	z.object({ type: z.literal('presence'), user_id: Id, online: z.boolean(), last_seen: z.number().nullable() })
]);
export type MessagingSignal = z.infer<typeof MessagingSignal>;

/** A Supabase push: no content, only the newest event id the recipient's log holds (see messaging_realtime_parity). */
export const RealtimePoke = z.object({ cursor: z.number().int().nonnegative() });
export type RealtimePoke = z.infer<typeof RealtimePoke>;

/** Where a signed-in page's feed starts and its badge total, read together (messaging_session_start). */
export const SessionStart = z.object({
	cursor: z.number().int().nonnegative(),
	unread_total: z.number().int().nonnegative(),
	preferences: MessagingPreferences
});
export type SessionStart = z.infer<typeof SessionStart>;

/** What a signed-in page hands the browser to start its realtime feed: the layout loads it with loadMessagingSession. */
export const RealtimeSession = z.object({
	me: Id,
	/** The last event id the page's data already includes. */
	cursor: z.number().int().nonnegative(),
	unreadTotal: z.number().int().nonnegative(),
	transport: z.enum(['sse', 'supabase']),
	supabase: z.object({ url: z.string(), anonKey: z.string() }).optional(),
	/** The member's settings, for the browser's side of them (notifications); absent means both on, as the database starts them. */
	preferences: MessagingPreferences.optional()
});
export type RealtimeSession = z.infer<typeof RealtimeSession>;
