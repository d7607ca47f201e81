import { runtime } from '$lib/server/runtime';
import type { LayoutServerLoad } from './$types';

/**
 * Every page knows who is signed in and, for them, where the realtime feed starts (the event
 * cursor, read before any data so nothing falls between) and the unread total for the header.
 */
export const load: LayoutServerLoad = async ({ locals }) => {
	if (!locals.user) return { user: null, realtime: null };
	const cursor = await locals.messaging.currentEventCursor();
	const unreadTotal = await locals.messaging.unreadTotal();
	return {
		user: locals.user,
		realtime: {
			cursor,
			unreadTotal,
			transport: locals.supabase ? ('supabase' as const) : ('sse' as const),
			supabase: (await runtime()).config.supabase
		}
	};
};
