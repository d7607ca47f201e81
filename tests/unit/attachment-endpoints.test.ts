import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHttpError, json, type RequestEvent } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import type { Attachment } from '../../src/lib/messaging/schemas/index.ts';
import type { AttachmentStore } from '../../src/lib/server/messaging/attachments/store.ts';
import type { AttachmentDimensions, MessagingBackend } from '../../src/lib/server/messaging/backend/messaging-backend.ts';
import { messagingEndpoints } from '../../src/lib/server/messaging/endpoints.ts';
import { readConfig } from '../../src/lib/server/config.ts';
import { FIXTURES } from '../fixtures/photos/make.ts';

/**
 * The photo endpoints' own decisions, with the backend and the store replaced by recorders:
 * what happens when storing fails, when the database refuses, and in Supabase mode. The real
 * thing (PostgreSQL, files, HTTP) is tests/db/attachment-endpoints.test.ts.
 */

const ME = 'b0000000-0000-4000-8000-000000000001';
const PHOTO = 'a1000000-0000-4000-8000-000000000001';

interface Recorded {
	calls: string[];
}

function backend(recorded: Recorded, overrides: Partial<MessagingBackend> = {}): MessagingBackend {
	return {
		async checkPhotoRoom() {
			recorded.calls.push('checkPhotoRoom');
		},
		async createAttachment(dimensions: AttachmentDimensions): Promise<Attachment> {
			recorded.calls.push(`createAttachment ${dimensions.width}x${dimensions.height}`);
			return { id: PHOTO, width: dimensions.width, height: dimensions.height, thumb_width: dimensions.thumbWidth, thumb_height: dimensions.thumbHeight };
		},
		async discardAttachment({ id }: { id: string }) {
			recorded.calls.push(`discardAttachment ${id}`);
		},
		async attachmentForReader({ id }: { id: string }) {
			recorded.calls.push(`attachmentForReader ${id}`);
			return { id, message_id: null };
		},
		...overrides
	} as MessagingBackend;
}

function store(recorded: Recorded, overrides: Partial<AttachmentStore> = {}): AttachmentStore {
	return {
		async put(id) {
			recorded.calls.push(`put ${id}`);
		},
		async open(id, size) {
			recorded.calls.push(`open ${id} ${size}`);
			return { kind: 'file', length: 4, etag: '"abc-1"', stream: () => new Response('webp').body! };
		},
		async remove() {},
		...overrides
	};
}

async function call(
	method: 'GET' | 'POST',
	endpoint: string,
	options: { user?: string | null; body?: BodyInit; headers?: Record<string, string>; messaging?: MessagingBackend; attachments?: AttachmentStore } = {}
): Promise<Response> {
	const url = new URL(`http://127.0.0.1/messages/${endpoint}`);
	const request = new Request(url, { method, body: options.body, headers: options.headers });
	const user = options.user === undefined ? ME : options.user;
	// As a host's hooks set them (the endpoints check): a backend that records, a realtime relay that is never reached.
	const locals = {
		user: user ? { id: user, email: 'me@example.test' } : null,
		messaging: options.messaging ?? backend({ calls: [] }),
		messagingRealtime: { transport: 'sse' },
		messagingAttachments: options.attachments
	};
	try {
		return await messagingEndpoints[method]({ request, url, params: { endpoint }, locals } as unknown as RequestEvent);
	} catch (e) {
		if (isHttpError(e)) return json(e.body, { status: e.status });
		throw e;
	}
}

const photoForm = () => {
	const form = new FormData();
	form.set('file', new Blob([readFileSync(join(FIXTURES, 'shelf.png'))]), 'shelf.png');
	return form;
};

