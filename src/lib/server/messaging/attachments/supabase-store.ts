import { ATTACHMENT_SIZES, attachmentKey, isAttachmentId, type AttachmentStore } from './store.js';

/** The private bucket the migrations create, with policies on storage.objects by conversation membership. */
export const ATTACHMENT_BUCKET = 'message-attachments';

/** How long a signed URL the serving route redirects to stays valid. */
export const SIGNED_URL_SECONDS = 60;

type StorageResult<T> = PromiseLike<{ data: T | null; error: { message: string } | null }>;

/** What the store uses of supabase-js's `storage.from(bucket)`; any supabase-js client fits. */
export interface AttachmentStorageClient {
	storage: {
		from(bucket: string): {
			upload(path: string, body: Uint8Array, options: { contentType: string; cacheControl: string; upsert: boolean }): StorageResult<unknown>;
			createSignedUrl(path: string, expiresIn: number): StorageResult<{ signedUrl: string }>;
			remove(paths: string[]): StorageResult<unknown>;
		};
	};
}

/** Storage removes at most 1,000 objects a request. */
const REMOVE_BATCH = 500;

/**
 * Photos in Supabase Storage. Uploads and signed URLs use the signed-in user's client, so the
 * storage.objects policies decide (insert: the caller's own pending attachment; select: a
 * photo the caller may read). Users may not delete objects: removals go through `admin`, a
 * service-role client, which only the removals drain needs (without it, remove() throws and
 * the removals stay queued).
 */
export function supabaseAttachmentStore(options: {
	supabase: AttachmentStorageClient;
	admin?: AttachmentStorageClient | null;
	signedUrlSeconds?: number;
}): AttachmentStore {
	const bucket = () => options.supabase.storage.from(ATTACHMENT_BUCKET);
	return {
		async put(id, files) {
			for (const size of ATTACHMENT_SIZES) {
				const key = attachmentKey(id, size);
				const { error } = await bucket().upload(key, files[size], { contentType: 'image/webp', cacheControl: '86400', upsert: false });
				// A first file already stored stays until the drain removes it (the endpoint discards the attachment, which queues it).
				if (error) throw new Error(`Supabase Storage refused ${key}: ${error.message}`);
			}
		},

		async open(id, size) {
			if (!isAttachmentId(id)) return null;
			const { data, error } = await bucket().createSignedUrl(attachmentKey(id, size), options.signedUrlSeconds ?? SIGNED_URL_SECONDS);
			// Not found and not allowed look alike on purpose: the route answers 404 to both.
			if (error || !data) return null;
			return { kind: 'redirect', url: data.signedUrl };
		},

		async remove(ids) {
			if (!ids.length) return;
			if (!options.admin) throw new Error('Removing photos from Supabase Storage needs a service-role client (SUPABASE_SERVICE_ROLE_KEY).');
			const keys = ids.flatMap((id) => ATTACHMENT_SIZES.map((size) => attachmentKey(id, size)));
			for (let at = 0; at < keys.length; at += REMOVE_BATCH) {
				const { error } = await options.admin.storage.from(ATTACHMENT_BUCKET).remove(keys.slice(at, at + REMOVE_BATCH));
				if (error) throw new Error(`Supabase Storage could not remove photos: ${error.message}`);
			}
		}
	};
}
