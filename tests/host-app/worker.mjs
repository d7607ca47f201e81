// The host's worker, in plain Node (`node worker.mjs`) beside its server: email digests and, on
// plain PostgreSQL, the hourly housekeeping the demo runs in src/lib/server/db/retention.ts.
// Ctrl-C or SIGTERM lets the jobs in hand finish. HOUSEKEEPING_NOW=1 queues one run at start.
import {
	drainAttachmentRemovals,
	fileMailer,
	folderAttachmentStore,
	postgresAttachmentRemovals,
	startDigestWorker
} from 'bazaar-messaging/server';

const { DATABASE_URL, MAIL_DIR, ATTACHMENTS_DIR, PUBLIC_URL } = process.env;
if (!DATABASE_URL || !MAIL_DIR || !ATTACHMENTS_DIR || !PUBLIC_URL) throw new Error('set DATABASE_URL, MAIL_DIR, ATTACHMENTS_DIR and PUBLIC_URL');
const attachments = folderAttachmentStore({ dir: ATTACHMENTS_DIR });

const worker = await startDigestWorker({
	connectionString: DATABASE_URL,
	mailer: fileMailer(MAIL_DIR),
	publicUrl: PUBLIC_URL,
	async housekeeping(pool) {
		// Expired messages in batches of 10,000, each its own short transaction, until a batch comes back short.
		let messages = 0;
		let removed;
		do {
			const { rows } = await pool.query('select coalesce(sum(removed), 0)::int as removed from public.purge_expired_messages(10000)');
			removed = rows[0].removed;
			messages += removed;
		} while (removed === 10_000);
		const events = (await pool.query('select public.prune_messaging_events()::int as pruned')).rows[0].pruned;
		const unsent = (await pool.query('select coalesce(public.purge_abandoned_attachments(), 0)::int as removed')).rows[0].removed;
		// Last: the files of every photo removed above, or deleted since the last run.
		const files = await drainAttachmentRemovals({ queue: postgresAttachmentRemovals(pool), store: attachments });
		return `${messages} expired messages, ${events} old events, ${unsent} unsent photos, ${files} photo files`;
	}
});
if (process.env.HOUSEKEEPING_NOW === '1') await worker.housekeepingNow();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void worker.stop());
await worker.done;
