import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServerClient } from '@supabase/ssr';
import type { SupabaseClient, WebSocketLikeConstructor } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import { supabaseMessaging } from '../../src/lib/server/messaging/backend/supabase.ts';
import type { MessagingBackend } from '../../src/lib/server/messaging/backend/messaging-backend.ts';
import {
	ALICE,
	CONVERSATION,
	ME,
	PRODUCT,
	alice,
	conversationId,
	message as messageRow,
	messageId,
	previewRow,
	product,
	readState as readStateRow,
	searchHitRow
} from '../support/rows.ts';

/**
 * The Supabase adapter at its HTTP boundary: a real supabase-js client, built the way
 * supabase-session.ts builds it (createServerClient reading the auth cookie), talking to a
 * local server that plays PostgREST. Each test queues the canned answers and reads back
 * what the client sent.
 */

/** The other member of the conversations these tests send to and read. */
const OTHER = ALICE;
const GENERAL_CONVERSATION = conversationId(2);
const MESSAGE = messageId(1);
const REPLY_TO = messageId(2);
const REPORT = 'e0000000-0000-4000-8000-000000000001';

const ANON_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.anon-key-for-tests.signature';

/** An HS256-shaped JWT; nothing on the client side checks the signature. */
function jwt(payload: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

/** Far in the future, so auth-js never tries to refresh the session. */
const EXPIRES_AT = Math.floor(Date.UTC(2099, 0, 1) / 1000);
const ACCESS_TOKEN = jwt({
	sub: ME,
	aud: 'authenticated',
	role: 'authenticated',
	email: 'me@example.test',
	iat: Math.floor(Date.UTC(2026, 0, 1) / 1000),
	exp: EXPIRES_AT
});

/** The session as auth-js stores it, in the cookie @supabase/ssr writes: 'base64-' + base64url(JSON). */
const SESSION = {
	access_token: ACCESS_TOKEN,
	refresh_token: 'refresh-token-for-tests',
	token_type: 'bearer',
	expires_in: 3600,
	expires_at: EXPIRES_AT,
	user: {
		id: ME,
		aud: 'authenticated',
		role: 'authenticated',
		email: 'me@example.test',
		app_metadata: { provider: 'email' },
		user_metadata: {},
		created_at: '2026-01-01T00:00:00Z'
	}
};
const SESSION_COOKIE_VALUE = `base64-${Buffer.from(JSON.stringify(SESSION)).toString('base64url')}`;

// ---------------------------------------------------------------------------------------
// The fake PostgREST

interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: unknown;
	/** When it arrived and when its answer went (performance.now()). */
	at: number;
	answered: number;
}

interface CannedResponse {
	status: number;
	body: unknown;
	delayMs?: number;
}

let server: Server;
let baseUrl: string;
const requests: RecordedRequest[] = [];
const answers: CannedResponse[] = [];

/** Queues the next answer; an unexpected extra request gets a 500 the test will notice. */
function reply(body: unknown, status = 200, delayMs = 0) {
	answers.push({ status, body, delayMs });
}

/** A PostgREST error body, as it answers when a function raises. */
function replyError(status: number, error: { code: string; message: string; details?: string | null; hint?: string | null }) {
	reply({ details: null, hint: null, ...error }, status);
}

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body: unknown = text;
			if (text !== '') {
				try {
					body = JSON.parse(text);
				} catch {
					// kept as the raw text so the assertion shows it
				}
			}
			const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: performance.now(), answered: Infinity };
			requests.push(recorded);
			const answer = answers.shift() ?? {
				status: 500,
				body: { code: 'TEST0', message: `No canned answer for ${req.method} ${req.url}`, details: null, hint: null }
			};
			setTimeout(() => {
				recorded.answered = performance.now();
				res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
				res.end(JSON.stringify(answer.body));
			}, answer.delayMs ?? 0);
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

beforeEach(() => {
	requests.length = 0;
	answers.length = 0;
});

// ---------------------------------------------------------------------------------------
// Clients, as supabase-session.ts makes them

/** supabase-js names the auth cookie after the first label of the project URL's hostname. */
const AUTH_COOKIE = 'sb-127-auth-token';

interface Cookies {
	jar: { name: string; value: string }[];
	written: { name: string; value: string }[];
}

