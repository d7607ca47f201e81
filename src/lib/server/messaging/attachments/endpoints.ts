import { json, type RequestEvent } from '@sveltejs/kit';
import { attachmentProblem, MAX_ATTACHMENT_BYTES, PHOTO_OVER_SERVER_LIMIT, SNIFF_BYTES, sniffImageType } from '../../../messaging/attachments/image-type.js';
import { MessagingError } from '../../../messaging/errors.js';
import type { UploadedAttachment } from '../../../messaging/schemas/index.js';
import { PhotoProblem, processPhoto } from './process.js';
import { isAttachmentSize, type AttachmentStore } from './store.js';

/** Room for the multipart envelope around one 10 MB file (boundaries, headers, a long file name). */
const MAX_UPLOAD_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024;
const TOO_BIG = 'Photos can be at most 10 MB.';
/** Refused before the body was read to its end: the connection is not reused, as the rest of the body may still be coming. */
const UNREAD = { connection: 'close' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const problem = (status: number, message: string, headers?: Record<string, string>) => json({ message }, { status, headers });
const notFound = () => problem(404, 'Not found');

function storeOf(locals: App.Locals): AttachmentStore {
	const store = locals.messagingAttachments;
	if (!store) throw new Error('locals.messagingAttachments is not set: the hooks must give the messaging endpoints an AttachmentStore.');
	return store;
}

/**
 * The body, up to `limit` bytes; null once it goes over. Reading just stops there: cancelling
 * the stream would make adapter-node destroy the socket, and the client would see a reset
 * instead of the 413 (Node discards the unread rest once the answer is sent).
 */
async function readCapped(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
	if (!request.body) return new Uint8Array();
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.length;
		if (size > limit) {
			reader.releaseLock();
			return null;
		}
		chunks.push(value);
	}
	return Buffer.concat(chunks);
}

/** The status SvelteKit's own body limit (adapter-node's BODY_SIZE_LIMIT) failed a read with, if that is what happened. */
const statusOf = (e: unknown) => (typeof e === 'object' && e !== null && 'status' in e ? Number((e as { status: unknown }).status) : 0);

/**
 * POST <base>/attachments: one photo in the multipart field `file`. Refusals store nothing:
 * 401 signed out, 413 over 10 MB (by Content-Length before reading, and while reading) or over
 * the server's own smaller body limit (said as such: the photo may be under 10 MB), 429
 * past the limit of pending photos (asked before reading), 415
 * when the bytes are not JPEG, PNG, WebP or GIF (the name and claimed type do not count), 400
 * for no file or an image that cannot be decoded. Then: processed, recorded as the caller's
 * pending attachment, both files stored; 201 with the Attachment.
 */
