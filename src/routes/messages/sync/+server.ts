import { error, json } from '@sveltejs/kit';
import { orErrorPage } from '$lib/server/backend/user-errors';
import type { RequestHandler } from './$types';

/** Catch-up for a tab coming back: the caller's events after ?cursor=. */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.user) error(401, { message: 'Sign in to receive messages.' });
	const cursor = url.searchParams.get('cursor') ?? '';
	if (!/^\d{1,15}$/.test(cursor)) error(400, { message: 'cursor must be the last event id you have.' });
	return json(await orErrorPage(() => locals.messaging.syncSince({ cursor: Number(cursor) })));
};