describe('the endpoints route by path', () => {
	it('each endpoint answers at its one path: deeper paths and unknown names are 404', async () => {
		for (const endpoint of ['history/extra', 'stream/x', 'nope', 'attachments', `attachments/${PHOTO}`, `attachments/${PHOTO}/thumb/x`]) {
			expect((await call('GET', endpoint)).status, endpoint).toBe(404);
		}
		for (const endpoint of ['typing/x', `attachments/${PHOTO}`, `attachments/${PHOTO}/thumb`]) {
			expect((await call('POST', endpoint, { body: '{}' })).status, endpoint).toBe(404);
		}
	});

	it('POST typing says what is wrong with its body: the conversation, or whether one is typing', async () => {
		const typing = async (body: unknown) => {
			const response = await call('POST', 'typing', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
			return { status: response.status, ...(await response.json()) };
		};
		const conversation = 'c0000000-0000-4000-8000-000000000001';
		expect(await typing({ conversation_id: 'nope' })).toEqual({ status: 400, message: 'Say which conversation you are typing in (its conversation_id).' });
		for (const wrong of ['false', null, 0, []]) {
			expect(await typing({ conversation_id: conversation, typing: wrong })).toEqual({ status: 400, message: 'Say whether you are typing: typing is true or false.' });
		}
	});

	it('the old single-segment endpoints still answer (history asks for a conversation id)', async () => {
		const response = await call('GET', 'history');
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({ message: 'conversation_id must be a conversation id.' });
	});
});

describe('POST attachments', () => {
	it('stores the photo after recording it, and answers 201 with the Attachment', async () => {
		const recorded: Recorded = { calls: [] };
		const response = await call('POST', 'attachments', { body: photoForm(), messaging: backend(recorded), attachments: store(recorded) });
		expect(response.status).toBe(201);
		expect(await response.json()).toEqual({ id: PHOTO, width: 800, height: 600, thumb_width: 320, thumb_height: 240 });
		expect(recorded.calls).toEqual(['checkPhotoRoom', 'createAttachment 800x600', `put ${PHOTO}`]);
	});

	it('when storing fails, the attachment is discarded and the person gets a clear message to try again', async () => {
		const recorded: Recorded = { calls: [] };
		const failing = store(recorded, {
			async put() {
				recorded.calls.push('put fails');
				throw new Error('disk full');
			}
		});
		const response = await call('POST', 'attachments', { body: photoForm(), messaging: backend(recorded), attachments: failing });
		expect(response.status).toBe(503);
		expect(response.headers.get('retry-after')).toBe('5');
		expect(await response.json()).toEqual({ message: 'Your photo could not be stored just now. Try again in a moment.' });
		expect(recorded.calls).toEqual(['checkPhotoRoom', 'createAttachment 800x600', 'put fails', `discardAttachment ${PHOTO}`]);
	});

	it('a refusal of the database (60 unsent uploads an hour) comes back with its status and message; nothing is stored', async () => {
		const recorded: Recorded = { calls: [] };
		const limited = backend(recorded, {
			async createAttachment() {
				throw new MessagingError('rate_limited', 'You have uploaded 60 photos in the last hour without sending them.');
			}
		});
		const response = await call('POST', 'attachments', { body: photoForm(), messaging: limited, attachments: store(recorded) });
		expect(response.status).toBe(429);
		expect(await response.json()).toEqual({ message: 'You have uploaded 60 photos in the last hour without sending them.' });
		expect(recorded.calls).toEqual(['checkPhotoRoom']);
	});

	it('a host that gave the endpoints no store gets an error naming what is missing', async () => {
		await expect(call('POST', 'attachments', { body: photoForm(), messaging: backend({ calls: [] }) })).rejects.toThrow(
			'locals.messagingAttachments is not set'
		);
	});
});

describe('GET attachments/<id>/<size>', () => {
	it('asks the database who may see it before opening the file', async () => {
		const recorded: Recorded = { calls: [] };
		const response = await call('GET', `attachments/${PHOTO.toUpperCase()}/thumb`, { messaging: backend(recorded), attachments: store(recorded) });
		expect(response.status).toBe(200);
		expect(await response.text()).toBe('webp');
		expect(recorded.calls).toEqual([`attachmentForReader ${PHOTO}`, `open ${PHOTO} thumb`]);
	});

	it('304 for an ETag the browser already has, weak or in a list', async () => {
		const recorded: Recorded = { calls: [] };
		for (const tag of ['"abc-1"', 'W/"abc-1"', '"old", "abc-1"']) {
			const response = await call('GET', `attachments/${PHOTO}/display`, { headers: { 'if-none-match': tag }, messaging: backend(recorded), attachments: store(recorded) });
			expect(response.status, tag).toBe(304);
			expect(response.headers.get('etag')).toBe('"abc-1"');
		}
		const changed = await call('GET', `attachments/${PHOTO}/display`, { headers: { 'if-none-match': '"other"' }, messaging: backend(recorded), attachments: store(recorded) });
		expect(changed.status).toBe(200);
	});

	it('404 when the database says not found, or the file is missing; the signed-out never reach the database', async () => {
		const recorded: Recorded = { calls: [] };
		const refusing = backend(recorded, {
			async attachmentForReader() {
				throw new MessagingError('not_found', 'This photo does not exist or is not yours to see.');
			}
		});
		expect((await call('GET', `attachments/${PHOTO}/thumb`, { messaging: refusing, attachments: store(recorded) })).status).toBe(404);
		const empty = store(recorded, { open: async () => null });
		expect((await call('GET', `attachments/${PHOTO}/thumb`, { messaging: backend(recorded), attachments: empty })).status).toBe(404);
		recorded.calls.length = 0;
		expect((await call('GET', `attachments/${PHOTO}/thumb`, { user: null, messaging: backend(recorded), attachments: store(recorded) })).status).toBe(404);
		expect(recorded.calls).toEqual([]);
	});

	it('in Supabase mode redirects to the signed URL, cached less long than the URL lives', async () => {
		const signed = `https://project.supabase.co/storage/v1/object/sign/message-attachments/${PHOTO}/display.webp?token=t`;
		const recorded: Recorded = { calls: [] };
		const supabase = store(recorded, { open: async () => ({ kind: 'redirect', url: signed }) });
		const response = await call('GET', `attachments/${PHOTO}/display`, { messaging: backend(recorded), attachments: supabase });
		expect(response.status).toBe(302);
		expect(response.headers.get('location')).toBe(signed);
		expect(response.headers.get('cache-control')).toBe('private, max-age=30');
	});
});

describe('configuration for photos', () => {
	it('photos live under the data directory, in a throwaway folder for ephemeral runs, or where BAZAAR_ATTACHMENTS_DIR says', () => {
		expect(readConfig({}).attachmentsDir).toMatch(/\/\.data\/attachments$/);
		expect(readConfig({ BAZAAR_DATA_DIR: '/srv/bazaar' }).attachmentsDir).toBe('/srv/bazaar/attachments');
		expect(readConfig({ BAZAAR_DB_EPHEMERAL: '1' }).attachmentsDir).toBeNull();
		expect(readConfig({ BAZAAR_DB_EPHEMERAL: '1', BAZAAR_ATTACHMENTS_DIR: '/tmp/photos' }).attachmentsDir).toBe('/tmp/photos');
	});

	it('the service-role key is read apart from what browsers are sent', () => {
		const config = readConfig({
			PUBLIC_SUPABASE_URL: 'https://abc.supabase.co',
			PUBLIC_SUPABASE_ANON_KEY: 'eyJhbGciOiJIUzI1NiJ9.anon-key',
			SUPABASE_SERVICE_ROLE_KEY: 'eyJhbGciOiJIUzI1NiJ9.service-role-key'
		});
		expect(config.supabaseServiceRoleKey).toBe('eyJhbGciOiJIUzI1NiJ9.service-role-key');
		expect(config.supabase).toEqual({ url: 'https://abc.supabase.co', anonKey: 'eyJhbGciOiJIUzI1NiJ9.anon-key' });
		expect(readConfig({}).supabaseServiceRoleKey).toBeUndefined();
	});
});

