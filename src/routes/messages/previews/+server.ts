import { error, json } from '@sveltejs/kit';
import { InboxFilter } from '$lib/messaging/schemas';
import { cursorFrom } from '$lib/server/backend/cursor-params';
import { orErrorPage } from '$lib/server/backend/user-errors';
import type { RequestHandler } from './$types';

/** More of the inbox, loaded as the list scrolls. */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.user) error(401, { message: 'Sign in to see your messages.' });
	const filter = InboxFilter.safeParse(url.searchParams.get('filter') ?? 'all');
	if (!filter.success) error(400, { message: 'filter must be all, unread or archived.' });
	const before = cursorFrom(url);
	return json(await orErrorPage(() => locals.messaging.listConversationPreviews({ filter: filter.data, before })));
};