export async function uploadAttachment({ locals, request }: RequestEvent): Promise<Response> {
	if (!locals.user) return problem(401, 'Sign in to send photos.');
	const store = storeOf(locals);
	if (!/^multipart\/form-data\s*;/i.test(request.headers.get('content-type') ?? '')) {
		return problem(400, 'Send the photo as multipart/form-data, in the field "file".');
	}
	const declared = Number(request.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) return problem(413, TOO_BIG, UNREAD);
	// Past the limit of pending photos, refused before a second of reading, decoding and resizing.
	try {
		await locals.messaging.checkPhotoRoom();
	} catch (e) {
		if (e instanceof MessagingError) return problem(e.status, e.message, UNREAD);
		throw e;
	}

	let body: Uint8Array<ArrayBuffer> | null;
	try {
		body = await readCapped(request, MAX_UPLOAD_BYTES);
	} catch (e) {
		if (statusOf(e) !== 413) return problem(400, 'The upload did not arrive complete. Try again.', UNREAD);
		console.warn('[attachments] the server refused an upload under 10 MB: set BODY_SIZE_LIMIT to at least 11M (adapter-node)');
		return problem(413, PHOTO_OVER_SERVER_LIMIT, UNREAD);
	}
	if (!body) return problem(413, TOO_BIG, UNREAD);

	const form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type')! } }).formData().catch(() => null);
	const file = form?.get('file');
	if (!(file instanceof File) || file.size === 0) return problem(400, 'Choose a photo to send.');
	// Any accepted type will do here: only the size is in question.
	if (file.size > MAX_ATTACHMENT_BYTES) return problem(413, attachmentProblem(file, 'image/jpeg') ?? TOO_BIG);
	const bytes = new Uint8Array(await file.arrayBuffer());
	const refusal = attachmentProblem(file, sniffImageType(bytes.subarray(0, SNIFF_BYTES)));
	if (refusal) return problem(415, refusal);

	let photo;
	try {
		photo = await processPhoto(bytes, { name: file.name });
	} catch (e) {
		if (e instanceof PhotoProblem) return problem(e.status, e.message);
		throw e;
	}

	let attachment;
	try {
		attachment = await locals.messaging.createAttachment({
			width: photo.display.width,
			height: photo.display.height,
			thumbWidth: photo.thumb.width,
			thumbHeight: photo.thumb.height,
			bytes: photo.bytes
		});
	} catch (e) {
		if (e instanceof MessagingError) return problem(e.status, e.message);
		throw e;
	}

	try {
		await store.put(attachment.id, { thumb: photo.thumb.data, display: photo.display.data });
	} catch (e) {
		console.error(`[attachments] storing ${attachment.id} failed: ${(e as Error).message}`);
		// The row goes too (and its removal is queued, so the drain deletes any file that did get stored).
		await locals.messaging.discardAttachment({ id: attachment.id }).catch(() => {});
		return problem(503, 'Your photo could not be stored just now. Try again in a moment.', { 'retry-after': '5' });
	}
	const answer: UploadedAttachment = photo.stillOfAnimation ? { ...attachment, note: `Sent as a still image (${photo.stillOfAnimation} to animate).` } : attachment;
	return json(answer, { status: 201 });
}

/**
 * GET <base>/attachments/<id>/<thumb|display>: the file, only to whom attachment_for_reader
 * allows (the uploader, or a member of the conversation: not deleted, no block). Everyone else,
 * signed out included, gets the same 404, whatever the reason.
 */
export async function serveAttachment({ locals, request }: RequestEvent, id: string, size: string): Promise<Response> {
	if (!locals.user || !UUID.test(id) || !isAttachmentSize(size)) return notFound();
	let reader;
	try {
		reader = await locals.messaging.attachmentForReader({ id: id.toLowerCase() });
	} catch (e) {
		if (e instanceof MessagingError) return notFound();
		throw e;
	}
	const stored = await storeOf(locals).open(reader.id, size);
	if (!stored) return notFound();
	if (stored.kind === 'redirect') {
		// The signed URL lives 60 s: the redirect may be reused a little, never after the URL expires.
		return new Response(null, { status: 302, headers: { location: stored.url, 'cache-control': 'private, max-age=30' } });
	}
	const headers = { 'cache-control': 'private, max-age=86400', etag: stored.etag, 'x-content-type-options': 'nosniff' };
	const known = request.headers.get('if-none-match');
	if (known && known.split(',').some((tag) => tag.trim().replace(/^W\//, '') === stored.etag)) return new Response(null, { status: 304, headers });
	return new Response(stored.stream(), { headers: { ...headers, 'content-type': 'image/webp', 'content-length': String(stored.length) } });
}

/**
 * DELETE <base>/attachments/<id>: the caller takes back a photo they uploaded but did not send
 * (removed from the composer). Its files go with the next removals drain. 204 whatever the id
 * names: someone else's photo, or one already sent, is simply left alone.
 */
export async function discardAttachment({ locals }: RequestEvent, id: string): Promise<Response> {
	if (!locals.user) return problem(401, 'Sign in to send photos.');
	if (!UUID.test(id)) return notFound();
	await locals.messaging.discardAttachment({ id: id.toLowerCase() });
	return new Response(null, { status: 204 });
}
