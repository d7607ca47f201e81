import type { AttachmentSize } from '../../../messaging/schemas/index.js';

export const ATTACHMENT_SIZES: readonly AttachmentSize[] = ['thumb', 'display'];

/** Lower-case hex uuid, as PostgreSQL prints them: the only thing a storage path is built from. */
const ATTACHMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isAttachmentId(value: string): boolean {
	return ATTACHMENT_ID.test(value);
}

export function isAttachmentSize(value: string): value is AttachmentSize {
	return (ATTACHMENT_SIZES as readonly string[]).includes(value);
}

/** Where a photo's file lives, in both adapters: `<attachment id>/thumb.webp` and `<attachment id>/display.webp`. */
export function attachmentKey(id: string, size: AttachmentSize): string {
	if (!isAttachmentId(id)) throw new Error(`Not an attachment id: ${JSON.stringify(id)}`);
	return `${id}/${size}.webp`;
}

/** A stored file as the serving route hands it out: streamed by this server, or a redirect to where it may be fetched. */
export type StoredPhoto =
	| { kind: 'file'; length: number; etag: string; stream(): ReadableStream<Uint8Array> }
	| { kind: 'redirect'; url: string };

/**
 * Where the two WebP files of each photo are kept. Keys are attachment ids; the adapters
 * decide the rest (a folder under the data directory, or Supabase Storage).
 */
export interface AttachmentStore {
	/** Stores both files of a new photo; all or nothing as far as the adapter can. */
	put(id: string, files: Record<AttachmentSize, Uint8Array>): Promise<void>;
	/** One file of a photo whose reader was already checked; null when there is no such file. */
	open(id: string, size: AttachmentSize): Promise<StoredPhoto | null>;
	/** Deletes both files of each photo; ids without files are fine. */
	remove(ids: string[]): Promise<void>;
}
