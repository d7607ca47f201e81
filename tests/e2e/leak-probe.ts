import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import * as devalue from 'devalue';
import type pg from 'pg';
import { tableFingerprint } from './database';

/**
 * Requests as the HTTP-layer leak matrix (leaks.spec.ts) sends them, and what it checks in every
 * answer: the status it came to, and whether any of the victim's secrets is in it.
 */

/** One member's (or a visitor's) HTTP client, with the cookie header for clients Playwright has no streaming for. */
export interface Actor {
	name: 'ana' | 'sam' | 'ben' | 'lee' | 'visitor';
	api: APIRequestContext;
	cookie: string;
}

/** An answer, read whole (or, for a stream, as much as came in the window). */
export interface Answer {
	/** The status the request came to: an enhanced action's inner status, as the browser would see it. */
	status: number;
	text: string;
	bytes: Buffer;
	headers: string;
}

export async function signedIn(newContext: () => Promise<APIRequestContext>, origin: string, email: string | null, name: Actor['name']): Promise<Actor> {
	const api = await newContext();
	if (email) {
		const answer = await api.post('/login', {
			headers: { origin, accept: 'text/html' },
			form: { email, password: 'password123', next: '/' },
			maxRedirects: 0
		});
		if (answer.status() !== 303) throw new Error(`signing in ${email} answered ${answer.status()}: ${(await answer.text()).slice(0, 200)}`);
	}
	const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');
	return { name, api, cookie };
}

/**
 * A named form action of the messages page, posted as `use:enhance` posts it (JSON answer) or
 * as a plain HTML form (the page rendered with the outcome), with the app's own Origin.
 */
export function action(api: APIRequestContext, origin: string, name: string, form: Record<string, string>, enhanced: boolean): Promise<APIResponse> {
	const headers: Record<string, string> = enhanced ? { origin, 'x-sveltekit-action': 'true', accept: 'application/json' } : { origin, accept: 'text/html' };
	return api.post(`/messages?/${name}`, { headers, form, maxRedirects: 0 });
}

/** An enhanced action's result data (devalue-encoded inside SvelteKit's JSON), or a throw saying why there is none. */
export async function resultOf<T>(response: APIResponse): Promise<T> {
	const body = await response.json().catch(() => null);
	if (body?.type !== 'success') throw new Error(`expected success, got ${response.status()} ${JSON.stringify(body).slice(0, 300)}`);
	return (devalue.parse(body.data) as { result: T }).result;
}

export async function answerOf(response: APIResponse): Promise<Answer> {
	const bytes = await response.body().catch(() => Buffer.alloc(0));
	const text = bytes.toString('utf8');
	let status = response.status();
	if (status === 200 && response.headers()['content-type']?.includes('application/json')) {
		const body = (() => {
			try {
				return JSON.parse(text);
			} catch {
				return null;
			}
		})();
		if (body?.type === 'failure' || body?.type === 'error') status = Number(body.status ?? 500);
		else if (body?.type === 'redirect') status = Number(body.status ?? 303);
	}
	return { status, text, bytes, headers: JSON.stringify(response.headers()) };
}

/**
 * The SSE stream, read for `windowMs` and then cut: the catch-up from the cursor comes first, so
 * a window that shows the victim their own events (the positive control) shows anyone else
 * whatever the stream would give them.
 */
export async function readStream(baseURL: string, actor: Actor, query: string, lastEventId: string | null, windowMs: number): Promise<Answer> {
	const stop = new AbortController();
	const timer = setTimeout(() => stop.abort(), windowMs);
	const headers: Record<string, string> = { accept: 'text/event-stream' };
	if (actor.cookie) headers.cookie = actor.cookie;
	if (lastEventId !== null) headers['last-event-id'] = lastEventId;
	const chunks: Buffer[] = [];
	let status = 0;
	let head = '';
	try {
		const response = await fetch(`${baseURL}/messages/stream${query}`, {
			headers,
			signal: stop.signal
		});
		status = response.status;
		head = JSON.stringify(Object.fromEntries(response.headers));
		const reader = response.body!.getReader();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(Buffer.from(value));
		}
	} catch (e) {
		if (!stop.signal.aborted) throw e;
	} finally {
		clearTimeout(timer);
	}
	const bytes = Buffer.concat(chunks);
	return { status, text: bytes.toString('utf8'), bytes, headers: head };
}

/** What of `secrets` (strings, or byte runs of a photo) the answer carries, body or headers. */
export function leaked(answer: Answer, secrets: readonly string[], photoChunks: readonly Buffer[]): string[] {
	const found = secrets.filter((secret) => answer.text.includes(secret) || answer.headers.includes(secret));
	if (photoChunks.some((chunk) => answer.bytes.includes(chunk))) found.push('photo bytes');
	return found;
}

/** Tables a refused request could change: row counts and a checksum of each, in one query. */
const TABLES = [
	'public.messages',
	'public.message_originals',
	'public.conversations',
	'public.conversation_members',
	'public.message_reactions',
	'public.offers',
	'public.attachments',
	'public.quick_replies',
	'public.message_reports',
	'public.user_blocks',
	'public.products',
	'public.messaging_events'
];

export const fingerprint = (db: pg.Client) => tableFingerprint(db, TABLES);

const SHELF = fileURLToPath(new URL('../fixtures/photos/shelf.png', import.meta.url));

/** Uploads the fixture photo through the real endpoint as `api`'s member; the new attachment's id. */
export async function uploadShelfPhoto(api: APIRequestContext, origin: string): Promise<string> {
	const upload = await api.post('/messages/attachments', {
		headers: { origin, accept: 'application/json' },
		multipart: { file: { name: 'shelf.png', mimeType: 'image/png', buffer: readFileSync(SHELF) } }
	});
	if (upload.status() !== 201) throw new Error(`upload answered ${upload.status()}: ${await upload.text()}`);
	return ((await upload.json()) as { id: string }).id;
}
