import type pg from 'pg';

/**
 * Plain-PostgreSQL modes have no pg_cron: the server itself removes messages past their tier's
 * retention and prunes the realtime event log, hourly (and a minute after start). On Supabase,
 * schedule `purge_expired_messages()` and `prune_messaging_events()` in the project instead.
 */
export function scheduleRetention(pool: pg.Pool, options: { everyMs?: number; log?: (line: string) => void } = {}): () => void {
	const { everyMs = 60 * 60_000, log = (line) => console.log(`[retention] ${line}`) } = options;
	const run = async () => {
		try {
			let removed = 0;
			// Batches keep each transaction short; stop once a batch comes back short.
			for (let batch = 0; batch < 100; batch++) {
				const { rows } = await pool.query<{ removed: string }>('select coalesce(sum(removed), 0) as removed from public.purge_expired_messages(10000)');
				removed += Number(rows[0].removed);
				if (Number(rows[0].removed) < 10000) break;
			}
			const { rows } = await pool.query<{ pruned: string }>('select public.prune_messaging_events() as pruned');
			if (removed || Number(rows[0].pruned)) log(`removed ${removed} expired messages and ${rows[0].pruned} old events`);
		} catch (error) {
			log(`failed: ${(error as Error).message}`);
		}
	};
	const first = setTimeout(run, 60_000);
	const every = setInterval(run, everyMs);
	first.unref();
	every.unref();
	return () => {
		clearTimeout(first);
		clearInterval(every);
	};
}
