import { isHttpError } from '@sveltejs/kit';
import { loadMessagingSession } from '$lib/server';
import type { LayoutServerLoad } from './$types';

/**
 * Every page knows who is signed in and, for them, where the realtime feed starts. With the
 * database out of reach the layout still renders (without the feed): a failing root layout leaves
 * SvelteKit only its bare fallback page, which neither says "retrying" nor reloads itself, while the
 * page's own load then fails into the error page that does.
 */
export const load: LayoutServerLoad = async ({ locals }) => ({
	user: locals.user,
	messaging: await loadMessagingSession(locals).catch((e: unknown) => {
		if (isHttpError(e, 503)) return null;
		throw e;
	})
});
