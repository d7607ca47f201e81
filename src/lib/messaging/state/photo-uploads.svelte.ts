import { PHOTO_REFUSED, type MessagingApi } from '../api';
import { vetPhotos, type PickedFile } from '../attachments/photo-picks';
import type { Attachment } from '../schemas';

export type UploadStatus = 'uploading' | 'uploaded' | 'failed';

/** One photo of the message being written, from the moment it is picked. */
export interface PhotoUpload {
	key: string;
	name: string;
	/** A local object URL for the chip's preview, revoked when the photo leaves the composer. */
	preview: string;
	/** 0 to 1. */
	progress: number;
	status: UploadStatus;
	error: string | null;
	/** Failed for a reason that may pass (the connection, the server): offered a retry. */
	retryable: boolean;
	/** The stored photo, once uploaded. */
	attachment: Attachment | null;
	/** What the server said about the stored photo, for its sender (an animation sent as a still). */
	note: string | null;
}

type Uploader = Pick<MessagingApi, 'uploadAttachment' | 'discardAttachment'>;
type PickedBlob = PickedFile & Blob;

/** Local previews; a test can count what was made and revoked. */
export interface PreviewUrls {
	create(file: Blob): string;
	revoke(url: string): void;
}

const objectUrls: PreviewUrls = { create: (file) => URL.createObjectURL(file), revoke: (url) => URL.revokeObjectURL(url) };

/**
 * The photos of the message being written: each is vetted, then uploads at once with its
 * progress; a failed one can be retried or removed. Sending waits for them (`settled`) and
 * takes the stored photos (`attachments`), so a retried send carries the very same ones.
 */
export class PhotoUploads {
	#items = $state<PhotoUpload[]>([]);
	#problems = $state<string[]>([]);
	#files = new Map<string, Blob>();
	#stops = new Map<string, AbortController>();
	#waiting: (() => void)[] = [];
	/** Picks are vetted one after another, so two quick ones cannot pass the limit together. */
	#adding: Promise<void> = Promise.resolve();
	#vetting = $state(0);
	#api: Uploader;
	#urls: PreviewUrls;
	#next = 0;

	constructor(options: { api: Uploader; previews?: PreviewUrls }) {
		this.#api = options.api;
		this.#urls = options.previews ?? objectUrls;
	}

	get items(): readonly PhotoUpload[] {
		return this.#items;
	}
	/** Why picked files were refused, one sentence each. */
	get problems(): readonly string[] {
		return this.#problems;
	}
	get uploading() {
		return this.#items.some((item) => item.status === 'uploading');
	}
	/** Picks still being vetted or photos uploading: a send must wait. */
	get busy() {
		return this.#vetting > 0 || this.uploading;
	}
	get failed() {
		return this.#items.some((item) => item.status === 'failed');
	}
	/** The stored photos in the order picked, when every one has uploaded; null while any has not. */
	get attachments(): Attachment[] | null {
		const stored = this.#items.map((item) => item.attachment);
		return stored.every((attachment) => attachment !== null) ? (stored as Attachment[]) : null;
	}

	/** Vets what was picked, dropped or pasted and starts uploading what may go; the refusals replace the last ones. */
	add(files: readonly PickedBlob[]): Promise<void> {
		if (files.length === 0) return this.#adding;
		this.#vetting += 1;
		this.#adding = this.#adding
			.then(() => this.#addNow(files))
			.finally(() => {
				this.#vetting -= 1;
				this.#wake();
			});
		return this.#adding;
	}

	async #addNow(files: readonly PickedBlob[]) {
		// A photo the server refused for what it is can never go, and its chip took one of the six
		// places: picking more clears it, as it replaces the last pick's refusals.
		for (const item of this.#items) if (item.status === 'failed' && !item.retryable) this.#forget(item);
		this.#items = this.#items.filter((item) => item.status !== 'failed' || item.retryable);
		const { accepted, problems } = await vetPhotos(files, { already: this.#items.length });
		this.#problems = problems;
		for (const file of accepted) {
			const key = `photo-${++this.#next}`;
			this.#files.set(key, file);
			this.#items.push({ key, name: file.name, preview: this.#urls.create(file), progress: 0, status: 'uploading', error: null, retryable: false, attachment: null, note: null });
			void this.#upload(key);
		}
	}

	retry(key: string) {
		const item = this.#find(key);
		if (!item || item.status !== 'failed' || !item.retryable) return;
		item.status = 'uploading';
		item.error = null;
		item.progress = 0;
		void this.#upload(key);
	}

	/** Takes a photo out of the message: its upload stops, and one already stored is taken back. */
	remove(key: string) {
		const item = this.#find(key);
		if (!item) return;
		this.#stops.get(key)?.abort();
		if (item.attachment) void this.#api.discardAttachment(item.attachment.id);
		this.#forget(item);
		this.#items = this.#items.filter((i) => i.key !== key);
		this.#wake();
	}

	/** Empties the composer's photos (sent, or the thread closed): uploads stop, previews are revoked. */
	clear() {
		for (const item of this.#items) {
			this.#stops.get(item.key)?.abort();
			this.#forget(item);
		}
		this.#items = [];
		this.#problems = [];
		this.#wake();
	}

	dismissProblems() {
		this.#problems = [];
	}

	/** Resolves once what was picked is vetted and no photo is uploading any more (uploaded, failed or removed). */
	settled(): Promise<void> {
		if (!this.busy) return Promise.resolve();
		return new Promise((resolve) => this.#waiting.push(resolve));
	}

	async #upload(key: string) {
		const file = this.#files.get(key);
		if (!file) return;
		const stop = new AbortController();
		this.#stops.set(key, stop);
		const outcome = await this.#api.uploadAttachment(file, {
			signal: stop.signal,
			onProgress: (fraction) => {
				const item = this.#find(key);
				if (item && item.status === 'uploading') item.progress = fraction;
			}
		});
		if (this.#stops.get(key) === stop) this.#stops.delete(key);
		const item = this.#find(key);
		// Removed meanwhile: nothing to show.
		if (!item || stop.signal.aborted) return;
		if (outcome.ok) {
			item.status = 'uploaded';
			item.progress = 1;
			const { note, ...attachment } = outcome.value;
			item.attachment = attachment;
			item.note = note ?? null;
			// Kept no longer than needed: a retry of the send reuses the stored photo, not the file.
			this.#files.delete(key);
		} else {
			item.status = 'failed';
			item.error = outcome.message;
			item.retryable = outcome.code !== PHOTO_REFUSED;
		}
		this.#wake();
	}

	#find(key: string) {
		return this.#items.find((item) => item.key === key);
	}

	#forget(item: PhotoUpload) {
		this.#urls.revoke(item.preview);
		this.#files.delete(item.key);
		this.#stops.delete(item.key);
	}

	#wake() {
		if (this.busy) return;
		for (const resolve of this.#waiting.splice(0)) resolve();
	}
}
