import type { Config } from '../config';
import { fileMailer, folderAttachmentStore, smtpMailer, startDigestWorker, type DigestWorker } from '../index';
import { describeRetention, runRetention } from './retention';

/** `npm run dev`'s address unless told otherwise: where a worker beside it links by default. */
const DEV_SERVER = 'http://127.0.0.1:5173';

/**
 * The demo's worker, as the configuration says: digests over BAZAAR_SMTP_URL or into files
 * under the data directory, and housekeeping (retention, event pruning, unsent photos and their
 * files) hourly in the PostgreSQL modes. On Supabase pg_cron does the housekeeping, and the
 * server drains photo files with the service-role key, so the worker only sends digests there.
 * `npm run worker` and `npm run dev` both start it through here; `servedAt` is where the process
 * that runs it serves the app (the dev server's address), which links in mail use unless
 * BAZAAR_PUBLIC_URL or ORIGIN says otherwise.
 */
export async function startWorker(config: Config, databaseUrl: string, log: (line: string) => void, servedAt?: string | null): Promise<DigestWorker> {
	const publicUrl = config.publicUrl ?? servedAt ?? DEV_SERVER;
	if (!config.smtpUrl) log(`BAZAAR_SMTP_URL is not set: digests are written to ${config.mailDir} (listed at /dev/mail while npm run dev runs)`);
	else if (!publicUrl.startsWith('https://')) log(`links in digests point to ${publicUrl}; set BAZAAR_PUBLIC_URL to the https address users reach`);
	const attachments = config.attachmentsDir ? folderAttachmentStore({ dir: config.attachmentsDir }) : undefined;
	return startDigestWorker({
		connectionString: databaseUrl,
		mailer: config.smtpUrl ? smtpMailer(config.smtpUrl) : fileMailer(config.mailDir),
		publicUrl,
		from: config.mailFrom,
		delaySeconds: config.digestDelaySeconds,
		housekeeping: config.mode === 'supabase' ? undefined : async (pool) => describeRetention(await runRetention(pool, { attachments })),
		log
	});
}
