import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerClient } from '@supabase/ssr';
import { createClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { folderAttachmentStore } from '../../src/lib/server/messaging/attachments/folder-store.ts';
import { drainAttachmentRemovals, supabaseAttachmentRemovals, type AttachmentRemovalQueue } from '../../src/lib/server/messaging/attachments/removals.ts';
import type { AttachmentStore } from '../../src/lib/server/messaging/attachments/store.ts';
import { ATTACHMENT_BUCKET, supabaseAttachmentStore } from '../../src/lib/server/messaging/attachments/supabase-store.ts';

const files = (seed: string) => ({ thumb: new TextEncoder().encode(`thumb of ${seed}`), display: new TextEncoder().encode(`display of ${seed}`) });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
	return new Response(stream).text();
}

describe('folderAttachmentStore', () => {
	let dir: string;
	let store: AttachmentStore;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'attachments-test-'));
		store = folderAttachmentStore({ dir: join(dir, 'attachments') });
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('keeps both files at <dir>/<id>/{thumb,display}.webp, with no temporary file left behind', async () => {
		const id = randomUUID();
		await store.put(id, files(id));
		expect(readdirSync(join(dir, 'attachments', id)).sort()).toEqual(['display.webp', 'thumb.webp']);
		expect(readFileSync(join(dir, 'attachments', id, 'thumb.webp'), 'utf8')).toBe(`thumb of ${id}`);
	});

	it('opens a file with its length and an ETag, and streams its bytes', async () => {
		const id = randomUUID();
		await store.put(id, files(id));
		const opened = await store.open(id, 'display');
		expect(opened).toMatchObject({ kind: 'file', length: `display of ${id}`.length, etag: expect.stringMatching(/^"[0-9a-z]+-[0-9a-z]+"$/) });
		if (opened?.kind !== 'file') throw new Error('expected a file');
		expect(await readAll(opened.stream())).toBe(`display of ${id}`);
		expect((await store.open(id, 'display'))).toMatchObject({ etag: opened.etag });
	});

	it('has nothing for an unknown id, and never builds a path from anything but a uuid', async () => {
		expect(await store.open(randomUUID(), 'thumb')).toBeNull();
		writeFileSync(join(dir, 'secret.webp'), 'secret');
		for (const id of ['..', '../secret', '..%2Fsecret', '', 'A0000000-0000-4000-8000-00000000000G']) {
			expect(await store.open(id, 'thumb')).toBeNull();
			await expect(store.put(id, files('x'))).rejects.toThrow('Not an attachment id');
			await expect(store.remove([id])).rejects.toThrow('Not an attachment id');
		}
		expect(existsSync(join(dir, 'secret.webp'))).toBe(true);
	});

	it('removes both files of each photo; unknown ids are fine', async () => {
		const [a, b] = [randomUUID(), randomUUID()];
		await store.put(a, files(a));
		await store.put(b, files(b));
		await store.remove([a, randomUUID()]);
		expect(readdirSync(join(dir, 'attachments'))).toEqual([b]);
		expect(await store.open(a, 'thumb')).toBeNull();
	});

	it('a write that fails leaves no file of the photo at all', async () => {
		const id = randomUUID();
		// The display file cannot be written (not bytes): the thumbnail written before it goes too.
		await expect(store.put(id, { thumb: files(id).thumb, display: undefined as unknown as Uint8Array })).rejects.toThrow();
		expect(existsSync(join(dir, 'attachments', id))).toBe(false);
	});
});

