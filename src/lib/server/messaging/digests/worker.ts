import pg from 'pg';
import type { Runner, Task } from 'graphile-worker';
import { z } from 'zod';
import type { DigestMailer } from './mail.js';
import { sendDigest } from './send.js';

export interface DigestWorkerOptions {
	/** The database, as its owner: DATABASE_URL in every mode (on Supabase, the project's connection string). */
	connectionString: string;
	mailer: DigestMailer;
	/** Where the app is served: links in the mail, the unsubscribe target, the Message-ID's host. */
	publicUrl: string;
	/** Where the app mounts the messages page and the unsubscribe page (defaults `/messages`, `/unsubscribe`). */
	messagesPath?: string;
	unsubscribePath?: string;
	/** The From header. */
	from?: string;
	siteName?: string;
	/** How long a message stays unread before it is mailed (default 600). */
	delaySeconds?: number;
	/**
	 * The hourly housekeeping (message retention, event pruning, unsent photos); returns a line for
	 * the log, or null when there was nothing to do. Leave it out where something else runs it
	 * (on Supabase, pg_cron).
	 */
	housekeeping?: (pool: pg.Pool) => Promise<string | null>;
	/** false: no cron (claims then run only through claimNow, as in tests). */
	schedule?: boolean;
	/** How often the queue tries one digest before giving up (default 10: the backoff, e^attempt seconds, spreads them over about four hours). */
	maxAttempts?: number;
	log?: (line: string) => void;
}

export interface DigestWorker {
	/** Queues a claim now, besides the one every minute. */
	claimNow(): Promise<void>;
	/** Queues a housekeeping run now. */
	housekeepingNow(): Promise<void>;
	/** Finishes the jobs in hand and stops; the pool is closed. */
	stop(): Promise<void>;
	/** Settles when the worker stops, or fails if it dies. */
	readonly done: Promise<void>;
}

const SendPayload = z.object({ digest_id: z.uuid() });

/** Claims due digests and queues one send job each, in one statement: a digest never exists without its job. */
const CLAIM = `select d.id from public.claim_digests(make_interval(secs => $1)) as d(id),
  lateral graphile_worker.add_job('send_digest', json_build_object('digest_id', d.id), job_key := 'digest:' || d.id, max_attempts := $2) j`;

/**
 * The worker: graphile-worker on the app's database, with its queue, retries (exponential
 * backoff) and cron. Every minute `claim_digests` asks the database which members are due a
 * digest and queues a `send_digest` job for each (job key `digest:<id>`); `send_digest` renders
 * and sends one at most once (see sendDigest); `housekeeping` runs hourly when given. The
 * queue's schema (`graphile_worker`) is created on first start, with no grants to the API roles.
 */
export async function startDigestWorker(options: DigestWorkerOptions): Promise<DigestWorker> {
	const { run, Logger } = await import('graphile-worker');
	const log = options.log ?? ((line: string) => console.log(`[worker] ${line}`));
	const delaySeconds = options.delaySeconds ?? 600;
	const maxAttempts = options.maxAttempts ?? 10;
	const { publicUrl, messagesPath, unsubscribePath, siteName } = options;
	const mail = { publicUrl, messagesPath, unsubscribePath, siteName, from: options.from ?? 'Bazaar <no-reply@localhost>' };
	const pool = new pg.Pool({ connectionString: options.connectionString, max: 4, idleTimeoutMillis: 30_000 });
	// A connection dropped (a restart, or the database stopping first): the pool reconnects on
	// demand, and a query in flight fails on its own, so the events themselves need no action.
	pool.on('error', () => {});
	pool.on('connect', (client) => client.on('error', () => {}));
	let stopping = false;

	const taskList: Record<string, Task> = {
		async claim_digests() {
			const { rowCount } = await pool.query(CLAIM, [delaySeconds, maxAttempts]);
			if (rowCount) log(`queued ${rowCount} digest(s)`);
		},
		async send_digest(payload, helpers) {
			const { digest_id } = SendPayload.parse(payload);
			const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
			await sendDigest(digest_id, { pool, mailer: options.mailer, mail, lastAttempt, log });
		},
		async housekeeping() {
			if (!options.housekeeping) return;
			const line = await options.housekeeping(pool);
			if (line) log(`housekeeping: ${line}`);
		}
	};
	const crontab = options.schedule === false ? '' : ['* * * * * claim_digests', ...(options.housekeeping ? ['17 * * * * housekeeping'] : [])].join('\n');

	const logger = new Logger(() => (level, message, meta) => {
		// Its own progress is noise in a server log; failures (a deferred send among them) are not.
		if (stopping || (level !== 'error' && level !== 'warning')) return;
		// The database shutting down (Ctrl-C stops it with the dev server, or a restart): the queue
		// reconnects by itself, and says so if it cannot.
		if ((meta.error as { code?: string } | undefined)?.code === '57P01' || message.startsWith('Error occurred attempting to UNLISTEN')) return;
		log(message.split('\n')[0]);
	});
	let runner: Runner;
	try {
		runner = await run({ pgPool: pool, taskList, crontab, concurrency: 2, noHandleSignals: true, pollInterval: 2000, logger });
	} catch (error) {
		await pool.end();
		throw error;
	}
	log(
		`digests of messages unread for ${delaySeconds} s go by ${options.mailer.description}` +
			(options.housekeeping ? '; housekeeping hourly' : '') +
			(options.schedule === false ? ' (no schedule)' : '')
	);

	let stopped: Promise<void> | undefined;
	const done = runner.promise.finally(() => pool.end().catch(() => {}));
	return {
		async claimNow() {
			await runner.addJob('claim_digests', {});
		},
		async housekeepingNow() {
			await runner.addJob('housekeeping', {});
		},
		stop() {
			stopped ??= (async () => {
				stopping = true;
				await runner.stop().catch(() => {});
				await done.catch(() => {});
				options.mailer.close();
			})();
			return stopped;
		},
		done
	};
}
