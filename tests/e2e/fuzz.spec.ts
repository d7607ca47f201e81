import { randomUUID } from 'node:crypto';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { seeded, type Random } from '../support/seeded-random';
import { insertMember, tableFingerprint, withDatabase } from './database';
import { expect, test } from './fixtures';

/**
 * Bad input never breaks anything: malformed requests to every form action, endpoint and page
 * of the built app, as a signed-in member with nothing of their own to change (so no request
 * can be right), and signed out. Every answer must be a 4xx with a sentence a person
 * understands (never a 5xx, a stack trace or "Internal Error"), and the database must be
 * exactly as before (row counts and a checksum of every messaging table).
 *
 * Inside `npm test` it sends FUZZ_REQUESTS (default 600); `npm run fuzz` sends 10,000. The
 * requests come from a seeded generator (FUZZ_SEED), so a failure can be replayed.
 */

const COUNT = Number(process.env.FUZZ_REQUESTS ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);


const ACTIONS = ['send', 'edit', 'delete', 'archive', 'mute', 'block', 'report', 'read', 'react', 'offer', 'respond', 'listing', 'save_quick_reply', 'delete_quick_reply', 'nope'] as const;
const FIELDS = ['id', 'body', 'conversation_id', 'key', 'reply_to', 'attachments', 'amount', 'currency', 'action', 'offer_id', 'status', 'emoji', 'message_id', 'user_id', 'blocked', 'archived', 'muted', 'reason', 'details', 'up_to'];

/** Ids that exist but are not the fuzzing member's, and ids that exist nowhere. */
interface Foreign {
	conversations: string[];
	messages: string[];
	offers: string[];
	photos: string[];
	products: string[];
}

function badValue(r: Random, foreign: Foreign): string {
	const id = () => r.pick([randomUUID(), r.pick(foreign.conversations), r.pick(foreign.messages), r.pick(foreign.offers), r.pick(foreign.products)]);
	return r.pick([
		() => '',
		() => ' \t\n ',
		() => 'x'.repeat(r.pick([501, 4001, 20_001, 200_000])),
		() => `nul\0in the middle`,
		() => '\uD800 lone surrogate \uDFFF',
		() => '\u202Eright-to-left override',
		() => '💥'.repeat(3000),
		() => '-1',
		() => '1e309',
		() => '99999999999999999999999',
		() => 'NaN',
		() => '0',
		() => 'true',
		() => 'maybe',
		() => '{"$ne":null}',
		() => "'; drop table messages; --",
		() => '<script>alert(1)</script>',
		() => '12345678-1234-1234-1234-1234567890123',
		() => 'not-a-uuid',
		() => `${randomUUID()}__general__x`,
		() => `${randomUUID()}__${randomUUID()}`,
		() => `${r.pick(foreign.messages)},${r.pick(foreign.messages)}`,
		() => id(),
		() => id().toUpperCase()
	])();
}

/** A form of bad fields for an action: some fields missing, some duplicated, every value wrong. */
function badForm(r: Random, foreign: Foreign): [string, string][] {
	const entries: [string, string][] = [];
	const count = Math.floor(r.next() * 7);
	for (let i = 0; i < count; i++) {
		const name = r.chance(0.9) ? r.pick(FIELDS) : r.pick(['', '__proto__', 'constructor', 'x'.repeat(300), 'body[]']);
		entries.push([name, badValue(r, foreign)]);
		if (r.chance(0.15)) entries.push([name, badValue(r, foreign)]);
	}
	return entries;
}

