import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/lib/messaging/api.ts';
import type { Attachment, UploadedAttachment } from '../../src/lib/messaging/schemas/index.ts';
import { PhotoUploads, type PreviewUrls } from '../../src/lib/messaging/state/photo-uploads.svelte.ts';
import { messageId } from '../support/rows.ts';

/**
 * The photos of the message being written: vetted, uploaded at once with progress, retried or
 * removed; a send waits for them and takes the stored photos in the order picked. Previews are
 * local object URLs that must all be revoked.
 */

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1];
const photoFile = (name: string) => new File([new Uint8Array(JPEG)], name, { type: 'image/jpeg' });
const stored = (n: number): Attachment => ({ id: messageId(900 + n), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 });

interface Upload {
	file: File;
	onProgress: (fraction: number) => void;
	signal?: AbortSignal;
	answer: (outcome: Outcome<UploadedAttachment>) => void;
}

/** An uploader the test answers by hand, and previews it can count. */
function uploadsWithFakes() {
	const uploads: Upload[] = [];
	const discarded: string[] = [];
	const api = {
		discardAttachment: async (id: string) => {
			discarded.push(id);
		},
		uploadAttachment: (file: Blob, options: { onProgress: (fraction: number) => void; signal?: AbortSignal }) =>
			new Promise<Outcome<UploadedAttachment>>((answer) => {
				uploads.push({ file: file as File, ...options, answer });
				options.signal?.addEventListener('abort', () => answer({ ok: false, message: 'The upload was cancelled.', code: 'aborted' }));
			})
	};
	const made: string[] = [];
	const revoked: string[] = [];
	const previews: PreviewUrls = {
		create: (file) => {
			const url = `blob:preview/${(file as File).name}/${made.length}`;
			made.push(url);
			return url;
		},
		revoke: (url) => void revoked.push(url)
	};
	const photos = new PhotoUploads({ api, previews });
	return { photos, uploads, made, revoked, discarded };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PhotoUploads', () => {
	it('picked photos show at once with a local preview and start uploading, each with its own progress', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		expect(photos.items.map((item) => [item.name, item.status, item.progress])).toEqual([
			['a.jpg', 'uploading', 0],
			['b.jpg', 'uploading', 0]
		]);
		expect(photos.items[0].preview).toMatch(/^blob:preview\/a.jpg/);
		expect(uploads.map((upload) => upload.file.name)).toEqual(['a.jpg', 'b.jpg']);

		uploads[1].onProgress(0.4);
		expect(photos.items.map((item) => item.progress)).toEqual([0, 0.4]);
		expect(photos.busy).toBe(true);
		expect(photos.attachments).toBeNull();
	});

	it('what the server says about a stored photo stays beside it for the chip, and out of the photo the message carries', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('long.gif'), photoFile('b.jpg')]);
		const note = 'Sent as a still image (too many frames to animate).';
		uploads[0].answer({ ok: true, value: { ...stored(1), note } });
		uploads[1].answer({ ok: true, value: stored(2) });
		await flush();
		expect(photos.items.map((item) => item.note)).toEqual([note, null]);
		expect(photos.attachments).toEqual([stored(1), stored(2)]);
	});

	it('the stored photos come in the order picked, whatever order the uploads finish in', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		uploads[1].answer({ ok: true, value: stored(2) });
		await flush();
		expect(photos.attachments).toBeNull();
		uploads[0].answer({ ok: true, value: stored(1) });
		await flush();
		expect(photos.items.map((item) => [item.status, item.progress])).toEqual([
			['uploaded', 1],
			['uploaded', 1]
		]);
		expect(photos.attachments).toEqual([stored(1), stored(2)]);
		expect(photos.busy).toBe(false);
	});

	it('refused files are explained and never uploaded', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([new File(['just text'], 'notes.jpg', { type: 'image/jpeg' }), photoFile('a.jpg')]);
		expect(photos.problems).toEqual(['notes.jpg is not a photo we can send (JPEG, PNG, WebP or GIF).']);
		expect(uploads.map((upload) => upload.file.name)).toEqual(['a.jpg']);
		photos.dismissProblems();
		expect(photos.problems).toEqual([]);
	});

	it('six at most, counting those already picked, even when two picks come at once', async () => {
		const { photos } = uploadsWithFakes();
		const first = photos.add(['1', '2', '3', '4'].map((n) => photoFile(`${n}.jpg`)));
		const second = photos.add(['5', '6', '7'].map((n) => photoFile(`${n}.jpg`)));
		await Promise.all([first, second]);
		expect(photos.items).toHaveLength(6);
		expect(photos.problems).toEqual(['A message can carry at most 6 photos; 7.jpg was not added.']);
	});

	it("a failed upload shows the server's message and can be retried with the same file", async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg')]);
		uploads[0].answer({ ok: false, message: 'Too many photos at once. Wait a minute.' });
		await flush();
		expect(photos.items[0]).toMatchObject({ status: 'failed', error: 'Too many photos at once. Wait a minute.', retryable: true });
		expect(photos.failed).toBe(true);
		expect(photos.busy).toBe(false);

		photos.retry(photos.items[0].key);
		expect(photos.items[0]).toMatchObject({ status: 'uploading', error: null, progress: 0 });
		expect(uploads[1].file).toBe(uploads[0].file);
		uploads[1].answer({ ok: true, value: stored(1) });
		await flush();
		expect(photos.attachments).toEqual([stored(1)]);
	});

	it('a photo refused for what it is offers no retry: only removing it lets the message go', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('huge.png')]);
		uploads[0].answer({ ok: false, message: 'huge.png has too many pixels (at most 100 megapixels).', code: 'photo_refused' });
		await flush();
		expect(photos.items[0]).toMatchObject({ status: 'failed', retryable: false });
		photos.retry(photos.items[0].key);
		expect(photos.items[0].status).toBe('failed');
		expect(uploads).toHaveLength(1);
		photos.remove(photos.items[0].key);
		expect(photos.failed).toBe(false);
	});

	it('picking more clears a photo refused for what it is, so it no longer takes one of the six places', async () => {
		const { photos, uploads, revoked } = uploadsWithFakes();
		await photos.add([photoFile('huge.png')]);
		uploads[0].answer({ ok: false, message: 'huge.png has too many pixels (at most 100 megapixels).', code: 'photo_refused' });
		await flush();
		await photos.add(['1', '2', '3', '4', '5', '6'].map((n) => photoFile(`${n}.jpg`)));
		expect(photos.items.map((item) => item.name)).toEqual(['1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg', '6.jpg']);
		expect(photos.problems).toEqual([]);
		expect(photos.failed).toBe(false);
		expect(revoked).toEqual([expect.stringMatching(/^blob:preview\/huge.png/)]);
	});

	it('picking more keeps a photo that failed for a reason that may pass, with its retry', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg')]);
		uploads[0].answer({ ok: false, message: 'The server cannot be reached. Try again in a moment.' });
		await flush();
		await photos.add([photoFile('b.jpg')]);
		expect(photos.items.map((item) => [item.name, item.status])).toEqual([
			['a.jpg', 'failed'],
			['b.jpg', 'uploading']
		]);
	});

	it('settled waits until nothing is uploading: uploaded, failed or removed', async () => {
		const { photos, uploads } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		let settled = false;
		void photos.settled().then(() => (settled = true));
		uploads[0].answer({ ok: true, value: stored(1) });
		await flush();
		expect(settled).toBe(false);
		photos.remove(photos.items[1].key);
		await flush();
		expect(settled).toBe(true);
		expect(photos.attachments).toEqual([stored(1)]);
	});

	it('settled also waits for picks still being vetted', async () => {
		const { photos, uploads } = uploadsWithFakes();
		const adding = photos.add([photoFile('a.jpg')]);
		expect(photos.busy).toBe(true);
		let settled = false;
		void photos.settled().then(() => (settled = true));
		await adding;
		await flush();
		expect(settled).toBe(false);
		uploads[0].answer({ ok: true, value: stored(1) });
		await flush();
		expect(settled).toBe(true);
	});

	it('removing a photo stops its upload and revokes its preview; a late answer changes nothing', async () => {
		const { photos, uploads, revoked } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		const [a] = photos.items;
		const preview = a.preview;
		photos.remove(a.key);
		expect(uploads[0].signal?.aborted).toBe(true);
		expect(revoked).toEqual([preview]);
		expect(photos.items.map((item) => item.name)).toEqual(['b.jpg']);
	});

	it('removing a photo already stored takes it back from the server; one still uploading needs nothing', async () => {
		const { photos, uploads, discarded } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		uploads[0].answer({ ok: true, value: stored(1) });
		await flush();
		const [a, b] = photos.items;
		photos.remove(a.key);
		photos.remove(b.key);
		expect(discarded).toEqual([stored(1).id]);
	});

	it('clear (sent, or the thread closed) stops every upload and revokes every preview made', async () => {
		const { photos, uploads, made, revoked } = uploadsWithFakes();
		await photos.add([photoFile('a.jpg'), photoFile('b.jpg')]);
		uploads[0].answer({ ok: true, value: stored(1) });
		await flush();
		photos.clear();
		expect(uploads[1].signal?.aborted).toBe(true);
		expect(photos.items).toEqual([]);
		expect([...revoked].sort()).toEqual([...made].sort());
		expect(photos.busy).toBe(false);
	});
});
