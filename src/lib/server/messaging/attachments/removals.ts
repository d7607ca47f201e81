import type pg from 'pg';
import type { AttachmentStore } from './store.js';

/**
 * The queue of removed attachments whose files are still stored (private.attachment_removals),
 * through the service-role functions: take does not dequeue, forget does. A crash between
 * deleting files and forgetting them only repeats a deletion, which is harmless.
 */
export interface AttachmentRemovalQueue {
	take(limit: number): Promise<string[]>;
	forget(ids: string[]): Promise<void>;
}

/** The queue over a pool connected as the database owner (plain-PostgreSQL modes). */
export function postgresAttachmentRemovals(pool: pg.Pool): AttachmentRemovalQueue {
	return {
		async take(limit) {
			const { rows } = await pool.query<{ id: string }>('select id from public.take_attachment_removals($1) as id', [limit]);
			return rows.map((row) => row.id);
		},
		async forget(ids) {
			await pool.query('select public.forget_attachment_removals($1::uuid[])', [ids]);
		}
	};
}

/** What the queue uses of a service-role supabase-js client. */
export interface AttachmentRemovalsRpcClient {
	rpc(name: string, args: Record<string, unknown>): PromiseLike<{ data: unknown; error: { message: string } | null }>;
}

/** The queue through PostgREST with a service-role client (Supabase mode). */
export function supabaseAttachmentRemovals(admin: AttachmentRemovalsRpcClient): AttachmentRemovalQueue {
	return {
		async take(limit) {
			const { data, error } = await admin.rpc('take_attachment_removals', { p_limit: limit });
			if (error) throw new Error(`take_attachment_removals: ${error.message}`);
			return (data as string[] | null) ?? [];
		},
		async forget(ids) {
			const { error } = await admin.rpc('forget_attachment_removals', { p_ids: ids });
			if (error) throw new Error(`forget_attachment_removals: ${error.message}`);
		}
	};
}

/**
 * Deletes the files of removed attachments (deleted messages, purged messages, abandoned
 * uploads) in batches: take, delete, forget. Returns how many were removed; stops after
 * `maxBatches` so one run stays bounded.
 */
export async function drainAttachmentRemovals(options: {
	queue: AttachmentRemovalQueue;
	store: AttachmentStore;
	batch?: number;
	maxBatches?: number;
}): Promise<number> {
	const { queue, store, batch = 200, maxBatches = 100 } = options;
	let removed = 0;
	for (let round = 0; round < maxBatches; round++) {
		const ids = await queue.take(batch);
		if (!ids.length) break;
		await store.remove(ids);
		await queue.forget(ids);
		removed += ids.length;
		if (ids.length < batch) break;
	}
	return removed;
}
