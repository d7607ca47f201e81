import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHttpError, json, type RequestEvent } from '@sveltejs/kit';
import { getRequest, setResponse } from '@sveltejs/kit/node';
import type pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Attachment, UploadedAttachment, type Message } from '../../src/lib/messaging/schemas/index.ts';
import { runRetention } from '../../src/lib/server/db/retention.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { actions } from '../../src/lib/server/messaging/actions.ts';
import { folderAttachmentStore } from '../../src/lib/server/messaging/attachments/folder-store.ts';
import { MAX_FRAMES } from '../../src/lib/server/messaging/attachments/process.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { messagingEndpoints } from '../../src/lib/server/messaging/endpoints.ts';
import { readExif } from '../fixtures/photos/exif.ts';
import { FIXTURES } from '../fixtures/photos/make.ts';
import { claimsFor, migratedScratchDatabase, testPool } from '../support/database.ts';
import { createActor, marketplace, send, type Actor } from '../support/messaging.ts';

/*
 * The photo endpoints over real HTTP on 127.0.0.1, with real PostgreSQL and a real folder of
 * files: the request goes through SvelteKit's own Node adapter functions (getRequest with an
 * 11 MB body limit, as BODY_SIZE_LIMIT=11M gives adapter-node; setResponse) into
 * messagingEndpoints, wired as hooks.server.ts wires a request, except that the signed-in user
 * comes from an x-test-user-id header instead of a session cookie.
 *
 * A database of its own: the removals drain below takes and forgets the whole queue, which
 * must not be another test file's, and "no orphans" compares every stored file with every row.
 */

const USER_HEADER = 'x-test-user-id';
const MB = 1024 * 1024;
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let db: pg.Pool;
let dir: string;
let drop: () => Promise<void> = async () => {};
const store = () => folderAttachmentStore({ dir });

function localsFor(userId: string | null): App.Locals {
	return {
		user: userId ? { id: userId, email: `${userId}@example.test` } : null,
		messaging: postgresMessaging({ pool: db, claims: userId ? claimsFor(userId) : null }),
		messagingAttachments: store()
	} as App.Locals;
}

