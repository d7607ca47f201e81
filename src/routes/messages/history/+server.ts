import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { cursorFrom } from '$lib/server/backend/cursor-params';
import { orErrorPage } from '$lib/server/backend/user-errors';
import type { RequestHandler } from './$types';

/** Older messages of a thread, loaded as the reader scrolls up. */
export const GET: RequestHandler = async ({ locals, url }) => {
	if (!locals.user) error(401, { message: 'Sign in to see your messages.' });
	const conversationId = z.uuid().safeParse(url.searchParams.get('conversation_id'));
	if (!conversationId.success) error(400, { message: 'conversation_id must be a conversation id.' });
	const before = cursorFrom(url);
	return json(await orErrorPage(() => locals.messaging.listMessages({ conversationId: conversationId.data, before, limit: 50 })));
};