describe('drainAttachmentRemovals', () => {
	function queueOf(ids: string[]) {
		const queued = [...ids];
		const calls: string[] = [];
		const queue: AttachmentRemovalQueue = {
			async take(limit) {
				calls.push(`take ${limit}`);
				return queued.slice(0, limit);
			},
			async forget(forgotten) {
				calls.push(`forget ${forgotten.length}`);
				for (const id of forgotten) queued.splice(queued.indexOf(id), 1);
			}
		};
		return { queue, queued, calls };
	}

	it('deletes the files of every queued photo in batches, then forgets them', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'attachments-test-'));
		try {
			const store = folderAttachmentStore({ dir });
			const ids = Array.from({ length: 5 }, () => randomUUID());
			for (const id of ids) await store.put(id, files(id));
			const { queue, queued, calls } = queueOf(ids.slice(0, 4));
			expect(await drainAttachmentRemovals({ queue, store, batch: 3 })).toBe(4);
			expect(calls).toEqual(['take 3', 'forget 3', 'take 3', 'forget 1']);
			expect(queued).toEqual([]);
			expect(readdirSync(dir)).toEqual([ids[4]]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('forgets nothing when the files could not be deleted, so the next run tries again', async () => {
		const failing: AttachmentStore = {
			put: async () => {},
			open: async () => null,
			remove: async () => {
				throw new Error('storage is down');
			}
		};
		const { queue, queued, calls } = queueOf([randomUUID()]);
		await expect(drainAttachmentRemovals({ queue, store: failing })).rejects.toThrow('storage is down');
		expect(calls).toEqual(['take 200']);
		expect(queued).toHaveLength(1);
	});
});

// ---------------------------------------------------------------------------------------
// Supabase Storage, at its HTTP boundary: a stand-in of the Storage REST endpoints supabase-js
// calls (storage-js: POST /object/<bucket>/<path>, POST /object/sign/<bucket>/<path>, DELETE
// /object/<bucket> with {prefixes}), enforcing what the storage.objects policies would.

const ANON_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.anon-key-for-tests.signature';
const SERVICE_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.service-role-key-for-tests.signature';
const ME = 'b0000000-0000-4000-8000-000000000001';

function jwt(payload: Record<string, unknown>): string {
	const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}
const EXPIRES_AT = Math.floor(Date.UTC(2099, 0, 1) / 1000);
const ACCESS_TOKEN = jwt({ sub: ME, aud: 'authenticated', role: 'authenticated', exp: EXPIRES_AT });
const SESSION = {
	access_token: ACCESS_TOKEN,
	refresh_token: 'refresh-token-for-tests',
	token_type: 'bearer',
	expires_in: 3600,
	expires_at: EXPIRES_AT,
	user: { id: ME, aud: 'authenticated', role: 'authenticated', email: 'me@example.test', app_metadata: {}, user_metadata: {}, created_at: '2026-01-01T00:00:00Z' }
};

interface StorageRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

describe('supabaseAttachmentStore against a Storage stand-in', () => {
	let server: Server;
	let url: string;
	const requests: StorageRequest[] = [];
	const objects = new Map<string, Buffer>();
	/** Attachment ids the user may upload to (their pending ones) and read (storage.objects policies). */
	const uploadable = new Set<string>();
	const readable = new Set<string>();
	/** private.attachment_removals, as take_attachment_removals hands it out. */
	const removalQueue: string[] = [];

	const bearer = (headers: IncomingHttpHeaders) => headers.authorization?.replace(/^Bearer /, '');
	const send = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
		res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
	const denied = { statusCode: '403', error: 'Unauthorized', message: 'new row violates row-level security policy' };

	beforeAll(async () => {
		server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const body = Buffer.concat(chunks);
				const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
				requests.push({ method: req.method ?? '', path, headers: req.headers, body });
				const prefix = `/storage/v1/object/`;
				if (req.headers.apikey !== ANON_KEY && req.headers.apikey !== SERVICE_KEY) return send(res, 401, { message: 'no apikey' });
				if (req.method === 'POST' && path.startsWith(`${prefix}sign/${ATTACHMENT_BUCKET}/`)) {
					const key = path.slice(`${prefix}sign/${ATTACHMENT_BUCKET}/`.length);
					const id = key.split('/')[0];
					const allowed = bearer(req.headers) === SERVICE_KEY || (bearer(req.headers) === ACCESS_TOKEN && readable.has(id));
					if (!objects.has(key) || !allowed) return send(res, 400, { statusCode: '404', error: 'not_found', message: 'Object not found' });
					const { expiresIn } = JSON.parse(body.toString()) as { expiresIn: number };
					return send(res, 200, { signedURL: `/object/sign/${ATTACHMENT_BUCKET}/${key}?token=signed-${expiresIn}` });
				}
				if (req.method === 'POST' && path.startsWith(`${prefix}${ATTACHMENT_BUCKET}/`)) {
					const key = path.slice(`${prefix}${ATTACHMENT_BUCKET}/`.length);
					if (bearer(req.headers) !== ACCESS_TOKEN || !uploadable.has(key.split('/')[0])) return send(res, 403, denied);
					if (objects.has(key)) return send(res, 409, { statusCode: '409', error: 'Duplicate', message: 'The resource already exists' });
					objects.set(key, body);
					return send(res, 200, { Id: randomUUID(), Key: `${ATTACHMENT_BUCKET}/${key}` });
				}
				if (req.method === 'DELETE' && path === `${prefix}${ATTACHMENT_BUCKET}`) {
					// No delete policy for authenticated: only the service role removes.
					if (bearer(req.headers) !== SERVICE_KEY) return send(res, 200, []);
					const { prefixes } = JSON.parse(body.toString()) as { prefixes: string[] };
					const removed = prefixes.filter((key) => objects.delete(key));
					return send(res, 200, removed.map((name) => ({ name, bucket_id: ATTACHMENT_BUCKET })));
				}
				// PostgREST, for the removals queue's two service-role functions.
				if (req.method === 'POST' && path.startsWith('/rest/v1/rpc/')) {
					if (bearer(req.headers) !== SERVICE_KEY) return send(res, 401, { code: '42501', message: 'permission denied', details: null, hint: null });
					const args = JSON.parse(body.toString()) as { p_limit?: number; p_ids?: string[] };
					if (path.endsWith('/take_attachment_removals')) return send(res, 200, removalQueue.slice(0, args.p_limit));
					if (path.endsWith('/forget_attachment_removals')) {
						removalQueue.splice(0, removalQueue.length, ...removalQueue.filter((id) => !args.p_ids!.includes(id)));
						return send(res, 200, null);
					}
				}
				send(res, 404, { message: `No stand-in for ${req.method} ${path}` });
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		requests.length = 0;
		objects.clear();
		uploadable.clear();
		readable.clear();
		removalQueue.length = 0;
	});

	/** The user's client, as supabase-session.ts builds it from the auth cookie. */
	const userClient = () =>
		createServerClient(url, ANON_KEY, {
			cookies: {
				getAll: () => [{ name: 'sb-127-auth-token', value: `base64-${Buffer.from(JSON.stringify(SESSION)).toString('base64url')}` }],
				setAll: () => {}
			},
			realtime: { transport: ws as unknown as WebSocketLikeConstructor }
		});
	const adminClient = () =>
		createClient(url, SERVICE_KEY, {
			auth: { persistSession: false, autoRefreshToken: false },
			realtime: { transport: ws as unknown as WebSocketLikeConstructor }
		});

	it('uploads both files as the signed-in user, as private WebP objects <id>/thumb.webp and <id>/display.webp', async () => {
		const id = randomUUID();
		uploadable.add(id);
		await supabaseAttachmentStore({ supabase: userClient() }).put(id, files(id));
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			`POST /storage/v1/object/${ATTACHMENT_BUCKET}/${id}/thumb.webp`,
			`POST /storage/v1/object/${ATTACHMENT_BUCKET}/${id}/display.webp`
		]);
		for (const request of requests) {
			expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
			expect(request.headers['content-type']).toBe('image/webp');
			expect(request.headers['x-upsert']).toBe('false');
		}
		expect(objects.get(`${id}/display.webp`)?.toString()).toBe(`display of ${id}`);
	});

	it('an upload the storage policies refuse fails the put', async () => {
		const id = randomUUID();
		await expect(supabaseAttachmentStore({ supabase: userClient() }).put(id, files(id))).rejects.toThrow(
			`Supabase Storage refused ${id}/thumb.webp: new row violates row-level security policy`
		);
	});

	it('opens a file as a signed URL valid 60 seconds, made with the user session; nothing when storage says no', async () => {
		const id = randomUUID();
		uploadable.add(id);
		const store = supabaseAttachmentStore({ supabase: userClient() });
		await store.put(id, files(id));
		expect(await store.open(id, 'thumb'), 'not readable by this user').toBeNull();
		readable.add(id);
		requests.length = 0;
		expect(await store.open(id, 'thumb')).toEqual({
			kind: 'redirect',
			url: `${url}/storage/v1/object/sign/${ATTACHMENT_BUCKET}/${id}/thumb.webp?token=signed-60`
		});
		expect(requests).toHaveLength(1);
		expect(requests[0].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
		expect(await store.open(randomUUID(), 'thumb')).toBeNull();
		expect(await store.open('../etc/passwd', 'thumb')).toBeNull();
	});

	it('removes both files of each photo with the service-role client only', async () => {
		const [a, b] = [randomUUID(), randomUUID()];
		uploadable.add(a).add(b);
		const user = userClient();
		await supabaseAttachmentStore({ supabase: user }).put(a, files(a));
		await supabaseAttachmentStore({ supabase: user }).put(b, files(b));
		await expect(supabaseAttachmentStore({ supabase: user }).remove([a])).rejects.toThrow('needs a service-role client');
		requests.length = 0;
		await supabaseAttachmentStore({ supabase: user, admin: adminClient() }).remove([a]);
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'DELETE', path: `/storage/v1/object/${ATTACHMENT_BUCKET}` });
		expect(requests[0].headers.authorization).toBe(`Bearer ${SERVICE_KEY}`);
		expect(JSON.parse(requests[0].body.toString())).toEqual({ prefixes: [`${a}/thumb.webp`, `${a}/display.webp`] });
		expect([...objects.keys()].sort()).toEqual([`${b}/display.webp`, `${b}/thumb.webp`]);
	});

	it('drains the removals queue through PostgREST and Storage with the service role: no file left, nothing queued', async () => {
		const ids = [randomUUID(), randomUUID(), randomUUID()];
		const user = userClient();
		for (const id of ids) {
			uploadable.add(id);
			await supabaseAttachmentStore({ supabase: user }).put(id, files(id));
		}
		removalQueue.push(ids[0], ids[1]);
		requests.length = 0;
		const admin = adminClient();
		const removed = await drainAttachmentRemovals({
			queue: supabaseAttachmentRemovals(admin),
			store: supabaseAttachmentStore({ supabase: admin, admin }),
			batch: 10
		});
		expect(removed).toBe(2);
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			'POST /rest/v1/rpc/take_attachment_removals',
			`DELETE /storage/v1/object/${ATTACHMENT_BUCKET}`,
			'POST /rest/v1/rpc/forget_attachment_removals'
		]);
		expect(JSON.parse(requests[0].body.toString())).toEqual({ p_limit: 10 });
		expect(JSON.parse(requests[2].body.toString())).toEqual({ p_ids: [ids[0], ids[1]] });
		expect(removalQueue).toEqual([]);
		expect([...objects.keys()].sort()).toEqual([`${ids[2]}/display.webp`, `${ids[2]}/thumb.webp`]);
	});
});