async function startServer(bodySizeLimit: number): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer(async (req, res) => {
		const request = await getRequest({ request: req, base: 'http://127.0.0.1', bodySizeLimit });
		const url = new URL(request.url);
		const endpoint = /^\/messages\/(.+)$/.exec(url.pathname)?.[1];
		const method = req.method as keyof typeof messagingEndpoints;
		const handler = endpoint && Object.hasOwn(messagingEndpoints, method) ? messagingEndpoints[method] : null;
		const user = req.headers[USER_HEADER];
		const event = { request, url, params: { endpoint }, locals: localsFor(typeof user === 'string' ? user : null) } as unknown as RequestEvent;
		let response: Response;
		try {
			response = handler ? await handler(event) : json({ message: 'Not found' }, { status: 404 });
		} catch (e) {
			if (!isHttpError(e)) throw e;
			response = json(e.body, { status: e.status });
		}
		await setResponse(res, response);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

let app: { url: string; close(): Promise<void> };

function upload(as: Actor | null, file: Blob, name = 'photo.jpg', field = 'file') {
	const form = new FormData();
	form.set(field, file, name);
	return fetch(`${app.url}/messages/attachments`, { method: 'POST', body: form, headers: as ? { [USER_HEADER]: as.id } : {} });
}

async function uploaded(as: Actor, name = 'phone-gps.jpg'): Promise<Attachment> {
	const response = await upload(as, new Blob([fixture(name)], { type: 'image/jpeg' }), name);
	expect(response.status, await response.clone().text()).toBe(201);
	return Attachment.parse(await response.json());
}

function fetchPhoto(as: Actor | null, id: string, size = 'display', headers: Record<string, string> = {}) {
	return fetch(`${app.url}/messages/attachments/${id}/${size}`, { headers: { ...headers, ...(as ? { [USER_HEADER]: as.id } : {}) } });
}

/** What is stored: attachment folders on disk and rows in public.attachments. */
async function stored() {
	const folders = existsSync(dir) ? readdirSync(dir).sort() : [];
	const files = folders.flatMap((id) => readdirSync(join(dir, id)).map((name) => `${id}/${name}`));
	const { rows } = await db.query<{ id: string }>('select id from public.attachments order by id');
	return { folders, files, rows: rows.map((row) => row.id) };
}

/** Sends a message with photos through the `send` form action, as the composer does. */
async function sendWithPhotos(from: Actor, to: Actor, photos: Attachment[], body = '', productId: string | null = null): Promise<Message> {
	const form = new FormData();
	form.set('id', randomUUID());
	form.set('body', body);
	form.set('key', `${to.id}__${productId ?? 'general'}`);
	form.set('attachments', photos.map((photo) => photo.id).join(','));
	const result = await actions.send({
		request: new Request('http://127.0.0.1/messages?/send', { method: 'POST', body: form }),
		locals: localsFor(from.id)
	} as unknown as RequestEvent);
	if (!('ok' in result) || !result.ok) throw new Error(`send refused: ${JSON.stringify(result)}`);
	return result.result as Message;
}

beforeAll(async () => {
	const scratch = await migratedScratchDatabase(testPool());
	drop = scratch.drop;
	db = createPool(scratch.url, { max: 6 });
	dir = join(mkdtempSync(join(tmpdir(), 'attachment-endpoints-')), 'attachments');
	app = await startServer(11 * MB);
});

afterAll(async () => {
	await app?.close();
	await db?.end();
	await drop();
	if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

/**
 * The status (and Connection header) of an upload declaring `declared` bytes of which only the
 * first 64 KB are sent: an answer that comes at all came without reading the body (and the
 * connection is closed after it rather than reused with the rest of the body in it).
 */
function answerBeforeBody(userId: string, declared: number): Promise<{ status: number; connection?: string }> {
	return new Promise((resolve, reject) => {
		const boundary = 'x-boundary';
		const req = httpRequest(`${app.url}/messages/attachments`, {
			method: 'POST',
			headers: { [USER_HEADER]: userId, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(declared) }
		});
		req.on('response', (res) => {
			res.resume();
			resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
			req.destroy();
		});
		req.on('error', reject);
		req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`);
		req.write(new Uint8Array(64 * 1024));
	});
}

describe('POST <base>/attachments', () => {
	it('stores a photo: 201 with its sizes, a pending row of the uploader, and two WebP files', async () => {
		const ana = await createActor(db);
		const before = await stored();
		const response = await upload(ana, new Blob([fixture('phone-gps.jpg')], { type: 'image/jpeg' }), 'IMG_0001.jpg');
		expect(response.status).toBe(201);
		const photo = Attachment.parse(await response.json());
		// Upright (EXIF orientation 6) and never enlarged.
		expect(photo).toMatchObject({ width: 900, height: 1200, thumb_width: 240, thumb_height: 320 });
		const { rows } = await db.query('select uploader_id, message_id, bytes::int from public.attachments where id = $1', [photo.id]);
		expect(rows).toEqual([{ uploader_id: ana.id, message_id: null, bytes: expect.any(Number) }]);
		const after = await stored();
		expect(after.files.filter((file) => !before.files.includes(file))).toEqual([`${photo.id}/display.webp`, `${photo.id}/thumb.webp`]);
		const onDisk = readdirSync(join(dir, photo.id)).reduce((sum, name) => sum + readFileSync(join(dir, photo.id, name)).length, 0);
		expect(rows[0].bytes).toBe(onDisk);
	});

	it('keeps an animated GIF moving; one too long to play is sent as its first frame, and the 201 tells its sender', async () => {
		const ana = await createActor(db);
		const frames = (count: number) =>
			Promise.all(Array.from({ length: count }, (_, i) => sharp({ create: { width: 24, height: 16, channels: 3, background: i % 2 ? '#0f0' : '#f00' } }).png().toBuffer()));
		const gif = async (count: number) => new Blob([await sharp(await frames(count), { join: { animated: true } }).gif().toBuffer()], { type: 'image/gif' });

		const short = await upload(ana, await gif(3), 'wave.gif');
		expect(short.status).toBe(201);
		const moving = await short.json();
		expect(moving).not.toHaveProperty('note');
		expect(Attachment.parse(moving)).toMatchObject({ width: 24, height: 16 });
		for (const size of ['display', 'thumb']) {
			expect((await sharp(readFileSync(join(dir, moving.id, `${size}.webp`)), { pages: -1 }).metadata()).pages, size).toBe(3);
		}

		const long = await upload(ana, await gif(MAX_FRAMES + 1), 'long.gif');
		expect(long.status).toBe(201);
		const still = UploadedAttachment.parse(await long.json());
		expect(still.note).toBe('Sent as a still image (too many frames to animate).');
		expect((await sharp(readFileSync(join(dir, still.id, 'display.webp')), { pages: -1 }).metadata()).pages ?? 1).toBe(1);
	});

	it('takes a photo of almost 10 MB over HTTP (the server body limit is above the default 512 KB)', async () => {
		const ana = await createActor(db);
		// Noise does not compress: a 1800×1800 PNG stored uncompressed is 9.7 MB.
		const png = await sharp(randomBytes(1800 * 1800 * 3), { raw: { width: 1800, height: 1800, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
		expect(png.length).toBeGreaterThan(9 * MB);
		expect(png.length).toBeLessThan(10 * MB);
		const response = await upload(ana, new Blob([png], { type: 'image/png' }), 'noise.png');
		expect(response.status, await response.clone().text()).toBe(201);
		expect(await response.json()).toMatchObject({ width: 1600, height: 1600, thumb_width: 320, thumb_height: 320 });
	});

	it('refuses 12 MB with 413 from Content-Length, before reading the body, and stores nothing', async () => {
		const ana = await createActor(db);
		const before = await stored();
		const big = new Blob([fixture('phone-gps.jpg'), new Uint8Array(12 * MB)], { type: 'image/jpeg' });
		const response = await upload(ana, big, 'huge.jpg');
		expect(response.status).toBe(413);
		expect(await response.json()).toEqual({ message: 'Photos can be at most 10 MB.' });
		expect(await stored()).toEqual(before);

		expect(await answerBeforeBody(ana.id, 12 * MB)).toEqual({ status: 413, connection: 'close' });
		expect(await stored()).toEqual(before);
	});

	it('past 60 unsent photos an hour, answers 429 before reading the upload: nothing is read, processed or stored', async () => {
		const ana = await createActor(db);
		await db.query(
			'insert into public.attachments (uploader_id, width, height, thumb_width, thumb_height, bytes) select $1, 1, 1, 1, 1, 1 from generate_series(1, 60)',
			[ana.id]
		);
		const before = await stored();
		// Before, each such upload was read to its end and decoded and resized (about a second of CPU) first.
		expect(await answerBeforeBody(ana.id, 5 * MB)).toEqual({ status: 429, connection: 'close' });
		const response = await upload(ana, new Blob([fixture('phone-gps.jpg')], { type: 'image/jpeg' }), 'IMG_0002.jpg');
		expect(response.status).toBe(429);
		expect(await response.json()).toEqual({ message: 'You have uploaded 60 photos in the last hour without sending them. Send or remove some, or wait: an unsent photo counts for an hour.' });
		expect(await stored()).toEqual(before);
		// Rows without files: the tests below check that every row has its files.
		await db.query('delete from public.attachments where uploader_id = $1', [ana.id]);
	});

	it('refuses 12 MB sent without a Content-Length (chunked) with 413 while reading, and stores nothing', async () => {
		const ana = await createActor(db);
		const before = await stored();
		const form = new FormData();
		form.set('file', new Blob([fixture('phone-gps.jpg'), new Uint8Array(12 * MB)], { type: 'image/jpeg' }), 'huge.jpg');
		const encoded = new Response(form);
		const response = await fetch(`${app.url}/messages/attachments`, {
			method: 'POST',
			// A stream body: fetch sends it chunked, with no length to check up front.
			body: encoded.body,
			headers: { [USER_HEADER]: ana.id, 'content-type': encoded.headers.get('content-type')! },
			duplex: 'half'
		} as RequestInit);
		expect(response.status).toBe(413);
		expect(await response.json()).toEqual({ message: 'Photos can be at most 10 MB.' });
		expect(await stored()).toEqual(before);
	});

	it('refuses a text file named like a photo with 415, whatever type it claims, and stores nothing', async () => {
		const ana = await createActor(db);
		const before = await stored();
		const response = await upload(ana, new Blob([fixture('not-a-photo.jpg')], { type: 'image/jpeg' }), 'not-a-photo.jpg');
		expect(response.status).toBe(415);
		expect(await response.json()).toEqual({ message: 'not-a-photo.jpg is not a photo we can send (JPEG, PNG, WebP or GIF).' });
		expect(await stored()).toEqual(before);
	});

	it('refuses a missing file and an image that cannot be decoded with 400, and stores nothing', async () => {
		const ana = await createActor(db);
		const before = await stored();
		const elsewhere = await upload(ana, new Blob([fixture('phone-gps.jpg')]), 'a.jpg', 'photo');
		expect(elsewhere.status).toBe(400);
		expect(await elsewhere.json()).toEqual({ message: 'Choose a photo to send.' });
		const notMultipart = await fetch(`${app.url}/messages/attachments`, {
			method: 'POST',
			body: fixture('phone-gps.jpg'),
			headers: { [USER_HEADER]: ana.id, 'content-type': 'image/jpeg' }
		});
		expect(notMultipart.status).toBe(400);
		const broken = await upload(ana, new Blob([fixture('phone-gps.jpg').subarray(0, 2000)]), 'broken.jpg');
		expect(broken.status).toBe(400);
		expect(await broken.json()).toEqual({ message: 'broken.jpg could not be read as a photo. It may be damaged; try another.' });
		expect(await stored()).toEqual(before);
	});

	it('refuses a signed-out visitor with 401, and stores nothing', async () => {
		const before = await stored();
		const response = await upload(null, new Blob([fixture('phone-gps.jpg')]), 'a.jpg');
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ message: 'Sign in to send photos.' });
		expect(await stored()).toEqual(before);
	});

	it('with the default 512 KB body limit a photo over it is refused with 413, said as the server’s limit and not as 10 MB (why BODY_SIZE_LIMIT must be raised)', async () => {
		const small = await startServer(512 * 1024);
		try {
			const ana = await createActor(db);
			const before = await stored();
			const png = await sharp(randomBytes(500 * 500 * 3), { raw: { width: 500, height: 500, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
			const form = new FormData();
			form.set('file', new Blob([png]), 'noise.png');
			const response = await fetch(`${small.url}/messages/attachments`, { method: 'POST', body: form, headers: { [USER_HEADER]: ana.id } });
			expect(response.status).toBe(413);
			// About 750 KB: "photos can be at most 10 MB" would be untrue.
			expect(png.length).toBeLessThan(MB);
			expect(await response.json()).toEqual({ message: 'This photo is larger than this marketplace accepts right now. Try a smaller one.' });
			expect(await stored()).toEqual(before);
		} finally {
			await small.close();
		}
	});
});

describe('GET <base>/attachments/<id>/<thumb|display>', () => {
	it('serves a member WebP bytes with no GPS, private caching and an ETag; 304 when it has not changed', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const photo = await uploaded(buyer);
		const message = await sendWithPhotos(buyer, seller, [photo], 'The scratch', product.id);
		expect(message.attachments).toEqual([photo]);

		for (const [size, width, height] of [['display', 900, 1200], ['thumb', 240, 320]] as const) {
			const response = await fetchPhoto(seller, photo.id, size);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe('image/webp');
			expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
			const etag = response.headers.get('etag');
			expect(etag).toMatch(/^".+"$/);
			const bytes = Buffer.from(await response.arrayBuffer());
			const meta = await sharp(bytes).metadata();
			expect(meta).toMatchObject({ format: 'webp', width, height });
			expect(meta.exif).toBeUndefined();
			expect(meta.xmp).toBeUndefined();
			expect(meta.icc).toBeUndefined();
			expect(bytes.toString('latin1')).not.toContain('GPS');

			const again = await fetchPhoto(seller, photo.id, size, { 'if-none-match': etag! });
			expect(again.status).toBe(304);
			expect(await again.text()).toBe('');
		}
		// The original carried it; nothing served does.
		expect(readExif((await sharp(fixture('phone-gps.jpg')).metadata()).exif!).gpsTags.length).toBeGreaterThan(0);
		// The uploader sees their own, pending or sent.
		expect((await fetchPhoto(buyer, photo.id, 'thumb')).status).toBe(200);
	});

	it('answers 404 JSON, never the image, to an outsider, a signed-out visitor, a malformed id or size', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const outsider = await createActor(db);
		const photo = await uploaded(buyer);
		const pending = await uploaded(buyer);
		await sendWithPhotos(buyer, seller, [photo], '', product.id);
		for (const [who, id, size] of [
			[outsider, photo.id, 'display'],
			[outsider, photo.id, 'thumb'],
			[seller, pending.id, 'display'],
			[null, photo.id, 'display'],
			[seller, 'not-a-uuid', 'display'],
			[seller, '../../etc', 'display'],
			[seller, photo.id, 'original'],
			[seller, randomUUID(), 'thumb']
		] as const) {
			const response = await fetchPhoto(who, id, size);
			expect(response.status, `${who?.id ?? 'signed out'} ${id} ${size}`).toBe(404);
			expect(response.headers.get('content-type')).toContain('application/json');
			expect(await response.json()).toEqual({ message: 'Not found' });
		}
	});

	it('a blocked user loses the photos from the moment of the block, and so does the blocker', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const fromSeller = await uploaded(seller);
		const fromBuyer = await uploaded(buyer);
		await sendWithPhotos(seller, buyer, [fromSeller], 'More angles', product.id);
		await sendWithPhotos(buyer, seller, [fromBuyer], 'The scratch', product.id);
		expect((await fetchPhoto(buyer, fromSeller.id)).status).toBe(200);
		expect((await fetchPhoto(seller, fromBuyer.id)).status).toBe(200);

		await seller.api.blockUser({ userId: buyer.id });
		expect((await fetchPhoto(buyer, fromSeller.id)).status, 'the blocked user').toBe(404);
		expect((await fetchPhoto(seller, fromBuyer.id)).status, 'the blocker, of the blocked user’s photo').toBe(404);
		expect((await fetchPhoto(buyer, fromSeller.id, 'thumb')).status).toBe(404);
	});

	it('a deleted message’s photos are gone: 404 to both members, and the drain deletes their files', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const photos = [await uploaded(buyer), await uploaded(buyer, 'shelf.png')];
		const message = await sendWithPhotos(buyer, seller, photos, 'Two photos', product.id);
		expect(message.attachments.map((a) => a.id)).toEqual(photos.map((p) => p.id));
		expect((await fetchPhoto(seller, photos[1].id)).status).toBe(200);

		const deleted = await buyer.api.deleteMessage({ id: message.id });
		expect(deleted.attachments).toEqual([]);
		for (const who of [buyer, seller]) for (const photo of photos) expect((await fetchPhoto(who, photo.id)).status).toBe(404);
		expect((await stored()).folders).toEqual(expect.arrayContaining(photos.map((p) => p.id)));

		await runRetention(db, { attachments: store() });
		const after = await stored();
		for (const photo of photos) expect(after.folders).not.toContain(photo.id);
		expect(after.folders, 'no orphans: every stored photo has its row').toEqual(after.rows);
	});
});

describe('DELETE <base>/attachments/<id>', () => {
	it('takes back the uploader’s unsent photo (its files go with the drain); anyone else’s, or a sent one, stays', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const [kept, taken, sent] = [await uploaded(buyer), await uploaded(buyer), await uploaded(buyer)];
		await sendWithPhotos(buyer, seller, [sent], '', product.id);
		const remove = (as: Actor | null, id: string) =>
			fetch(`${app.url}/messages/attachments/${id}`, { method: 'DELETE', headers: as ? { [USER_HEADER]: as.id } : {} });

		expect((await remove(null, taken.id)).status).toBe(401);
		expect((await remove(seller, taken.id)).status).toBe(204);
		expect((await remove(buyer, sent.id)).status).toBe(204);
		expect((await remove(buyer, 'not-an-id')).status).toBe(404);
		expect((await remove(buyer, taken.id)).status).toBe(204);
		expect((await stored()).rows).toEqual(expect.arrayContaining([kept.id, sent.id]));
		expect((await stored()).rows).not.toContain(taken.id);

		await runRetention(db, { attachments: store() });
		const after = await stored();
		expect(after.folders).not.toContain(taken.id);
		expect(after.folders).toEqual(expect.arrayContaining([kept.id, sent.id]));
	});
});

describe('form actions with photos and reactions', () => {
	it('send takes photos only (no text), in the order given; react toggles a reaction on it', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = [await uploaded(seller, 'shelf.png'), await uploaded(seller)];
		const message = await sendWithPhotos(seller, buyer, photos);
		expect(message).toMatchObject({ body: '', attachments: photos });

		const react = (emoji: string) => {
			const form = new FormData();
			form.set('message_id', message.id);
			form.set('emoji', emoji);
			return actions.react({
				// As use:enhance posts it: the answer is the action's data.
				request: new Request('http://127.0.0.1/messages?/react', { method: 'POST', body: form, headers: { 'x-sveltekit-action': 'true' } }),
				url: new URL('http://127.0.0.1/messages?/react'),
				locals: localsFor(buyer.id)
			} as unknown as RequestEvent);
		};
		expect(await react('❤️')).toMatchObject({ action: 'react', ok: true, result: { id: message.id, reactions: [{ emoji: '❤️', user_ids: [buyer.id] }] } });
		expect(await react('❤️')).toMatchObject({ ok: true, result: { reactions: [] } });
		expect(await react('💩')).toMatchObject({ status: 400, data: { action: 'react', ok: false, code: 'invalid_input' } });
	});

	it('send refuses a photo that is not the sender’s pending one, with the message a person reads', async () => {
		const { buyer, seller } = await marketplace(db);
		const someoneElses = await uploaded(seller);
		const form = new FormData();
		form.set('id', randomUUID());
		form.set('body', '');
		form.set('key', `${seller.id}__general`);
		form.set('attachments', someoneElses.id);
		const result = await actions.send({
			request: new Request('http://127.0.0.1/messages?/send', { method: 'POST', body: form }),
			locals: localsFor(buyer.id)
		} as unknown as RequestEvent);
		expect(result).toMatchObject({ status: 404, data: { ok: false, code: 'not_found', message: 'A photo you attached is no longer available; attach it again.' } });
	});
});

describe('retention removes the files too', () => {
	beforeEach(async () => {
		// Whatever earlier cases left queued is drained first, so each count below is this case's.
		await runRetention(db, { attachments: store() });
	});

	it('purged messages and abandoned uploads lose their files; every stored file still has its row (no orphans)', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const expiring = [await uploaded(buyer), await uploaded(buyer, 'shelf.png')];
		const kept = await uploaded(buyer);
		const abandoned = await uploaded(buyer);
		const fresh = await uploaded(buyer);
		const old = await sendWithPhotos(buyer, seller, expiring, 'Old photos', product.id);
		await sendWithPhotos(buyer, seller, [kept], 'Kept', product.id);
		await send(buyer, seller, 'Text only', product.id);
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = $1`, [old.id]);
		await db.query(`update public.attachments set created_at = now() - interval '2 days' where id = $1`, [abandoned.id]);

		const before = await stored();
		for (const photo of [...expiring, kept, abandoned, fresh]) expect(before.folders).toContain(photo.id);
		const run = await runRetention(db, { attachments: store() });
		expect(run).toMatchObject({ messages: 1, abandonedPhotos: 1, removedPhotos: 3 });

		const after = await stored();
		expect(before.folders.filter((id) => !after.folders.includes(id)).sort()).toEqual([...expiring, abandoned].map((p) => p.id).sort());
		expect(after.files).toHaveLength(before.files.length - 6);
		expect(after.folders).toEqual(after.rows);
		expect((await fetchPhoto(seller, kept.id)).status).toBe(200);
		expect((await fetchPhoto(buyer, fresh.id)).status).toBe(200);
		const { rows } = await db.query('select count(*)::int as queued from private.attachment_removals');
		expect(rows[0].queued).toBe(0);
	});
});