function supabaseClient(cookies: Cookies): SupabaseClient {
	return createServerClient(baseUrl, ANON_KEY, {
		cookies: {
			getAll: () => cookies.jar,
			setAll: (written: { name: string; value: string }[]) => {
				for (const { name, value } of written) cookies.written.push({ name, value });
			}
		},
		// Node 20 has no global WebSocket, and the realtime client refuses to be built without one.
		// RPC calls never open a socket. (ws's overloaded constructor type does not match realtime-js's.)
		realtime: { transport: ws as unknown as WebSocketLikeConstructor }
	});
}

function signedIn(): { api: MessagingBackend; cookies: Cookies } {
	const cookies: Cookies = { jar: [{ name: AUTH_COOKIE, value: SESSION_COOKIE_VALUE }], written: [] };
	return { api: supabaseMessaging({ supabase: supabaseClient(cookies) }), cookies };
}

/** The one request the call made: an RPC, with the anon key and the user's token. */
function rpcRequest(name: string): RecordedRequest {
	expect(requests).toHaveLength(1);
	const [request] = requests;
	expect(request.method).toBe('POST');
	expect(request.path).toBe(`/rest/v1/rpc/${name}`);
	expect(request.headers['apikey']).toBe(ANON_KEY);
	expect(request.headers['authorization']).toBe(`Bearer ${ACCESS_TOKEN}`);
	expect(request.headers['content-type']).toBe('application/json');
	return request;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('Expected the call to reject, but it resolved.');
}

// ---------------------------------------------------------------------------------------
// Canned rows, shaped as the RPCs return them, come from tests/support/rows.ts.

