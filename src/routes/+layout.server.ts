import { isHttpError } from '@sveltejs/kit';
import { loadMessagingSession } from '$lib/server';
import type { LayoutServerLoad } from './$types';

/**
 * Every page knows who is signed in and, for them, where the realtime feed starts. With the
 * database out of reach the layout still renders (without the feed): a failing root layout leaves
 * SvelteKit only its bare fallback page, which neither says "retrying" nor reloads itself, while the
 * page's own load then fails into the error page that does.
 */
export const load: LayoutServerLoad = async ({ locals, url }) => {
	// Read for SvelteKit to rerun this load when it changes: a page sends the visitor to sign in
	// with `next`, because their session ended unknown to the page (expired, cookie cleared), and a
	// client-side redirect reran only the sign-in page's load, leaving the old member in the header
	// and their feed running. Only visits to or from the sign-in page pay for it, and signed out the
	// load asks nothing of the database.
	url.searchParams.get('next');
	return {
		user: locals.user,
		messaging: await loadMessagingSession(locals).catch((e: unknown) => {
			if (isHttpError(e, 503)) return null;
			throw e;
		})
	};
};
