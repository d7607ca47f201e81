import { error } from '@sveltejs/kit';
import { tryParseConversationKey } from '$lib/messaging/conversation-key';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
	if (!locals.user) error(401, { message: 'Sign in to see your messages.' });
	const key = url.searchParams.get('conversation');
	if (key !== null && !tryParseConversationKey(key)) error(400, { message: 'This conversation link is not valid.' });
	return { conversationKey: key };
};
