import type { RealtimeSession, SessionStart } from '../../messaging/schemas/index.js';
import { orErrorPage } from './backend/user-errors.js';
import { checkMessagingLocals } from './locals.js';

/**
 * For a layout's load: where the signed-in user's realtime feed starts (the event cursor, read
 * before any page data so nothing falls between), the unread total for the header badge, and
 * the member's preferences (the browser decides on notifications with them). Every load also
 * records the member as seen, so no digest mails them what they could read on screen; on
 * Supabase no server stream sees them, and this is how the digest worker learns they were here.
 * null when nobody is signed in.
 */
export async function loadMessagingSession(locals: App.Locals): Promise<RealtimeSession | null> {
	checkMessagingLocals(locals, { realtime: true });
	if (!locals.user) return null;
	const { cursor, unread_total, preferences } = await orErrorPage(() => startMessagingSession(locals));
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

const started = new WeakMap<App.Locals, Promise<SessionStart>>();

/**
 * The request's one session start, whichever load asks first. A page's load starts it before its
 * own reads: both adapters run a call made after a session start after it (the Postgres adapter
 * in the same round trip), so the page's data is read after the cursor without waiting for the
 * layout, and a signed-in page costs one round trip.
 */
export function startMessagingSession(locals: App.Locals): Promise<SessionStart> {
	let start = started.get(locals);
	if (!start) started.set(locals, (start = locals.messaging.sessionStart()));
	return start;
}