let sequence = 0;
/** A fresh uuid per call, so pages have distinct ids. */
function uuid(prefix: string): string {
	sequence += 1;
	return `${prefix}-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

// ---------------------------------------------------------------------------------------

describe('supabase messaging backend: requests and results', () => {
	it('sends to a conversation key over POST /rest/v1/rpc/send_message with the session from the auth cookie', async () => {
		const { api, cookies } = signedIn();
		const row = messageRow({ body: 'Hello' });
		reply(row);

		const message = await api.sendMessage({ id: MESSAGE, body: 'Hello', to: { otherUserId: OTHER, productId: PRODUCT } });

		const request = rpcRequest('send_message');
		expect(request.body).toStrictEqual({
			p_id: MESSAGE,
			p_body: 'Hello',
			p_other_user_id: OTHER,
			p_product_id: PRODUCT,
			p_reply_to_id: null
		});
		expect(message).toStrictEqual(row);
		// The session was read, not refreshed: no auth round trip, no cookie written back.
		expect(cookies.written).toEqual([]);
	});

	it('sends into a conversation by id, as a reply', async () => {
		const { api } = signedIn();
		const row = messageRow({ reply_to_id: REPLY_TO, reply_to_sender_id: OTHER, reply_to_preview: 'Hi' });
		reply(row);

		const message = await api.sendMessage({ id: MESSAGE, body: 'Yes', conversationId: CONVERSATION, replyToId: REPLY_TO });

		expect(rpcRequest('send_message').body).toStrictEqual({
			p_id: MESSAGE,
			p_body: 'Yes',
			p_conversation_id: CONVERSATION,
			p_reply_to_id: REPLY_TO
		});
		expect(message.reply_to_id).toBe(REPLY_TO);
	});

	it('sends to the general conversation with a null product', async () => {
		const { api } = signedIn();
		reply(messageRow({ conversation_id: GENERAL_CONVERSATION, product_id: null, product_title: null, product_price_cents: null, product_currency: null }));

		await api.sendMessage({ id: MESSAGE, body: 'Hi', to: { otherUserId: OTHER, productId: null } });

		expect(rpcRequest('send_message').body).toStrictEqual({
			p_id: MESSAGE,
			p_body: 'Hi',
			p_other_user_id: OTHER,
			p_product_id: null,
			p_reply_to_id: null
		});
	});

	it('opens a conversation, asking for one message more than the page to know whether there is a next one', async () => {
		const { api } = signedIn();
		const messages = [
			messageRow({ id: uuid('d1000000'), created_at: '2026-11-24T10:00:03.000003+00:00' }),
			messageRow({ id: uuid('d1000000'), created_at: '2026-11-24T10:00:02.000002+00:00' }),
			messageRow({ id: uuid('d1000000'), created_at: '2026-11-24T10:00:01.000001+00:00' })
		];
		const readState = readStateRow();
		reply({
			conversation_id: CONVERSATION,
			other_user: alice,
			product: product,
			read_state: readState,
			blocked_by_me: false,
			blocked_me: false,
			messages
		});

		const opened = await api.openConversation({ otherUserId: OTHER, productId: PRODUCT, limit: 2 });

		expect(rpcRequest('open_conversation').body).toStrictEqual({ p_other_user_id: OTHER, p_product_id: PRODUCT, p_limit: 3 });
		expect(opened.key).toBe(`${OTHER}__${PRODUCT}`);
		expect(opened.conversation_id).toBe(CONVERSATION);
		expect(opened.other_user).toStrictEqual(alice);
		expect(opened.product).toStrictEqual(product);
		expect(opened.read_state).toStrictEqual(readState);
		expect(opened.page).toStrictEqual({
			messages: messages.slice(0, 2),
			next: { at: messages[1].created_at, id: messages[1].id }
		});
	});

	it('an opened conversation carries its messages in page only, not also the raw limit + 1 rows', async () => {
		const { api } = signedIn();
		reply({
			conversation_id: CONVERSATION,
			other_user: alice,
			product: product,
			read_state: readStateRow(),
			blocked_by_me: false,
			blocked_me: false,
			messages: [messageRow({ id: uuid('d5000000') }), messageRow({ id: uuid('d5000000') })]
		});

		const opened = await api.openConversation({ otherUserId: OTHER, productId: PRODUCT, limit: 1 });

		expect(opened.page.messages).toHaveLength(1);
		// OpenedConversation omits `messages`; a load function returning `opened` would otherwise
		// serialise every message twice, plus the look-ahead row that belongs to the next page.
		expect(opened).not.toHaveProperty('messages');
	});

	it('opens a general conversation that does not exist yet', async () => {
		const { api } = signedIn();
		reply({
			conversation_id: null,
			other_user: alice,
			product: null,
			read_state: null,
			blocked_by_me: false,
			blocked_me: true,
			messages: []
		});

		const opened = await api.openConversation({ otherUserId: OTHER, productId: null });

		expect(rpcRequest('open_conversation').body).toStrictEqual({ p_other_user_id: OTHER, p_product_id: null, p_limit: 51 });
		expect(opened.key).toBe(`${OTHER}__general`);
		expect(opened.conversation_id).toBeNull();
		expect(opened.blocked_me).toBe(true);
		expect(opened.page).toStrictEqual({ messages: [], next: null });
	});

	it('lists previews with the defaults', async () => {
		const { api } = signedIn();
		reply([previewRow()]);

		const page = await api.listConversationPreviews();

		expect(rpcRequest('list_conversation_previews').body).toStrictEqual({
			p_filter: 'all',
			p_before_at: null,
			p_before_id: null,
			p_limit: 31
		});
		expect(page).toStrictEqual({ previews: [{ ...previewRow(), key: `${OTHER}__${PRODUCT}` }], next: null });
	});

	it('lists previews after a cursor, keys them and computes the next cursor when limit + 1 rows come back', async () => {
		const { api } = signedIn();
		const rows = [
			previewRow({ conversation_id: uuid('c1000000'), last_message_at: '2026-11-24T09:00:03.000003+00:00' }),
			previewRow({
				conversation_id: uuid('c1000000'),
				product_id: null,
				product_title: null,
				product_price_cents: null,
				product_currency: null,
				product_status: null,
				last_message_at: '2026-11-24T09:00:02.000002+00:00'
			}),
			previewRow({ conversation_id: uuid('c1000000'), last_message_at: '2026-11-24T09:00:01.000001+00:00' })
		];
		reply(rows);
		const before = { at: '2026-11-24T09:30:00.000001+00:00', id: CONVERSATION };

		const page = await api.listConversationPreviews({ filter: 'unread', before, limit: 2 });

		expect(rpcRequest('list_conversation_previews').body).toStrictEqual({
			p_filter: 'unread',
			p_before_at: before.at,
			p_before_id: before.id,
			p_limit: 3
		});
		expect(page.previews.map((preview) => preview.key)).toEqual([`${OTHER}__${PRODUCT}`, `${OTHER}__general`]);
		expect(page.previews[1]).toStrictEqual({ ...rows[1], key: `${OTHER}__general` });
		expect(page.next).toStrictEqual({ at: rows[1].last_message_at, id: rows[1].conversation_id });
	});

	it('lists messages of a conversation, with no next cursor on the last page', async () => {
		const { api } = signedIn();
		const rows = [messageRow({ id: uuid('d2000000') }), messageRow({ id: uuid('d2000000') })];
		reply(rows);
		const before = { at: '2026-11-24T11:00:00.000001+00:00', id: MESSAGE };

		const page = await api.listMessages({ conversationId: CONVERSATION, before, limit: 10 });

		expect(rpcRequest('list_messages').body).toStrictEqual({
			p_conversation_id: CONVERSATION,
			p_before_at: before.at,
			p_before_id: before.id,
			p_limit: 11
		});
		expect(page).toStrictEqual({ messages: rows, next: null });
	});

	it('lists messages with a next cursor when limit + 1 rows come back, and clamps the limit', async () => {
		const { api } = signedIn();
		const rows = [
			messageRow({ id: uuid('d3000000'), created_at: '2026-11-24T10:00:02.000002+00:00' }),
			messageRow({ id: uuid('d3000000'), created_at: '2026-11-24T10:00:01.000001+00:00' })
		];
		reply(rows);

		const page = await api.listMessages({ conversationId: CONVERSATION, limit: 0 });

		expect(rpcRequest('list_messages').body).toStrictEqual({
			p_conversation_id: CONVERSATION,
			p_before_at: null,
			p_before_id: null,
			p_limit: 2
		});
		expect(page).toStrictEqual({ messages: [rows[0]], next: { at: rows[0].created_at, id: rows[0].id } });

		reply([]);
		requests.length = 0;
		await api.listMessages({ conversationId: CONVERSATION, limit: 10_000 });
		expect(rpcRequest('list_messages').body).toMatchObject({ p_limit: 200 });
	});

	it('marks a conversation read', async () => {
		const { api } = signedIn();
		const state = readStateRow({ unread_count: 0, last_read_message_id: MESSAGE });
		reply(state);

		const result = await api.markConversationRead({ conversationId: CONVERSATION, upToMessageId: MESSAGE });

		expect(rpcRequest('mark_conversation_read').body).toStrictEqual({ p_conversation_id: CONVERSATION, p_up_to_message_id: MESSAGE });
		expect(result).toStrictEqual(state);

		reply(state);
		requests.length = 0;
		await api.markConversationRead({ conversationId: CONVERSATION });
		expect(rpcRequest('mark_conversation_read').body).toStrictEqual({ p_conversation_id: CONVERSATION, p_up_to_message_id: null });
	});

	it('a call asked after a session start goes once the session start is answered, so page data follows the cursor', async () => {
		const { api } = signedIn();
		reply({ cursor: 42, unread_total: 3, preferences: { email_digests: true, browser_notifications: false } }, 200, 100);
		reply(3);
		const [session, total] = await Promise.all([api.sessionStart(), api.unreadTotal()]);
		expect(session.cursor).toBe(42);
		expect(total).toBe(3);
		expect(requests.map((request) => request.path)).toEqual(['/rest/v1/rpc/messaging_session_start', '/rest/v1/rpc/unread_total']);
		expect(requests[1].at).toBeGreaterThanOrEqual(requests[0].answered);
	});

	it('reads the unread total, a bare integer, with an empty argument object', async () => {
		const { api } = signedIn();
		reply(7);

		expect(await api.unreadTotal()).toBe(7);
		expect(rpcRequest('unread_total').body).toStrictEqual({});
	});

	it('edits a message', async () => {
		const { api } = signedIn();
		const row = messageRow({ body: 'Edited', edited_at: '2026-11-24T10:05:00.000001+00:00' });
		reply(row);

		const message = await api.editMessage({ id: MESSAGE, body: 'Edited' });

		expect(rpcRequest('edit_message').body).toStrictEqual({ p_id: MESSAGE, p_body: 'Edited' });
		expect(message).toStrictEqual(row);
	});

	it('deletes a message', async () => {
		const { api } = signedIn();
		const row = messageRow({ body: '', deleted_at: '2026-11-24T10:06:00.000001+00:00' });
		reply(row);

		const message = await api.deleteMessage({ id: MESSAGE });

		expect(rpcRequest('delete_message').body).toStrictEqual({ p_id: MESSAGE });
		expect(message.deleted_at).toBe(row.deleted_at);
	});

	it('archives a conversation', async () => {
		const { api } = signedIn();
		const state = readStateRow({ archived: true });
		reply(state);

		const result = await api.setArchived({ conversationId: CONVERSATION, archived: true });

		expect(rpcRequest('set_archived').body).toStrictEqual({ p_conversation_id: CONVERSATION, p_archived: true });
		expect(result).toStrictEqual(state);
	});

	it('mutes and unmutes a conversation', async () => {
		const { api } = signedIn();
		const until = '2026-12-01T00:00:00+00:00';
		reply(readStateRow({ muted_until: until }));

		const muted = await api.setMuted({ conversationId: CONVERSATION, until });

		expect(rpcRequest('set_muted').body).toStrictEqual({ p_conversation_id: CONVERSATION, p_until: until });
		expect(muted.muted_until).toBe(until);

		reply(readStateRow());
		requests.length = 0;
		const unmuted = await api.setMuted({ conversationId: CONVERSATION, until: null });
		expect(rpcRequest('set_muted').body).toStrictEqual({ p_conversation_id: CONVERSATION, p_until: null });
		expect(unmuted.muted_until).toBeNull();
	});

	it('blocks and unblocks a user', async () => {
		const { api } = signedIn();
		reply({ user_id: OTHER, blocked: true });

		expect(await api.blockUser({ userId: OTHER })).toStrictEqual({ user_id: OTHER, blocked: true });
		expect(rpcRequest('block_user').body).toStrictEqual({ p_user_id: OTHER });

		reply({ user_id: OTHER, blocked: false });
		requests.length = 0;
		expect(await api.unblockUser({ userId: OTHER })).toStrictEqual({ user_id: OTHER, blocked: false });
		expect(rpcRequest('unblock_user').body).toStrictEqual({ p_user_id: OTHER });
	});

	it('reports a message, with empty details by default', async () => {
		const { api } = signedIn();
		reply({ id: REPORT, message_id: MESSAGE });

		expect(await api.reportMessage({ messageId: MESSAGE, reason: 'spam' })).toStrictEqual({ id: REPORT, message_id: MESSAGE });
		expect(rpcRequest('report_message').body).toStrictEqual({ p_message_id: MESSAGE, p_reason: 'spam', p_details: '' });

		reply({ id: REPORT, message_id: MESSAGE });
		requests.length = 0;
		await api.reportMessage({ messageId: MESSAGE, reason: 'scam', details: 'Asked for a bank transfer' });
		expect(rpcRequest('report_message').body).toStrictEqual({
			p_message_id: MESSAGE,
			p_reason: 'scam',
			p_details: 'Asked for a bank transfer'
		});
	});

	it('searches messages, keys the hits and computes the next cursor when limit + 1 rows come back', async () => {
		const { api } = signedIn();
		const rows = [
			searchHitRow({ message_id: uuid('d4000000'), created_at: '2026-11-24T08:00:03.000003+00:00' }),
			searchHitRow({ message_id: uuid('d4000000'), product_id: null, product_title: null, created_at: '2026-11-24T08:00:02.000002+00:00' }),
			searchHitRow({ message_id: uuid('d4000000'), created_at: '2026-11-24T08:00:01.000001+00:00' })
		];
		reply(rows);

		const page = await api.searchMessages({ query: 'bicycle', limit: 2 });

		expect(rpcRequest('search_messages').body).toStrictEqual({ p_query: 'bicycle', p_before_at: null, p_before_id: null, p_limit: 3 });
		expect(page.hits).toStrictEqual([
			{ ...rows[0], key: `${OTHER}__${PRODUCT}` },
			{ ...rows[1], key: `${OTHER}__general` }
		]);
		expect(page.next).toStrictEqual({ at: rows[1].created_at, id: rows[1].message_id });
	});

	it('searches with the default page size after a cursor', async () => {
		const { api } = signedIn();
		reply([searchHitRow()]);
		const before = { at: '2026-11-24T08:00:00.000001+00:00', id: MESSAGE };

		const page = await api.searchMessages({ query: 'blue', before });

		expect(rpcRequest('search_messages').body).toStrictEqual({ p_query: 'blue', p_before_at: before.at, p_before_id: before.id, p_limit: 21 });
		expect(page.next).toBeNull();
	});

	it('searches conversations as preview rows, keyed, five unless asked', async () => {
		const { api } = signedIn();
		const rows = [previewRow({ archived: true }), previewRow({ product_id: null, product_title: null })];
		reply(rows);

		const found = await api.searchConversations({ query: 'hohenzollern' });

		expect(rpcRequest('search_conversations').body).toStrictEqual({ p_query: 'hohenzollern', p_limit: 5 });
		expect(found).toStrictEqual([
			{ ...rows[0], key: `${OTHER}__${PRODUCT}` },
			{ ...rows[1], key: `${OTHER}__general` }
		]);
	});

	it('asks for at most twenty conversations', async () => {
		const { api } = signedIn();
		reply([]);

		expect(await api.searchConversations({ query: 'backpack', limit: 50 })).toStrictEqual([]);
		expect(rpcRequest('search_conversations').body).toStrictEqual({ p_query: 'backpack', p_limit: 20 });
	});

	it('without a session cookie, calls with the anon key as bearer and reports not_authenticated from the 401', async () => {
		const cookies: Cookies = { jar: [], written: [] };
		const api = supabaseMessaging({ supabase: supabaseClient(cookies) });
		replyError(401, { code: '42501', message: 'permission denied for function unread_total' });

		const error = await rejectionOf(api.unreadTotal());

		expect(requests).toHaveLength(1);
		expect(requests[0].path).toBe('/rest/v1/rpc/unread_total');
		expect(requests[0].headers['authorization']).toBe(`Bearer ${ANON_KEY}`);
		expect(error).toBeInstanceOf(MessagingError);
		expect(error).toMatchObject({ code: 'not_authenticated', status: 401, message: 'Sign in to use messages.' });
	});
});

describe('supabase messaging backend: errors', () => {
	const send = (api: MessagingBackend) => api.sendMessage({ id: MESSAGE, body: 'Hi', to: { otherUserId: OTHER, productId: PRODUCT } });

	it.each([
		{ hint: 'blocked', status: 403, message: 'This user is not accepting messages from you.' },
		{ hint: 'you_blocked', status: 403, message: 'You blocked this user.' },
		{ hint: 'rate_limited', status: 429, message: 'You are sending messages too quickly.' },
		{ hint: 'body_too_long', status: 400, message: 'A message can be at most 4000 characters.' },
		{ hint: 'body_empty', status: 400, message: 'A message cannot be empty.' },
		{ hint: 'not_member', status: 404, message: 'This conversation was not found.' },
		{ hint: 'message_deleted', status: 409, message: 'This message was deleted.' }
	])('a BZ001 error with hint $hint becomes MessagingError($hint, $status) with its message', async ({ hint, status, message }) => {
		const { api } = signedIn();
		// PostgREST answers a custom SQLSTATE with HTTP 400 whatever the kind.
		replyError(400, { code: 'BZ001', message, hint });

		const error = await rejectionOf(send(api));

		expect(requests).toHaveLength(1);
		expect(error).toBeInstanceOf(MessagingError);
		expect(error).toMatchObject({ name: 'MessagingError', code: hint, status, message });
	});

	it('a malformed value the database refuses (22P02) becomes invalid_input', async () => {
		const { api } = signedIn();
		replyError(400, { code: '22P02', message: 'invalid input syntax for type timestamp with time zone: "yesterday-ish"' });

		const error = await rejectionOf(api.listMessages({ conversationId: CONVERSATION, before: { at: 'yesterday-ish', id: MESSAGE } }));

		expect(error).toBeInstanceOf(MessagingError);
		expect(error).toMatchObject({ code: 'invalid_input', status: 400, message: 'Some of what was sent is not valid.' });
	});

	it('text with a NUL character is refused before it is sent, in the Postgres adapter\'s words', async () => {
		const { api } = signedIn();
		for (const call of [
			() => api.reportMessage({ messageId: MESSAGE, reason: 'spam', details: 'a\0b' }),
			() => api.saveQuickReply({ id: MESSAGE, body: 'a\0b' }),
			() => api.searchMessages({ query: 'a\0b' })
		]) {
			expect(await rejectionOf(call())).toMatchObject({ name: 'MessagingError', code: 'invalid_input', status: 400, message: 'Text cannot contain NUL characters.' });
		}
		expect(requests).toHaveLength(0);
	});

	it('a call PostgreSQL rolled back for a deadlock or a serialization failure runs again, the same call', async () => {
		const { api } = signedIn();
		// PostgREST answers SQLSTATE class 40 (transaction rollback) with HTTP 500.
		replyError(500, { code: '40P01', message: 'deadlock detected' });
		replyError(500, { code: '40001', message: 'could not serialize access due to concurrent update' });
		reply(messageRow());

		const message = await send(api);

		expect(message.id).toBe(MESSAGE);
		expect(requests.map((request) => request.path)).toEqual(Array(3).fill('/rest/v1/rpc/send_message'));
		expect(requests[2].body).toStrictEqual(requests[0].body);
	});

	it('after three rolled-back attempts the call fails, and no fourth is made', async () => {
		const { api } = signedIn();
		for (let i = 0; i < 3; i++) replyError(500, { code: '40P01', message: 'deadlock detected' });

		const error = await rejectionOf(send(api));

		expect(requests).toHaveLength(3);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toContain('deadlock detected (40P01)');
	});

	it('PostgREST refusing the JWT (PGRST301, HTTP 401) becomes not_authenticated', async () => {
		const { api } = signedIn();
		replyError(401, { code: 'PGRST301', message: 'JWT expired' });

		const error = await rejectionOf(api.unreadTotal());

		expect(error).toBeInstanceOf(MessagingError);
		expect(error).toMatchObject({ code: 'not_authenticated', status: 401, message: 'Sign in to use messages.' });
	});

	it('an unknown error (PGRST202, function not found) is a plain Error, not a MessagingError', async () => {
		const { api } = signedIn();
		replyError(404, {
			code: 'PGRST202',
			message: 'Could not find the function public.send_message(p_body, p_id, p_other_user_id, p_product_id, p_reply_to_id) in the schema cache',
			details: 'Searched for the function public.send_message with parameters p_body, p_id, p_other_user_id, p_product_id, p_reply_to_id',
			hint: null
		});

		const error = await rejectionOf(send(api));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(MessagingError);
		expect((error as Error).message).toContain('send_message');
		expect((error as Error).message).toContain('PGRST202');
	});

	it('a BZ001 error with a kind the app does not know is a plain Error', async () => {
		const { api } = signedIn();
		replyError(400, { code: 'BZ001', message: 'Something new.', hint: 'brand_new_kind' });

		const error = await rejectionOf(send(api));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(MessagingError);
	});

	it('a result that does not match the schema is not mistaken for a user error', async () => {
		const { api } = signedIn();
		reply({ user_id: 'not-a-uuid', blocked: 'yes' });

		const error = await rejectionOf(api.blockUser({ userId: OTHER }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(MessagingError);
	});

	it.each<[string, (api: MessagingBackend) => Promise<unknown>]>([
		['openConversation', (api) => api.openConversation({ otherUserId: 'not-a-uuid', productId: null })],
		['openConversation (product)', (api) => api.openConversation({ otherUserId: OTHER, productId: 'nope' })],
		['sendMessage (id)', (api) => api.sendMessage({ id: '123', body: 'Hi', conversationId: CONVERSATION })],
		['sendMessage (conversation)', (api) => api.sendMessage({ id: MESSAGE, body: 'Hi', conversationId: 'x' })],
		['sendMessage (reply)', (api) => api.sendMessage({ id: MESSAGE, body: 'Hi', conversationId: CONVERSATION, replyToId: 'x' })],
		['sendMessage (recipient)', (api) => api.sendMessage({ id: MESSAGE, body: 'Hi', to: { otherUserId: `${OTHER}'--`, productId: null } })],
		['listMessages', (api) => api.listMessages({ conversationId: 'abc' })],
		['markConversationRead', (api) => api.markConversationRead({ conversationId: CONVERSATION, upToMessageId: 'abc' })],
		['editMessage', (api) => api.editMessage({ id: 'abc', body: 'x' })],
		['deleteMessage', (api) => api.deleteMessage({ id: 'abc' })],
		['setArchived', (api) => api.setArchived({ conversationId: 'abc', archived: true })],
		['setMuted', (api) => api.setMuted({ conversationId: 'abc', until: null })],
		['blockUser', (api) => api.blockUser({ userId: 'abc' })],
		['unblockUser', (api) => api.unblockUser({ userId: 'abc' })],
		['reportMessage', (api) => api.reportMessage({ messageId: 'abc', reason: 'spam' })]
	])('%s refuses a malformed uuid with invalid_input before any request', async (_name, call) => {
		const { api } = signedIn();

		const error = await rejectionOf(call(api));

		expect(error).toBeInstanceOf(MessagingError);
		expect(error).toMatchObject({ code: 'invalid_input', status: 400 });
		expect(requests).toHaveLength(0);
	});
});
