import { loadMessagingSession } from '$lib/server';
import type { LayoutServerLoad } from './$types';

/** Every page knows who is signed in and, for them, where the realtime feed starts. */
export const load: LayoutServerLoad = async ({ locals }) => ({
	user: locals.user,
	messaging: await loadMessagingSession(locals)
});
