import { error, json, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { InboxFilter } from '../../messaging/schemas/index.js';
import { discardAttachment, serveAttachment, uploadAttachment } from './attachments/endpoints.js';
import { cursorFrom } from './backend/cursor-params.js';
import { orErrorPage } from './backend/user-errors.js';
import { checkMessagingLocals } from './locals.js';
import { messagingEventStream } from './realtime/event-stream.js';
import { typingRecipient } from './realtime/signal-recipients.js';

const CURSOR = /^\d{1,15}$/;
const TYPING_MS = 5_000;
// `typing: false`: the writer cleared their text, so the indicator goes before it runs out.
const Typing = z.object({ conversation_id: z.uuid(), typing: z.boolean().default(true) });

function signedIn(locals: App.Locals): NonNullable<App.Locals['user']> {
	checkMessagingLocals(locals);
	if (!locals.user) error(401, { message: 'Sign in to use messages.' });
	return locals.user;
}

/** The server's own realtime relay; Supabase mode has Supabase Realtime instead. */
function relay(locals: App.Locals) {
	checkMessagingLocals(locals, { realtime: true });
	const realtime = locals.messagingRealtime;
	if (realtime.transport !== 'sse') error(404, { message: 'Realtime runs through Supabase in this mode.' });
	return realtime;
}

// One for every stream: a closure made per request would live as long as its stream.
const warnOfStream = (line: string) => console.warn(`[realtime] ${line}`);

/** A handler gets the path's segments after its name (`attachments/<id>/thumb`: the id and the size). */
type Endpoint = (event: RequestEvent, ...segments: string[]) => Promise<Response>;

const reads: Record<string, Endpoint> = {
	/** Older messages of a thread, loaded as the reader scrolls up. */
	async history({ locals, url }) {
		signedIn(locals);
		const conversationId = z.uuid().safeParse(url.searchParams.get('conversation_id'));
		if (!conversationId.success) error(400, { message: 'conversation_id must be a conversation id.' });
		const before = cursorFrom(url);
		return json(await orErrorPage(() => locals.messaging.listMessages({ conversationId: conversationId.data, before, limit: 50 })));
	},

	/** More of the inbox, loaded as the list scrolls. */
	async previews({ locals, url }) {
		signedIn(locals);
		const filter = InboxFilter.safeParse(url.searchParams.get('filter') ?? 'all');
		if (!filter.success) error(400, { message: 'filter must be all, unread, needs_reply, archived or listing.' });
		const before = cursorFrom(url);
		const productId = url.searchParams.get('product');
		return json(await orErrorPage(() => locals.messaging.listConversationPreviews({ filter: filter.data, productId, before })));
	},

	/** More search results for ?q=, after the last page's `next`. */
	async search({ locals, url }) {
		signedIn(locals);
		const query = (url.searchParams.get('q') ?? '').trim();
		if (!query) error(400, { message: 'Type a word to search for.' });
		const before = cursorFrom(url);
		return json(await orErrorPage(() => locals.messaging.searchMessages({ query, before })));
	},

	/** Catch-up for a tab coming back: the caller's events after ?cursor=. */
	async sync({ locals, url }) {
		signedIn(locals);
		const cursor = url.searchParams.get('cursor') ?? '';
		if (!CURSOR.test(cursor)) error(400, { message: 'cursor must be the last event id you have.' });
		return json(await orErrorPage(() => locals.messaging.syncSince({ cursor: Number(cursor) })));
	},

	/**
	 * Whether the other member of ?conversation= is online, as a thread opens: the stream says only
	 * when it changes. 404 to non-members and across a block, as typing is.
	 */
	async presence({ locals, url }) {
		const { hub, pool } = relay(locals);
		const user = signedIn(locals);
		const conversation = Typing.safeParse({ conversation_id: url.searchParams.get('conversation') });
		if (!conversation.success) error(400, { message: 'Say which conversation (its id in ?conversation=).' });
		const other = await orErrorPage(() => typingRecipient(pool, user.id, conversation.data.conversation_id));
		if (!other) error(404, { message: 'This conversation does not exist or you are not part of it.' });
		return json({ type: 'presence', user_id: other, ...hub.presence(other) }, { headers: { 'cache-control': 'no-store' } });
	},

	/** The signed-in user's events as Server-Sent Events, from Last-Event-ID (or ?cursor) on. */
	async stream({ locals, request, url }) {
		const { hub } = relay(locals);
		const user = signedIn(locals);
		const given = request.headers.get('last-event-id') ?? url.searchParams.get('cursor') ?? '';
		if (!CURSOR.test(given)) error(400, { message: 'Send the last event id you have (Last-Event-ID or ?cursor=).' });
		// The stream outlives this request: it keeps the one call it needs, not the request's
		// locals nor the rest of the backend (about 3 KiB a stream).
		const stream = messagingEventStream({
			userId: user.id,
			cursor: Number(given),
			hub,
			syncSince: locals.messaging.syncSince,
			// A session signed out elsewhere, or whose token is revoked, keeps no stream past its token.
			expiresAt: locals.session ? locals.session.expiresAt * 1000 : undefined,
			log: warnOfStream
		});
		return new Response(stream, {
			headers: {
				'content-type': 'text/event-stream; charset=utf-8',
				'cache-control': 'no-cache, no-transform',
				connection: 'keep-alive',
				'x-accel-buffering': 'no'
			}
		});
	},

	/** A photo's thumbnail or display size, to members only (404 to everyone else). */
	'attachments/*/*': (event, id, size) => serveAttachment(event, id, size)
};

const writes: Record<string, Endpoint> = {
	/** "ana is typing…": relayed to the other member's open streams, never stored. */
	async typing({ locals, request }) {
		const user = signedIn(locals);
		const parsed = Typing.safeParse(await request.json().catch(() => null));
		if (!parsed.success) {
			const about = new Set(parsed.error.issues.map((issue) => issue.path[0]));
			const message = about.has('typing') && !about.has('conversation_id') ? 'Say whether you are typing: typing is true or false.' : 'Say which conversation you are typing in (its conversation_id).';
			error(400, { message });
		}
		const { hub, pool } = relay(locals);
		const recipient = await typingRecipient(pool, user.id, parsed.data.conversation_id);
		// Not a member, or blocked either way: nothing to tell, and no hint which.
		if (recipient) {
			hub.signal(recipient, { type: 'typing', conversation_id: parsed.data.conversation_id, user_id: user.id, until: parsed.data.typing ? Date.now() + TYPING_MS : 0 });
		}
		return new Response(null, { status: 204 });
	},

	/** One photo (multipart field `file`), processed and stored as the caller's pending attachment. */
	attachments: uploadAttachment
};

const removals: Record<string, Endpoint> = {
	/** A photo uploaded but not sent, taken back. */
	'attachments/*': (event, id) => discardAttachment(event, id)
};

/** Picks the handler by the path under the messages page: its first segment, and `*` for each one after it. */
function dispatch(table: Record<string, Endpoint>) {
	return (event: RequestEvent) => {
		const [name, ...segments] = (event.params.endpoint ?? '').split('/');
		const pattern = [name, ...segments.map(() => '*')].join('/');
		const handler = Object.hasOwn(table, pattern) ? table[pattern] : undefined;
		if (!handler) error(404, { message: 'Not found' });
		return handler(event, ...segments);
	};
}

/**
 * The messaging endpoints under the messages page, for `export const { GET, POST, DELETE } = messagingEndpoints`
 * in `<messages page>/[...endpoint]/+server.ts`: GET history, previews, search, sync, stream and
 * attachments/<id>/<thumb|display>; POST typing and attachments; DELETE attachments/<id>.
 */
export const messagingEndpoints = { GET: dispatch(reads), POST: dispatch(writes), DELETE: dispatch(removals) };