/** A URL component; a lone surrogate goes out as the invalid UTF-8 it would be (%ED%A0%80), which is the point. */
function enc(whole: string): string {
	// Long enough to be refused, short enough (once encoded) that the request line stays under
	// Node's 16 KB header limit: huge headers have their own case, on a connection of their own.
	const value = whole.slice(0, 3000);
	let encoded: string;
	try {
		encoded = encodeURIComponent(value);
	} catch {
		encoded = `${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
	}
	return encoded.slice(0, 5000).replace(/%[0-9A-F]?$/, '');
}

interface Attempt {
	label: string;
	/** What to print beside a failure, where the label alone cannot say which request it was. */
	detail?: string;
	/** Node closes the connection after refusing huge headers: such a request gets one of its own. */
	isolated?: boolean;
	send: (api: APIRequestContext) => Promise<APIResponse>;
}

function attempt(r: Random, foreign: Foreign, origin: string): Attempt {
	const headers = { origin, 'x-sveltekit-action': 'true', accept: 'application/json' };
	const kind = r.pick(['action', 'action', 'action', 'endpoint', 'endpoint', 'page', 'upload', 'raw'] as const);
	if (kind === 'action') {
		const name = r.pick(ACTIONS);
		const conversation = r.chance(0.3) ? `conversation=${enc(badValue(r, foreign))}&` : '';
		const body = new URLSearchParams(badForm(r, foreign)).toString();
		return {
			label: `POST ?/${name}`,
			detail: `/messages?${conversation}/${name} (${body.length} bytes)`,
			send: (api) => {
				return api.post(`/messages?${conversation}/${name}`, {
					headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
					data: body
				});
			}
		};
	}
	if (kind === 'endpoint') {
		const target = r.pick([
			() => `/messages/history?conversation_id=${enc(badValue(r, foreign))}&before_at=${enc(badValue(r, foreign))}&before_id=${enc(badValue(r, foreign))}`,
			() => `/messages/history?conversation_id=${r.pick(foreign.conversations)}`,
			() => `/messages/previews?filter=${enc(badValue(r, foreign))}&before_at=${enc(badValue(r, foreign))}`,
			() => `/messages/previews?filter=listing&product=${enc(badValue(r, foreign))}&before_at=x&before_id=y`,
			() => `/messages/sync?cursor=${enc(r.pick(['-1', '1.5', 'abc', '', '99999999999999999999', '0x10', ' 1']))}`,
			() => `/messages/stream?cursor=${enc(r.pick(['-1', 'abc', '1e3', '9'.repeat(40)]))}`,
			() => `/messages/attachments/${enc(badValue(r, foreign))}/${r.pick(['thumb', 'display', 'original', '..%2F..%2Fetc%2Fpasswd'])}`,
			() => `/messages/attachments/${r.pick(foreign.photos)}/display`,
			() => `/messages/${enc(badValue(r, foreign))}`
		])();
		const method = target.startsWith('/messages/attachments/') && r.chance(0.4) ? 'DELETE' : 'GET';
		return { label: `${method} ${target.split('?')[0].replace(/[0-9a-f-]{36}/g, ':id')}`, send: (api) => api.fetch(target, { method, headers: { origin } }) };
	}
	if (kind === 'page') {
		const target = r.pick([
			() => `/messages?conversation=${enc(badValue(r, foreign))}`,
			() => `/messages?filter=${enc(badValue(r, foreign))}&product=${enc(badValue(r, foreign))}`,
			() => `/messages?q=${enc(badValue(r, foreign))}`,
			() => `/products/${enc(badValue(r, foreign))}`,
			() => `/unsubscribe?u=${enc(badValue(r, foreign))}&t=${enc(badValue(r, foreign))}`,
			() => `/login?next=${enc(r.pick(['//evil.example', 'https://evil.example/', 'javascript:alert(1)', badValue(r, foreign)]))}`
		])();
		return { label: `GET ${target.split('?')[0].replace(/[0-9a-f-]{36}/g, ':id')}`, send: (api) => api.get(target, { maxRedirects: 0 }) };
	}
	if (kind === 'upload') {
		// Files that lie about their type, or are not files at all.
		const lie = r.pick([
			{ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is text, not a JPEG') },
			{ name: 'shell.png', mimeType: 'image/png', buffer: Buffer.from('#!/bin/sh\nrm -rf /\n') },
			{ name: 'empty.webp', mimeType: 'image/webp', buffer: Buffer.alloc(0) },
			{ name: 'half.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]) },
			{ name: '../../etc/passwd', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') }
		]);
		const field = r.chance(0.8) ? 'file' : r.pick(['photo', 'files', '']);
		return {
			label: 'POST /messages/attachments',
			send: (api) => api.post('/messages/attachments', { headers: { origin, accept: 'application/json' }, multipart: { [field || 'x']: lie } })
		};
	}
	// Raw bodies: wrong content types, invalid UTF-8, huge headers, JSON where a form is expected.
	const raw = r.pick([
		{ type: 'application/json', data: '{"body": "hi", "conversation_id": 1}' },
		{ type: 'text/plain', data: 'body=hello' },
		{ type: 'application/x-www-form-urlencoded', data: Buffer.from([0x62, 0x6f, 0x64, 0x79, 0x3d, 0xff, 0xfe, 0xc3, 0x28]) },
		{ type: 'multipart/form-data; boundary=nope', data: '--other\r\nbroken' },
		{ type: 'application/x-www-form-urlencoded', data: 'a=' + '%'.repeat(5000) }
	]);
	const target = r.pick(['/messages?/send', '/messages?/offer', '/messages/typing', '/login', '/account?/savePreferences']);
	const big: Record<string, string> = r.chance(0.2) ? { 'x-padding': 'y'.repeat(r.pick([9_000, 40_000])) } : {};
	return {
		label: `POST ${target} (${raw.type.split(';')[0]}${big['x-padding'] ? ', huge headers' : ''})`,
		isolated: Boolean(big['x-padding']),
		send: (api) => api.post(target, { headers: { ...headers, ...big, 'content-type': raw.type }, data: raw.data })
	};
}

/** Every table a request could change. */
const TABLES = [
	'public.messages',
	'public.conversations',
	'public.conversation_members',
	'public.message_reactions',
	'public.offers',
	'public.attachments',
	'public.quick_replies',
	'public.messaging_preferences',
	'public.user_blocks',
	'public.message_reports',
	'public.products',
	'public.profiles'
];

const fingerprint = (baseURL: string | undefined) => withDatabase(baseURL, (db) => tableFingerprint(db, TABLES));

/**
 * The status a request came to. A form action called as `use:enhance` calls it answers 200 with
 * its outcome inside ({ type: 'failure', status: 400 }), SvelteKit's protocol; that inner status
 * is the answer.
 */
async function effectiveStatus(response: APIResponse): Promise<number> {
	if (response.status() !== 200 || !response.headers()['content-type']?.includes('application/json')) return response.status();
	const body = await response.json().catch(() => null);
	if (body?.type === 'failure' || body?.type === 'error') return Number(body.status ?? 500);
	return body?.type === 'redirect' ? 303 : 200;
}

/**
 * A 4xx that tells a person what happened: some words ending a sentence, and nothing of the
 * server's insides. Node itself answers 431 (headers too large) and 413 without a body.
 */
async function explained(response: APIResponse, status: number): Promise<string | null> {
	const text = await response.text().catch(() => '');
	// "Not found", "Invalid email or password": words a person reads, not a bare status or a JSON shape.
	if (text === '' && (status === 431 || status === 413)) return null;
	if (!/[A-Za-z]+ [A-Za-z]+/.test(text) || /"message":"[^"]*[{<]/.test(text)) return `no words: ${text.slice(0, 160)}`;
	return null;
}

test('malformed requests get a 4xx with a sentence, never a 5xx, and change nothing', async ({ playwright, baseURL }) => {
	test.setTimeout(Math.max(120_000, COUNT * 150));
	const origin = new URL(baseURL!).origin;
	const member = randomUUID();
	const foreign = await withDatabase(baseURL, async (db) => {
		await insertMember(db, { id: member, email: `fuzz_${member.slice(0, 8)}@example.test`, username: `fuzz_${member.slice(0, 8)}`, name: 'Fuzz' });
		const ids = async (sql: string) => (await db.query<{ id: string }>(sql)).rows.map((row) => row.id);
		return {
			conversations: [...(await ids('select id from public.conversations limit 20')), randomUUID()],
			messages: [...(await ids('select id from public.messages limit 20')), randomUUID()],
			offers: [...(await ids('select id from public.offers limit 5')), randomUUID()],
			photos: [...(await ids('select id from public.attachments limit 5')), randomUUID()],
			products: [...(await ids('select id from public.products limit 10')), randomUUID()]
		};
	});

	const member_ = await playwright.request.newContext({ baseURL });
	const visitor = await playwright.request.newContext({ baseURL });
	const signIn = await member_.post('/login', {
		headers: { origin, accept: 'text/html' },
		form: { email: `fuzz_${member.slice(0, 8)}@example.test`, password: 'password123', next: '/' },
		maxRedirects: 0
	});
	expect(signIn.status(), (await signIn.text()).slice(0, 300)).toBe(303);

	const before = await fingerprint(baseURL);
	const random = seeded(SEED);
	const byStatus = new Map<number, number>();
	const failures: string[] = [];
	const lastOn = new Map<APIRequestContext, string>();
	const retried: APIRequestContext[] = [];
	for (let i = 0; i < COUNT; i++) {
		const { label, detail, isolated, send } = attempt(random, foreign, origin);
		const shared = random.chance(0.85) ? member_ : visitor;
		const previous = lastOn.get(shared) ?? '';
		lastOn.set(shared, `${label} ${detail ?? ''}`.slice(0, 160));
		const api = isolated ? await playwright.request.newContext({ baseURL, storageState: await shared.storageState() }) : shared;
		let response = await send(api).catch((error: Error) => error);
		if (response instanceof Error && /ECONNRESET|socket hang up/.test(response.message)) {
			// Node closes a connection after answering before it read a large body (a 401 for a
			// visitor's 200 KB post): the client's next request on that socket is reset. Not an
			// answer of ours; the same request goes again on a connection of its own.
			const fresh = await playwright.request.newContext({ baseURL, storageState: await shared.storageState() });
			response = await send(fresh).catch((error: Error) => error);
			retried.push(fresh);
		}
		if (response instanceof Error) {
			failures.push(`#${i} ${label}: no answer (${response.message.split('\n')[0]}) ${(detail ?? '').slice(0, 200)}; after ${previous}`);
			if (isolated) await api.dispose();
			continue;
		}
		const status = await effectiveStatus(response);
		byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
		if (status >= 500) failures.push(`#${i} ${label}: ${status} ${(await response.text()).slice(0, 200)}`);
		// A page may show itself for a bad query (an unknown filter shows the inbox); nothing else may accept.
		else if (status < 300 && !label.startsWith('GET /messages') && !label.startsWith('GET /login') && !label.startsWith('GET /products'))
			failures.push(`#${i} ${label}: accepted (${status}) ${(await response.text()).slice(0, 200)}`);
		else if (status >= 400) {
			const problem = await explained(response, status);
			if (problem) failures.push(`#${i} ${label}: ${status} ${problem}`);
		}
		await response.dispose();
		if (isolated) await api.dispose();
	}
	for (const context of retried) await context.dispose();
	const after = await fingerprint(baseURL);
	await member_.dispose();
	await visitor.dispose();

	const table = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
	console.log(`fuzz: ${COUNT} requests (seed ${SEED}); by status ${table.join(', ')}; ${retried.length} sent again after a reset connection; ${failures.length} failures`);
	expect(failures.slice(0, 20)).toEqual([]);
	expect(after).toEqual(before);
});

