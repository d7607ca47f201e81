import type { RealtimeSession } from '../../messaging/schemas';
import { orErrorPage } from './backend/user-errors';

/**
 * For a layout's load: where the signed-in user's realtime feed starts (the event cursor, read
 * before any page data so nothing falls between), the unread total for the header badge, and
 * the member's preferences (the browser decides on notifications with them). Every load also
 * records the member as seen, so no digest mails them what they could read on screen; on
 * Supabase no server stream sees them, and this is how the digest worker learns they were here.
 * null when nobody is signed in.
 */
export async function loadMessagingSession(locals: App.Locals): Promise<RealtimeSession | null> {
	if (!locals.user) return null;
	// One round trip, which every signed-in page waits for before its own data; it records the member as seen too.
	const { cursor, unread_total, preferences } = await orErrorPage(() => locals.messaging.sessionStart());
	const realtime = locals.messagingRealtime;
	return {
		me: locals.user.id,
		cursor,
		unreadTotal: unread_total,
		transport: realtime.transport,
		supabase: realtime.transport === 'supabase' ? realtime.supabase : undefined,
		preferences
	};
}
