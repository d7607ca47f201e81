import type pg from 'pg';
import { drainAttachmentRemovals, postgresAttachmentRemovals, type AttachmentRemovalQueue, type AttachmentStore } from '../index';

export interface RetentionRun {
	messages: number;
	events: number;
	/** Pending photos never sent, dropped after a day. */
	abandonedPhotos: number;
	/** Photos whose files were deleted (of deleted, purged and abandoned messages). */
	removedPhotos: number;
}

/**
 * One pass of housekeeping as the database owner: messages past their tier's retention, old
 * realtime events, uploads never sent; then the files of every attachment those (and deleted
 * messages) removed. The files go last, so a photo removed by this very run is deleted too.
 */
export async function runRetention(pool: pg.Pool, options: { attachments?: AttachmentStore } = {}): Promise<RetentionRun> {
	let messages = 0;
	// Batches keep each transaction short; stop once a batch comes back short.
	for (let batch = 0; batch < 100; batch++) {
		const { rows } = await pool.query<{ removed: string }>('select coalesce(sum(removed), 0) as removed from public.purge_expired_messages(10000)');
		messages += Number(rows[0].removed);
		if (Number(rows[0].removed) < 10000) break;
	}
	const { rows } = await pool.query<{ pruned: string }>('select public.prune_messaging_events() as pruned');
	const abandoned = await pool.query<{ removed: string | null }>('select public.purge_abandoned_attachments() as removed');
	const removedPhotos = options.attachments
		? await drainAttachmentRemovals({ queue: postgresAttachmentRemovals(pool), store: options.attachments })
		: 0;
	return { messages, events: Number(rows[0].pruned), abandonedPhotos: Number(abandoned.rows[0].removed ?? 0), removedPhotos };
}

function every(run: () => Promise<void>, everyMs: number): () => void {
	const first = setTimeout(run, 60_000);
	const timer = setInterval(run, everyMs);
	first.unref();
	timer.unref();
	return () => {
		clearTimeout(first);
		clearInterval(timer);
	};
}

/**
 * A retention run for the log, or null when it removed nothing. Plain-PostgreSQL modes have no
 * pg_cron: the worker (`npm run worker`, or inside `npm run dev`) runs runRetention hourly. On
 * Supabase, pg_cron schedules the SQL part in the project instead.
 */
export function describeRetention(run: RetentionRun): string | null {
	if (!Object.values(run).some(Boolean)) return null;
	return `removed ${run.messages} expired messages, ${run.events} old events, ${run.abandonedPhotos} unsent photos and the files of ${run.removedPhotos} photos`;
}

/**
 * Supabase mode: pg_cron purges in the database, but files in Storage can only be deleted
 * through the Storage API, by the service role. The server drains the removals queue hourly.
 */
export function scheduleAttachmentRemovals(
	queue: AttachmentRemovalQueue,
	store: AttachmentStore,
	options: { everyMs?: number; log?: (line: string) => void } = {}
): () => void {
	const { everyMs = 60 * 60_000, log = (line) => console.log(`[retention] ${line}`) } = options;
	return every(async () => {
		try {
			const removed = await drainAttachmentRemovals({ queue, store });
			if (removed) log(`removed the files of ${removed} photos`);
		} catch (error) {
			log(`failed to remove photo files: ${(error as Error).message}`);
		}
	}, everyMs);
}