/**
 * SvelteKit looks a form action up as `actions[name]`: on a plain object, `?/constructor` called
 * Object's constructor with the request (a 500 that logged the request, its session cookie
 * included) and `?/toString` answered 200. Every page's actions now have no prototype.
 */
test('form actions named after what every object inherits are a 404 with a sentence, signed in or not', async ({ playwright, baseURL }) => {
	const origin = new URL(baseURL!).origin;
	const member = await playwright.request.newContext({ baseURL });
	const signIn = await member.post('/login', { headers: { origin, accept: 'text/html' }, form: { email: 'ben@example.com', password: 'password123', next: '/' }, maxRedirects: 0 });
	expect(signIn.status()).toBe(303);
	const visitor = await playwright.request.newContext({ baseURL });
	const answers: string[] = [];
	for (const api of [member, visitor]) {
		// (A POST to /unsubscribe asking for JSON is its one-click endpoint, not its page's action.)
		for (const page of ['/messages', '/login', '/logout', '/account', '/account/delete']) {
			for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__']) {
				const response = await api.post(`${page}?/${name}`, { headers: { origin, accept: 'application/json' }, form: { x: '1' }, maxRedirects: 0 });
				const body = await response.json().catch(() => null);
				answers.push(`${page}?/${name}: ${await effectiveStatus(response)} ${body?.error?.message ?? JSON.stringify(body)}`);
			}
		}
	}
	const expected = answers.map((answer) => answer.replace(/: .*/, ': 404 This form has no such action.'));
	expect(answers).toEqual(expected);
	await member.dispose();
	await visitor.dispose();
});

