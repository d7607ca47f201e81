import { randomUUID } from 'node:crypto';
import { error, type ServerLoadEvent } from '@sveltejs/kit';
import { tryParseConversationKey } from '../../messaging/conversation-key.js';
import { MessagingError } from '../../messaging/errors.js';
import type { MessagesPageLoad } from '../../messaging/page-data.js';
import { InboxFilter } from '../../messaging/schemas/index.js';
import type { MessagingBackend } from './backend/messaging-backend.js';
import { orErrorPage } from './backend/user-errors.js';
import { checkMessagingLocals } from './locals.js';
import { startMessagingSession } from './session.js';

export { actions } from './actions.js';

// Made once: building a zod schema costs microseconds, on every page.
const InboxFilterOrAll = InboxFilter.catch('all');

/**
 * The messages page: the inbox for `?filter=`, the conversation `?conversation=<key>` names
 * (opening never creates one), and the results of `?q=`. For `export { load }` in a
 * `+page.server.ts` under a layout that loads `loadMessagingSession`.
 */
export async function load({ url, locals }: ServerLoadEvent): Promise<MessagesPageLoad> {
	checkMessagingLocals(locals);
	if (!locals.user) error(401, { message: 'Sign in to see your messages.' });
	// Our data must be read after the realtime cursor, or an event committed in between would be
	// neither in the data nor after the cursor. The session start is the layout's call too (one
	// call either way); the reads below go after it, in its round trip. The page keeps its own
	// cursor and unread total: on a navigation in the browser the layout's are from its first load.
	const starting = orErrorPage(() => startMessagingSession(locals));
	const product = url.searchParams.get('product');
	const asked = InboxFilterOrAll.parse(url.searchParams.get('filter') ?? 'all');
	// A listing filter without a listing to show would be an empty inbox with no way out.
	const filter = asked === 'listing' && !product ? 'all' : asked;
	const key = url.searchParams.get('conversation');
	const query = (url.searchParams.get('q') ?? '').trim();
	const parts = key === null ? null : tryParseConversationKey(key);
	if (key !== null && !parts) error(400, { message: 'This conversation link is not valid.' });
	// A digest's link is its reader's (&for=): followed while signed in as someone else, it would
	// open a conversation of theirs with the same member, ready to write in.
	const addressedTo = url.searchParams.get('for');
	const otherAccount = parts !== null && addressedTo !== null && addressedTo !== locals.user.id;
	const opening = parts !== null && !otherAccount;
	const [start, inbox, opened, search, quickReplies] = await Promise.all([
		starting,
		orErrorPage(() => locals.messaging.listConversationPreviews({ filter, productId: product })),
		opening ? orErrorPage(() => locals.messaging.openConversation(parts)) : null,
		query ? searchOrMessage(locals.messaging, query) : null,
		// Only a composer offers them; the inbox alone is the page served most.
		opening ? locals.messaging.listQuickReplies() : null
	]);
	return {
		filter,
		listing: filter === 'listing' ? { product_id: product!, title: inbox.previews[0]?.product_title ?? null } : null,
		query,
		inbox,
		opened,
		otherAccount,
		search,
		// For sending without JavaScript: the idempotency key of the next message, so a resubmitted form stores it once.
		draftId: randomUUID(),
		quickReplies,
		start: { cursor: start.cursor, unreadTotal: start.unread_total }
	};
}

const WORD_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * Messages and conversations for the same words, in one round trip. A search a person got wrong
 * (too long, no words) shows its message above the inbox; both RPCs refuse it alike. Real
 * failures still throw.
 */
async function searchOrMessage(messaging: MessagingBackend, query: string) {
	// The RPCs read words and numbers only, and refuse the rest with "Type a word", which reads
	// wrong to someone who typed "🚲".
	if (!WORD_OR_NUMBER.test(query)) return { page: null, conversations: [], message: 'Search finds words and numbers: emoji and signs alone find nothing.' };
	try {
		const [page, conversations] = await Promise.all([messaging.searchMessages({ query }), messaging.searchConversations({ query })]);
		return { page, conversations, message: null };
	} catch (e) {
		if (e instanceof MessagingError) return { page: null, conversations: [], message: e.message };
		throw e;
	}
}
