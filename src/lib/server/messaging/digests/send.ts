import type pg from 'pg';
import { DigestContent } from './content.js';
import { digestMail, MailNotSent, type DigestMailer, type DigestMailOptions } from './mail.js';

/** What became of one run of a digest's job. */
export type DigestOutcome =
	/** The SMTP server (or the mail folder) took it. */
	| 'sent'
	/** It was already being sent by a run that stopped: it may have gone out, so it never goes again. */
	| 'interrupted'
	/** Everything in it was read, deleted or muted meanwhile, or the member switched digests off. */
	| 'nothing_unread'
	/** The server refused it for good (a 5xx answer). */
	| 'rejected'
	/** Refused for now on the queue's last attempt. */
	| 'undeliverable'
	/** The send failed in a way that does not say whether the server took it. */
	| 'uncertain'
	/** Already sent or abandoned, or gone: nothing to do. */
	| 'done';

export interface SendDigestOptions {
	/** A pool on the database as its owner (or service_role): every call below is its own transaction. */
	pool: pg.Pool;
	mailer: DigestMailer;
	mail: DigestMailOptions;
	/** The queue will not try again after this run: a refusal now abandons the digest. */
	lastAttempt: boolean;
	log: (line: string) => void;
}

/** A refusal the queue should retry: the digest is back to pending. */
export class DigestDeferred extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'DigestDeferred';
	}
}

async function call<T>(pool: pg.Pool, sql: string, values: unknown[]): Promise<T> {
	return (await pool.query<{ result: T }>(sql, values)).rows[0].result;
}

/**
 * One run of a digest's job, sending it at most once: the attempt is recorded (status
 * 'sending') before the mail goes out and the digest marked sent right after. A digest found
 * still 'sending' was in the hands of a run that died; it may have gone out, so it is abandoned
 * unsent. A refusal the server made for certain puts the digest back to pending and throws
 * DigestDeferred for the queue to retry with backoff.
 */
export async function sendDigest(digestId: string, options: SendDigestOptions): Promise<DigestOutcome> {
	const { pool, log } = options;
	const short = digestId.slice(0, 8);
	const abandon = (reason: Exclude<DigestOutcome, 'sent' | 'done'>) =>
		pool.query('select public.abandon_digest($1, $2)', [digestId, reason]).then(() => reason);

	// Read first: a database hiccup here leaves the digest pending, not "maybe sent".
	const raw = await call<unknown>(pool, 'select public.digest_content($1) as result', [digestId]);
	const action = await call<string>(pool, 'select public.begin_digest_attempt($1) as result', [digestId]);
	if (action === 'interrupted') {
		log(`digest ${short} was being sent when an earlier run stopped; it may have gone out, so it is not sent again`);
		return 'interrupted';
	}
	if (action !== 'send') return 'done';
	if (raw === null) {
		log(`digest ${short}: nothing left unread to tell about; not sent`);
		return abandon('nothing_unread');
	}

	const content = DigestContent.parse(raw);
	try {
		await options.mailer.send(digestMail(content, options.mail));
	} catch (error) {
		if (!(error instanceof MailNotSent)) {
			log(`digest ${short}: sending failed and may have gone out (${(error as Error).message}); not retried`);
			return abandon('uncertain');
		}
		if (error.permanent) {
			log(`digest ${short}: refused for good (${error.message})`);
			return abandon('rejected');
		}
		if (options.lastAttempt) {
			log(`digest ${short}: refused again on the last attempt (${error.message}); given up`);
			return abandon('undeliverable');
		}
		await pool.query('select public.release_digest($1)', [digestId]);
		throw new DigestDeferred(`digest ${short}: not sent (${error.message}); will retry`, { cause: error });
	}
	await pool.query('select public.finish_digest($1)', [digestId]);
	const messages = content.conversations.reduce((sum, c) => sum + c.messages.length, 0);
	log(`sent digest ${short}: ${messages} unread message(s) in ${content.conversations.length} conversation(s) to member ${content.user_id.slice(0, 8)}`);
	return 'sent';
}
