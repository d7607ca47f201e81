import type { RealtimeSession } from '../../messaging/schemas';

/**
 * For a layout's load: where the signed-in user's realtime feed starts (the event cursor, read
 * before any page data so nothing falls between) and the unread total for the header badge.
 * null when nobody is signed in.
 */
export async function loadMessagingSession(locals: App.Locals): Promise<RealtimeSession | null> {
	if (!locals.user) return null;
	// One call for both: every signed-in page pays for this before its own data.
	const { cursor, unread_total } = await locals.messaging.sessionStart();
	const realtime = locals.messagingRealtime;
	return {
		me: locals.user.id,
		cursor,
		unreadTotal: unread_total,
		transport: realtime.transport,
		supabase: realtime.transport === 'supabase' ? realtime.supabase : undefined
	};
}