test('a POST naming no action, to a page with named actions only, says the form has no such action; to no page, that there is none', async ({ playwright, baseURL }) => {
	const origin = new URL(baseURL!).origin;
	const visitor = await playwright.request.newContext({ baseURL });
	const answers: string[] = [];
	for (const path of ['/messages', '/account']) {
		const response = await visitor.post(path, { headers: { origin, accept: 'application/json' }, form: { x: '1' }, maxRedirects: 0 });
		const body = await response.json().catch(() => null);
		answers.push(`${path}: ${await effectiveStatus(response)} ${body?.error?.message ?? JSON.stringify(body)}`);
	}
	expect(answers).toEqual(['/messages: 404 This form has no such action.', '/account: 404 This form has no such action.']);
	const nowhere = await visitor.post('/no-such-page', { headers: { origin }, form: { x: '1' }, maxRedirects: 0 });
	expect(nowhere.status()).toBe(404);
	expect(await nowhere.text()).toContain('There is no page at this address.');
	await visitor.dispose();
});

/** A form over the server's body limit is told so (it was "The form could not be read"), and gets nothing of itself echoed back. */
test('a send form over the body limit is a 413 that says it is too large', async ({ playwright, baseURL }) => {
	const origin = new URL(baseURL!).origin;
	const member = await playwright.request.newContext({ baseURL });
	await member.post('/login', { headers: { origin, accept: 'text/html' }, form: { email: 'ben@example.com', password: 'password123', next: '/' }, maxRedirects: 0 });
	const response = await member.post('/messages?/send', {
		headers: { origin, accept: 'application/json' },
		form: { id: crypto.randomUUID(), key: `${'33333333-3333-4333-8333-333333333333'}__general`, body: 'x'.repeat(12 * 1024 * 1024) }
	});
	const body = await response.json();
	expect({ status: await effectiveStatus(response), message: body?.error?.message }).toEqual({
		status: 413,
		message: 'That is too large to send. Messages hold at most 4000 characters and photos are sent one at a time.'
	});
	await member.dispose();
});
