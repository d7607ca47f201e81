import type { ActionResult } from '@sveltejs/kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessagingApi, actionOutcome, waitReason } from '../../src/lib/messaging/api.ts';
import type { Attachment } from '../../src/lib/messaging/schemas/index.ts';
import { CONVERSATION, KEY, at, message, messageId, messageEvent, previewRow, readState } from '../support/rows.ts';

/**
 * The browser's request layer, against a `fetch` the test answers with real `Response`s: the
 * URLs it builds, the answers it parses with the shared schemas, and the plain messages it
 * gives back when a request fails. (No server, no database: those have their own tests.)
 */

const OFFLINE = 'You appear to be offline. Try again when you are connected.';
const UNREACHABLE = 'The server cannot be reached. Try again in a moment.';
/** The browser's own word on its network (navigator.onLine), for the requests that get no answer. */
const browserOnline = (onLine: boolean) => vi.stubGlobal('navigator', { onLine });
afterEach(() => void vi.unstubAllGlobals());

interface Sent {
	url: string;
	init?: RequestInit;
}

/** A MessagingApi whose fetch records each request and answers with the next of `answers` (an Error rejects). */
function apiAnswering(...answers: (Response | Error)[]) {
	const sent: Sent[] = [];
	const api = new MessagingApi({
		basePath: '/shop/messages',
		fetch: async (input, init) => {
			sent.push({ url: String(input), init });
			const answer = answers.shift();
			if (!answer) throw new Error('no answer left for this request');
			if (answer instanceof Error) throw answer;
			return answer;
		}
	});
	return { api, sent };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const urlOf = (sent: Sent) => new URL(sent.url, 'http://localhost');
const cursor = { at: at(30, 123456), id: messageId(7) };

describe('MessagingApi: reads', () => {
	it('previews asks <basePath>/previews for the filter after the cursor, and keys the parsed rows', async () => {
		const row = previewRow();
		const { api, sent } = apiAnswering(json({ previews: [row], next: null }));

		const outcome = await api.previews({ filter: 'unread', before: cursor });

		const url = urlOf(sent[0]);
		expect(url.pathname).toBe('/shop/messages/previews');
		expect(Object.fromEntries(url.searchParams)).toEqual({ filter: 'unread', before_at: cursor.at, before_id: cursor.id });
		expect(sent[0].url).toContain('before_at=2026-11-24T10%3A00%3A30.123456%2B00%3A00'); // the offset's + survives
		expect(outcome).toEqual({ ok: true, value: { previews: [{ ...row, key: KEY }], next: null } });
	});

	it('history asks <basePath>/history for the conversation before the cursor, and parses the page', async () => {
		const older = message({ id: messageId(6), created_at: at(20) });
		const { api, sent } = apiAnswering(json({ messages: [older], next: { at: at(20), id: messageId(6) } }));

		const outcome = await api.history({ conversationId: CONVERSATION, before: cursor });

		const url = urlOf(sent[0]);
		expect(url.pathname).toBe('/shop/messages/history');
		expect(Object.fromEntries(url.searchParams)).toEqual({ conversation_id: CONVERSATION, before_at: cursor.at, before_id: cursor.id });
		expect(outcome).toEqual({ ok: true, value: { messages: [older], next: { at: at(20), id: messageId(6) } } });
	});

	it("a 4xx answer's JSON message is what the person reads", async () => {
		const { api } = apiAnswering(json({ message: 'before_at and before_id must come together and be valid.' }, 400));
		expect(await api.history({ conversationId: CONVERSATION, before: cursor })).toEqual({
			ok: false,
			message: 'before_at and before_id must come together and be valid.'
		});
	});

	it('a failure without a JSON message, or an answer of the wrong shape, is a plain "something went wrong"', async () => {
		const { api } = apiAnswering(
			new Response('<h1>Bad gateway</h1>', { status: 502 }),
			json({ previews: [{ conversation_id: 'not a uuid' }], next: null })
		);
		const broken = await api.previews({ filter: 'all', before: cursor });
		expect(broken.ok).toBe(false);
		expect(!broken.ok && broken.message).toMatch(/went wrong/);
		const malformed = await api.previews({ filter: 'all', before: cursor });
		expect(malformed.ok).toBe(false);
		expect(!malformed.ok && malformed.message).toMatch(/went wrong/);
	});

	it('a network failure is the offline message when the browser is offline, and says the server is out of reach when it is not', async () => {
		browserOnline(false);
		const { api } = apiAnswering(new TypeError('Failed to fetch'), new TypeError('Failed to fetch'));
		expect(await api.previews({ filter: 'all', before: cursor })).toEqual({ ok: false, message: OFFLINE });
		// Online, with the server down: "you appear to be offline" was untrue.
		browserOnline(true);
		expect(await api.previews({ filter: 'all', before: cursor })).toEqual({ ok: false, message: UNREACHABLE });
	});
});

describe('MessagingApi: sync and the stream', () => {
	it('sync asks <basePath>/sync after the cursor and parses the events', async () => {
		const event = messageEvent(message(), { id: 42 });
		const { api, sent } = apiAnswering(json({ events: [event], cursor: 42, resync: false, has_more: false }));

		expect(await api.sync(41)).toEqual({ events: [event], cursor: 42, resync: false, has_more: false });
		expect(urlOf(sent[0]).pathname).toBe('/shop/messages/sync');
		expect(urlOf(sent[0]).searchParams.get('cursor')).toBe('41');
	});

	it('sync throws when the catch-up cannot be had, so the realtime service retries', async () => {
		const { api } = apiAnswering(new TypeError('Failed to fetch'), json({ message: 'Sign in to use messages.' }, 401), json({ events: 'no' }));
		await expect(api.sync(1)).rejects.toThrow(/cannot be reached/);
		await expect(api.sync(1)).rejects.toThrow(/Sign in to use messages/);
		await expect(api.sync(1)).rejects.toThrow(/sync failed/);
	});

	it('the stream starts at <basePath>/stream after the cursor', () => {
		expect(new MessagingApi({ basePath: '/messages' }).streamUrl(17)).toBe('/messages/stream?cursor=17');
	});

	it('typing posts the conversation and whether one is still typing as JSON, and a network failure is not an error', async () => {
		const { api, sent } = apiAnswering(new Response(null, { status: 204 }), new Response(null, { status: 204 }), new TypeError('Failed to fetch'));
		await api.typing(CONVERSATION);
		await api.typing(CONVERSATION, false);
		expect(sent[0].url).toBe('/shop/messages/typing');
		expect(sent[0].init?.method).toBe('POST');
		expect(JSON.parse(String(sent[0].init?.body))).toEqual({ conversation_id: CONVERSATION, typing: true });
		// It may be the page's last request (a reload while typing): the browser sends it still.
		expect(sent[0].init?.keepalive).toBe(true);
		expect(JSON.parse(String(sent[1].init?.body))).toEqual({ conversation_id: CONVERSATION, typing: false });
		await expect(api.typing(CONVERSATION)).resolves.toBeUndefined();
	});
});

describe('MessagingApi: form actions', () => {
	it('actionUrl names the action, and the conversation (encoded) when there is one', () => {
		const api = new MessagingApi({ basePath: '/messages' });
		expect(api.actionUrl('read')).toBe('/messages?/read');
		expect(api.actionUrl('send', KEY)).toBe(`/messages?conversation=${KEY}&/send`);
		expect(api.actionUrl('send', 'a b&c=/d')).toBe('/messages?conversation=a%20b%26c%3D%2Fd&/send');
	});

	it('action posts its fields to the action, leaving out empty ones; a network failure is the offline message', async () => {
		browserOnline(false);
		const { api, sent } = apiAnswering(new TypeError('Failed to fetch'));
		const outcome = await api.action('send', { id: messageId(100), body: 'Hi', conversation_id: CONVERSATION, reply_to: null, key: undefined });

		expect(outcome).toEqual({ ok: false, message: OFFLINE, code: 'offline' });
		expect(sent[0].url).toBe('/shop/messages?/send');
		expect(sent[0].init?.method).toBe('POST');
		expect(new Headers(sent[0].init?.headers).get('x-sveltekit-action')).toBe('true');
		const body = sent[0].init?.body as FormData;
		expect(Object.fromEntries(body)).toEqual({ id: messageId(100), body: 'Hi', conversation_id: CONVERSATION });
	});
});

/**
 * A stand-in for the browser's XMLHttpRequest (uploads use it for their progress events): it
 * records what was sent, and the test plays the network's part.
 */
class FakeRequest {
	method = '';
	url = '';
	headers: Record<string, string> = {};
	body: FormData | null = null;
	aborted = false;
	status = 0;
	responseText = '';
	upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
	onload: (() => void) | null = null;
	onerror: (() => void) | null = null;
	ontimeout: (() => void) | null = null;
	onabort: (() => void) | null = null;

	open(method: string, url: string) {
		this.method = method;
		this.url = url;
	}
	setRequestHeader(name: string, value: string) {
		this.headers[name.toLowerCase()] = value;
	}
	send(body: FormData) {
		this.body = body;
	}
	abort() {
		this.aborted = true;
		this.onabort?.();
	}

	progress(loaded: number, total: number, lengthComputable = true) {
		this.upload.onprogress?.({ lengthComputable, loaded, total });
	}
	answer(status: number, body: string) {
		this.status = status;
		this.responseText = body;
		this.onload?.();
	}
}

function uploadApi() {
	const requests: FakeRequest[] = [];
	const api = new MessagingApi({
		basePath: '/shop/messages',
		request: () => {
			const request = new FakeRequest();
			requests.push(request);
			return request as unknown as XMLHttpRequest;
		}
	});
	return { api, requests };
}

const photo: Attachment = { id: messageId(900), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 };
const jpeg = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' });

describe('MessagingApi: photos', () => {
	it('attachmentUrl names the photo and its size under <basePath>/attachments', () => {
		const api = new MessagingApi({ basePath: '/shop/messages' });
		expect(api.attachmentUrl(photo.id, 'thumb')).toBe(`/shop/messages/attachments/${photo.id}/thumb`);
		expect(api.attachmentUrl(photo.id, 'display')).toBe(`/shop/messages/attachments/${photo.id}/display`);
	});

	it('uploadAttachment posts the file as multipart field "file" to <basePath>/attachments and parses the stored photo', async () => {
		const { api, requests } = uploadApi();
		const file = jpeg();
		const uploading = api.uploadAttachment(file, { onProgress: () => {} });
		const [request] = requests;
		expect(request.method).toBe('POST');
		expect(request.url).toBe('/shop/messages/attachments');
		expect(request.headers.accept).toBe('application/json');
		const sent = request.body?.get('file');
		expect(sent).toBeInstanceOf(Blob);
		expect((sent as Blob).size).toBe(file.size);

		request.answer(201, JSON.stringify(photo));
		expect(await uploading).toEqual({ ok: true, value: photo });
	});

	it('reports progress as a fraction from the upload events, and 1 when stored', async () => {
		const { api, requests } = uploadApi();
		const fractions: number[] = [];
		const uploading = api.uploadAttachment(jpeg(), { onProgress: (fraction) => fractions.push(fraction) });
		requests[0].progress(0, 0, false); // length not known yet: nothing to say
		requests[0].progress(250, 1000);
		requests[0].progress(1000, 1000);
		requests[0].answer(201, JSON.stringify(photo));
		await uploading;
		expect(fractions).toEqual([0.25, 1, 1]);
	});

	it("a refusal gives the server's message", async () => {
		const { api, requests } = uploadApi();
		const uploading = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		requests[0].answer(415, JSON.stringify({ message: 'notes.txt is not a photo we can send (JPEG, PNG, WebP or GIF).' }));
		// A refusal of the photo itself: only removing it helps, so no retry is offered.
		expect(await uploading).toEqual({ ok: false, message: 'notes.txt is not a photo we can send (JPEG, PNG, WebP or GIF).', code: 'photo_refused' });
	});

	it('a refusal without a message (a proxy cutting a large upload short) is explained by its status', async () => {
		const { api, requests } = uploadApi();
		const tooLarge = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		// The proxy's limit, not the 10 MB rule (the endpoint says that one itself, on a photo the browser lets through under it).
		requests[0].answer(413, '<html>Request Entity Too Large</html>');
		expect(await tooLarge).toEqual({
			ok: false,
			message: 'This photo is larger than this marketplace accepts right now. Try a smaller one.',
			code: 'photo_refused'
		});

		const signedOut = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		requests[1].answer(401, '');
		expect(await signedOut).toEqual({ ok: false, message: 'Sign in to send photos.' });

		const broken = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		requests[2].answer(502, '<h1>Bad gateway</h1>');
		const outcome = await broken;
		expect(!outcome.ok && outcome.message).toMatch(/went wrong/);
	});

	it('a stored answer of the wrong shape is not ok', async () => {
		const { api, requests } = uploadApi();
		const uploading = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		requests[0].answer(201, JSON.stringify({ id: 'not a uuid' }));
		const outcome = await uploading;
		expect(outcome.ok).toBe(false);
		expect(!outcome.ok && outcome.message).toMatch(/went wrong/);
	});

	it('a lost connection is a plain network error', async () => {
		const { api, requests } = uploadApi();
		const uploading = api.uploadAttachment(jpeg(), { onProgress: () => {} });
		requests[0].onerror?.();
		expect(await uploading).toEqual({ ok: false, message: 'The photo could not be uploaded: the connection was lost. Try again.' });
	});

	it('aborting through the signal stops the request and answers with code "aborted"; an aborted signal sends nothing', async () => {
		const { api, requests } = uploadApi();
		const stop = new AbortController();
		const uploading = api.uploadAttachment(jpeg(), { onProgress: () => {}, signal: stop.signal });
		stop.abort();
		expect(requests[0].aborted).toBe(true);
		expect(await uploading).toMatchObject({ ok: false, code: 'aborted' });

		const again = await api.uploadAttachment(jpeg(), { onProgress: () => {}, signal: stop.signal });
		expect(again).toMatchObject({ ok: false, code: 'aborted' });
		expect(requests).toHaveLength(1);
	});
});

describe('actionOutcome', () => {
	const success = (data: Record<string, unknown>): ActionResult => ({ type: 'success', status: 200, data });

	it("a success whose result matches the action's result schema is ok, with the parsed value", () => {
		const state = readState({ archived: true });
		expect(actionOutcome('archive', success({ action: 'archive', ok: true, result: state }))).toEqual({ ok: true, value: state });

		const sent = message({ id: messageId(100) });
		expect(actionOutcome('send', success({ action: 'send', ok: true, result: sent, nextDraftId: messageId(101) }))).toEqual({ ok: true, value: sent });
	});

	it('react answers with the message as stored, its reactions and photos included', () => {
		const reacted = message({
			id: messageId(100),
			attachments: [{ id: messageId(900), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 }],
			reactions: [{ emoji: '👍', user_ids: [messageId(5)] }]
		});
		expect(actionOutcome('react', success({ action: 'react', ok: true, result: reacted }))).toEqual({ ok: true, value: reacted });
		expect(actionOutcome('react', success({ action: 'react', ok: true, result: { ...reacted, reactions: [{ emoji: '🦄', user_ids: [] }] } })).ok).toBe(false);
	});

	it('a success with a malformed result is not ok, with a message', () => {
		const outcome = actionOutcome('archive', success({ action: 'archive', ok: true, result: { conversation_id: CONVERSATION } }));
		expect(outcome.ok).toBe(false);
		expect(!outcome.ok && outcome.message).toMatch(/went wrong/);
		// A send answered with a read state is malformed too: each action has its own result.
		expect(actionOutcome('send', success({ action: 'send', ok: true, result: readState() })).ok).toBe(false);
		expect(actionOutcome('send', success({ action: 'send', ok: true })).ok).toBe(false);
	});

	it("a failure envelope gives its message and code", () => {
		const result: ActionResult = {
			type: 'failure',
			status: 403,
			data: { action: 'send', ok: false, code: 'blocked', message: 'Alice is not accepting messages from you.', body: 'Hi' }
		};
		expect(actionOutcome('send', result)).toEqual({ ok: false, message: 'Alice is not accepting messages from you.', code: 'blocked' });
	});

	it('a failure that is not in the shared shape is a plain "something went wrong"', () => {
		const outcome = actionOutcome('send', { type: 'failure', status: 400, data: { missing: true } });
		expect(outcome.ok).toBe(false);
		expect(!outcome.ok && outcome.message).toMatch(/went wrong/);
		expect(!outcome.ok && outcome.code).toBeUndefined();
	});

	it('an error gives its message, or a plain one; a 401 is marked as signed out', () => {
		expect(actionOutcome('read', { type: 'error', status: 401, error: { message: 'Sign in to use messages.' } })).toEqual({
			ok: false,
			message: 'Sign in to use messages.',
			code: 'not_authenticated'
		});
		const bare = actionOutcome('read', { type: 'error', status: 500, error: undefined });
		expect(bare.ok).toBe(false);
		expect(!bare.ok && bare.message).toMatch(/went wrong/);
		// use:enhance's report of a fetch that never reached the server: no status.
		browserOnline(false);
		expect(actionOutcome('send', { type: 'error', error: new TypeError('Failed to fetch') })).toEqual({ ok: false, message: OFFLINE, code: 'offline' });
		browserOnline(true);
		expect(actionOutcome('send', { type: 'error', error: new TypeError('Failed to fetch') })).toEqual({ ok: false, message: UNREACHABLE, code: 'offline' });
	});

	it('says why a send waits to go again by itself: no network, the server out of reach, its database, or the send limit; nothing for a refusal', () => {
		const failed = { type: 'error', error: new TypeError('Failed to fetch') } as const;
		browserOnline(false);
		expect(waitReason(actionOutcome('send', failed))).toBe('offline');
		browserOnline(true);
		expect(waitReason(actionOutcome('send', failed))).toBe('unreachable');
		const unavailable = { type: 'failure', status: 503, data: { action: 'send', ok: false, code: 'unavailable', message: 'Messages are unavailable right now. Try again in a moment.' } } as const;
		expect(waitReason(actionOutcome('send', unavailable))).toBe('unavailable');
		const blocked = { type: 'failure', status: 403, data: { action: 'send', ok: false, code: 'blocked', message: 'Ana is not accepting messages from you.' } } as const;
		expect(waitReason(actionOutcome('send', blocked))).toBeUndefined();
		expect(waitReason({ ok: false, message: 'You are sending messages too fast.', code: 'rate_limited' })).toBe('limit');
	});

	it('a redirect is not a result', () => {
		expect(actionOutcome('read', { type: 'redirect', status: 303, location: '/login' }).ok).toBe(false);
	});
});
