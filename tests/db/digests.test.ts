// Email digests against the real database, a real worker (graphile-worker) and a real SMTP
// server (smtp-server on 127.0.0.1, mail read back with mailparser), on a database of its own:
// who gets a digest and when, that a message is in one digest at most and a digest is sent at
// most once (a worker killed mid-send included), the unsubscribe link, and that the queue's
// tables stay out of the API roles' reach.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { describeRetention, runRetention } from '../../src/lib/server/db/retention.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import type { DigestMailer } from '../../src/lib/server/messaging/digests/mail.ts';
import { smtpMailer } from '../../src/lib/server/messaging/digests/mailers.ts';
import { sendDigest } from '../../src/lib/server/messaging/digests/send.ts';
import { startDigestWorker, type DigestWorker, type DigestWorkerOptions } from '../../src/lib/server/messaging/digests/worker.ts';
import { migratedScratchDatabase, sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { createActor, rejection, send, type Actor } from '../support/messaging.ts';

const admin = testPool();
const PUBLIC_URL = 'https://bazaar.test';
let db: pg.Pool;
let url: string;
let drop: () => Promise<void> = async () => {};

// ---------------------------------------------------------------------------------------------
// A real SMTP server that keeps what it is given
// ---------------------------------------------------------------------------------------------

/** accept: take the mail; refuse-once: answer 451 once, then accept; hang: take the mail and never say so. */
type InboxMode = 'accept' | 'refuse-once' | 'hang';
const inbox = { mails: [] as ParsedMail[], mode: 'accept' as InboxMode, port: 0 };
const smtp = new SMTPServer({
	authOptional: true,
	disabledCommands: ['STARTTLS'],
	logger: false,
	closeTimeout: 100,
	onData(stream, _session, callback) {
		const chunks: Buffer[] = [];
		stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		stream.on('end', async () => {
			if (inbox.mode === 'refuse-once') {
				inbox.mode = 'accept';
				return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
			}
			inbox.mails.push(await simpleParser(Buffer.concat(chunks)));
			if (inbox.mode !== 'hang') callback();
		});
	}
});

/** A header as the mail carries it, unfolded (mailparser reads List-* headers into an object of its own). */
const rawHeader = (mail: ParsedMail, key: string) =>
	mail.headerLines.find((line) => line.key === key)?.line.replace(/\r\n(?=[ \t])/g, '').replace(/^[^:]+:\s*/, '');

const mailsTo = (actor: Actor) => inbox.mails.filter((mail) => [mail.to ?? []].flat().some((to) => to.text.includes(actor.email)));

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const logs: string[] = [];
const mailer = () => smtpMailer(`smtp://127.0.0.1:${inbox.port}`);

function worker(overrides: Partial<DigestWorkerOptions> = {}): Promise<DigestWorker> {
	return startDigestWorker({
		connectionString: url,
		mailer: mailer(),
		publicUrl: PUBLIC_URL,
		from: 'Bazaar <digests@bazaar.test>',
		delaySeconds: 1,
		schedule: false,
		log: (line) => logs.push(line),
		...overrides
	});
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** Until the queue has nothing to run now (jobs retried later wait with a future run_at). */
async function settled() {
	await waitFor(
		async () => (await db.query(`select count(*)::int as n from graphile_worker.jobs where locked_at is not null or run_at <= now()`)).rows[0].n === 0,
		'the queue to settle'
	);
}

/** The worker claims now, and every digest it queued has run. */
async function claim(running: DigestWorker) {
	await running.claimNow();
	await settled();
}

/** Past the 1-second delay of these tests. */
const away = () => new Promise((r) => setTimeout(r, 1200));

const digestsOf = async (actor: Actor) =>
	(
		await db.query<{ id: string; status: string; reason: string | null; attempts: number; message_ids: string[] }>(
			'select id, status, reason, attempts, message_ids from private.digests where user_id = $1 order by created_at',
			[actor.id]
		)
	).rows;

/** A buyer writing to a seller about the seller's listing. */
async function pair(names = ['ben', 'lee']) {
	const tag = Math.random().toString(36).slice(2, 8);
	const ben = await createActor(db, { username: `${names[0]}_${tag}` });
	const lee = await createActor(db, { username: `${names[1]}_${tag}` });
	const product = await createProduct(db, lee.id, { title: `Camera ${tag}` });
	return { ben, lee, product };
}

let running: DigestWorker;

/** Runs `work` with the suite's worker stopped, so only the workers `work` starts take jobs. */
async function aside(work: () => Promise<void>) {
	await running.stop();
	try {
		await work();
	} finally {
		running = await worker();
	}
}

beforeAll(async () => {
	const scratch = await migratedScratchDatabase(admin);
	url = scratch.url;
	drop = scratch.drop;
	db = createPool(url, { max: 6 });
	await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
	inbox.port = (smtp.server.address() as AddressInfo).port;
	running = await worker();
});

afterAll(async () => {
	await running?.stop();
	await new Promise<void>((resolve) => smtp.close(() => resolve()));
	await db?.end();
	await drop();
});

// ---------------------------------------------------------------------------------------------

describe('who gets a digest, and when', () => {
	it('ben writes to lee, lee is away past the delay: exactly one digest arrives, with the deep link, one-click unsubscribe and a stable Message-ID', async () => {
		const { ben, lee, product } = await pair();
		const sent = await send(ben, lee, 'Is the camera still <b>available</b>?', product.id);
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(0); // not yet past the delay

		await away();
		await claim(running);
		const [mail, ...more] = mailsTo(lee);
		expect(more).toHaveLength(0);
		const [digest] = await digestsOf(lee);
		expect(digest).toMatchObject({ status: 'sent', attempts: 1, message_ids: [sent.id] });

		const link = `${PUBLIC_URL}/messages?conversation=${ben.id}__${product.id}&for=${lee.id}`;
		expect(mail.subject).toBe(`${ben.username} sent you a message about ${product.title}`);
		expect(mail.text).toContain('Is the camera still <b>available</b>?');
		expect(mail.text).toContain(link);
		expect(mail.html).toContain(`href="${link.replace('&', '&amp;')}"`);
		expect(mail.html).toContain('Is the camera still &lt;b&gt;available&lt;/b&gt;?');
		expect(mail.from?.value).toEqual([{ name: 'Bazaar', address: 'digests@bazaar.test' }]);
		expect(mail.messageId).toBe(`<digest-${digest.id}@bazaar.test>`);
		expect(rawHeader(mail, 'list-unsubscribe')).toMatch(new RegExp(`^<${PUBLIC_URL}/unsubscribe\\?u=${lee.id}&t=[0-9a-f]{64}>$`));
		expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

		// Nothing new: nothing more, however often the worker claims.
		await claim(running);
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(1);
		expect(mailsTo(ben)).toHaveLength(0);
	});

	it('a second message in the same window is in the same digest; one after the claim is in the next; no message is mailed twice', async () => {
		const { ben, lee, product } = await pair();
		const first = await send(ben, lee, 'First question', product.id);
		const second = await send(ben, lee, 'Second question', product.id);
		await away();
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(1);
		expect(mailsTo(lee)[0].text).toContain('First question');
		expect(mailsTo(lee)[0].text).toContain('Second question');
		expect(mailsTo(lee)[0].subject).toBe(`2 new messages from ${ben.username} about ${product.title}`);

		const third = await send(ben, lee, 'Third question', product.id);
		await away();
		await claim(running);
		const mails = mailsTo(lee);
		expect(mails).toHaveLength(2);
		expect(mails[1].text).toContain('Third question');
		expect(mails[1].text).not.toContain('First question');
		const digests = await digestsOf(lee);
		expect(digests.map((d) => d.message_ids)).toEqual([[first.id, second.id], [third.id]]);
	});

	it('groups every conversation of the member in one digest', async () => {
		const { ben, lee, product } = await pair();
		const sam = await createActor(db, { username: `sam_${Math.random().toString(36).slice(2, 8)}` });
		await send(ben, lee, 'About the camera', product.id);
		await send(sam, lee, 'Hello in general');
		await away();
		await claim(running);
		const [mail, ...more] = mailsTo(lee);
		expect(more).toHaveLength(0);
		expect(mail.text).toContain(`${PUBLIC_URL}/messages?conversation=${ben.id}__${product.id}`);
		expect(mail.text).toContain(`${PUBLIC_URL}/messages?conversation=${sam.id}__general`);
	});

	it('a move in a deal is worded for its reader and named in the subject: lee accepting ben’s offer reads "accepted your offer" to ben', async () => {
		const { ben, lee, product } = await pair();
		const card = await ben.api.makeOffer({ id: crypto.randomUUID(), amountCents: 800, to: { otherUserId: lee.id, productId: product.id } });
		await lee.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });
		await away();
		await claim(running);
		const [mail, ...more] = mailsTo(ben);
		expect(more).toHaveLength(0);
		expect(mail.subject).toBe(`${lee.username} accepted your offer of €8.00 · ${product.title}`);
		expect(mail.text).toContain(`\n  ${lee.username} accepted your offer of €8.00\n`);
		expect(mail.text).not.toContain(`${ben.username}'s offer`);
		// The seller's digest names the buyer's offer as its card says it.
		expect(mailsTo(lee)[0].subject).toBe(`${ben.username} offered €8.00 · ${product.title}`);
	});

	it('lee reads the thread: nothing is sent, then or later', async () => {
		const { ben, lee, product } = await pair();
		const sent = await send(ben, lee, 'Are you there?', product.id);
		await lee.api.markConversationRead({ conversationId: sent.conversation_id });
		await away();
		await claim(running);
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(0);
		expect(await digestsOf(lee)).toEqual([]);
	});

	it('lee was online after the message arrived: nothing is sent for it', async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Seen online', product.id);
		await new Promise((r) => setTimeout(r, 50));
		await lee.api.markSeen();
		await away();
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(0);
	});

	it('a muted conversation sends nothing, and neither does a member who switched digests off', async () => {
		const muted = await pair();
		const sent = await send(muted.ben, muted.lee, 'Muted', muted.product.id);
		await muted.lee.api.setMuted({ conversationId: sent.conversation_id, until: new Date(Date.now() + 3_600_000).toISOString() });
		const off = await pair();
		await off.lee.api.setPreferences({ emailDigests: false });
		await send(off.ben, off.lee, 'Digests off', off.product.id);
		await away();
		await claim(running);
		expect(mailsTo(muted.lee)).toHaveLength(0);
		expect(mailsTo(off.lee)).toHaveLength(0);
		expect([...(await digestsOf(muted.lee)), ...(await digestsOf(off.lee))]).toEqual([]);
	});

	it('muting, reading or switching digests off after the claim, before the send, sends nothing', async () => {
		for (const change of ['mute', 'read', 'off'] as const) {
			const { ben, lee, product } = await pair();
			const sent = await send(ben, lee, `Changed: ${change}`, product.id);
			await away();
			const [{ id }] = (await db.query<{ id: string }>(`select d as id from public.claim_digests('1 second') d`)).rows;
			if (change === 'mute') await lee.api.setMuted({ conversationId: sent.conversation_id, until: new Date(Date.now() + 60_000).toISOString() });
			if (change === 'read') await lee.api.markConversationRead({ conversationId: sent.conversation_id });
			if (change === 'off') await lee.api.setPreferences({ emailDigests: false });
			const outcome = await sendDigest(id, { pool: db, mailer: mailer(), mail: { publicUrl: PUBLIC_URL, from: 'x <x@bazaar.test>' }, lastAttempt: false, log: () => {} });
			expect(outcome).toBe('nothing_unread');
			expect(mailsTo(lee)).toHaveLength(0);
			expect(await digestsOf(lee)).toMatchObject([{ status: 'abandoned', reason: 'nothing_unread' }]);
		}
	});

	it('two claims at once never take a message twice', async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Before', product.id);
		await away();
		await db.query(`select public.claim_digests('1 second')`); // lee now has a cursor row
		const contested = await send(ben, lee, 'Contested', product.id);
		await away();
		const first = await db.connect();
		const second = await db.connect();
		try {
			// Waiting for the first claim would be a failure: it must not hang the suite.
			await second.query(`set statement_timeout = '5s'`);
			await first.query('begin');
			const mine = (await first.query(`select d from public.claim_digests('1 second') d`)).rows;
			// The other claim skips lee while the first holds the cursor, and sees it moved afterwards.
			const theirs = await second.query(`select d from public.claim_digests('1 second') d`).finally(() => first.query('commit'));
			const after = (await second.query(`select d from public.claim_digests('1 second') d`)).rows;
			expect([mine.length, theirs.rows.length, after.length]).toEqual([1, 0, 0]);
		} finally {
			await second.query('reset statement_timeout');
			first.release();
			second.release();
		}
		const digests = await digestsOf(lee);
		expect(digests.filter((d) => d.message_ids.includes(contested.id))).toHaveLength(1);
		await db.query(`update private.digests set status = 'abandoned' where user_id = $1`, [lee.id]);
	});
});

describe('sending at most once', () => {
	it('a refusal the server makes for certain (451) goes back to the queue and is sent once, after a backoff', async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Try again', product.id);
		await away();
		inbox.mode = 'refuse-once';
		await running.claimNow();
		const [digest] = await waitFor(async () => {
			const found = await digestsOf(lee);
			return found.length && found[0].status === 'sent' ? found : null;
		}, 'the retried digest');
		expect(digest.attempts).toBe(2);
		expect(mailsTo(lee)).toHaveLength(1);
		expect(inbox.mode).toBe('accept');
	});

	it('a send that fails after the mail may have gone out is never retried', async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Then the worker crashed', product.id);
		await away();
		const smtp = mailer();
		const crashing: DigestMailer = {
			description: 'SMTP, then a crash',
			async send(mail) {
				await smtp.send(mail);
				throw new Error('crash after the server took the mail');
			},
			close: () => smtp.close()
		};
		await aside(async () => {
			const flaky = await worker({ mailer: crashing });
			try {
				await claim(flaky);
			} finally {
				await flaky.stop();
			}
		});
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(1);
		expect(await digestsOf(lee)).toMatchObject([{ status: 'abandoned', reason: 'uncertain', attempts: 1 }]);
	});

	it('a worker killed mid-send (kill -9, npm run worker) and another started later sends nothing twice', { timeout: 90_000 }, async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Killed mid-send', product.id);
		await away();
		await aside(async () => {
			// The server takes the mail and never answers, so the worker waits, mid-send, to be killed.
			inbox.mode = 'hang';
			const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
				cwd: process.cwd(),
				env: {
					...process.env,
					DATABASE_URL: url,
					PUBLIC_SUPABASE_URL: '',
					BAZAAR_SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
					BAZAAR_PUBLIC_URL: PUBLIC_URL,
					BAZAAR_DIGEST_DELAY_SECONDS: '1'
				},
				stdio: ['ignore', 'pipe', 'pipe']
			});
			let output = '';
			child.stdout!.on('data', (chunk) => (output += chunk));
			child.stderr!.on('data', (chunk) => (output += chunk));
			const exited = new Promise((resolve) => child.once('exit', resolve));
			try {
				await waitFor(async () => output.includes('digests of messages unread for 1 s go by SMTP'), 'npm run worker to start', 60_000).catch((error: Error) => {
					throw new Error(`${error.message}; it said:\n${output}`);
				});
				await db.query(`select graphile_worker.add_job('claim_digests', '{}'::json)`);
				await waitFor(async () => mailsTo(lee).length === 1, 'the mail to reach the server');
				expect(await digestsOf(lee)).toMatchObject([{ status: 'sending', attempts: 1 }]);
			} finally {
				child.kill('SIGKILL');
				await exited;
				inbox.mode = 'accept';
			}

			// Its job stays locked by the dead worker until graphile-worker's lock expiry (4 hours); unlock it now.
			await db.query(`select graphile_worker.force_unlock_workers(array(select distinct locked_by from graphile_worker.jobs where locked_by is not null))`);
			const restarted = await worker();
			try {
				await settled();
			} finally {
				await restarted.stop();
			}
		});
		expect(mailsTo(lee)).toHaveLength(1);
		expect(await digestsOf(lee)).toMatchObject([{ status: 'abandoned', reason: 'interrupted' }]);
		expect(logs.some((line) => line.includes('may have gone out, so it is not sent again'))).toBe(true);
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(1);
	});
});

describe('unsubscribing', () => {
	it('the link in the mail switches digests off without a session; a forged or another member’s signature is refused', async () => {
		const { ben, lee, product } = await pair();
		await send(ben, lee, 'Unsubscribe me', product.id);
		await away();
		await claim(running);
		const link = new URL(rawHeader(mailsTo(lee)[0], 'list-unsubscribe')!.slice(1, -1));
		const userId = link.searchParams.get('u')!;
		const token = link.searchParams.get('t')!;
		const signedOut = postgresMessaging({ pool: db, claims: null });

		const forged = await rejection(signedOut.unsubscribeDigests({ userId, token: token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) }));
		expect(forged.code).toBe('not_allowed');
		const otherSignature = await rejection(signedOut.unsubscribeDigests({ userId: ben.id, token }));
		expect(otherSignature.code).toBe('not_allowed');
		expect(await lee.api.getPreferences()).toMatchObject({ email_digests: true });
		expect(await ben.api.getPreferences()).toMatchObject({ email_digests: true });
		// What the page the link opens reads: on, and nothing for a link that is not ours.
		expect(await signedOut.digestsOnForLink({ userId, token })).toBe(true);
		expect(await signedOut.digestsOnForLink({ userId: ben.id, token })).toBeNull();
		expect(await signedOut.digestsOnForLink({ userId, token: 'forged' })).toBeNull();
		expect(await signedOut.digestsOnForLink({ userId: '-'.repeat(36), token })).toBeNull();

		await signedOut.unsubscribeDigests({ userId, token });
		expect(await signedOut.digestsOnForLink({ userId, token: token.toUpperCase() })).toBe(false);
		await signedOut.unsubscribeDigests({ userId, token: token.toUpperCase() }); // twice is harmless
		expect(await lee.api.getPreferences()).toMatchObject({ email_digests: false });
		await send(ben, lee, 'After unsubscribing', product.id);
		await away();
		await claim(running);
		expect(mailsTo(lee)).toHaveLength(1);
	});
});

describe('the queue and the digest tables are the server’s alone', () => {
	it('anon and authenticated cannot use the graphile_worker schema, the digest tables or the worker’s functions', async () => {
		const { lee } = await pair();
		const { rows } = await db.query(`
			select r.role, has_schema_privilege(r.role, 'graphile_worker', 'usage') as usage,
			       has_table_privilege(r.role, 'graphile_worker._private_jobs', 'select') as jobs
			  from unnest(array['anon', 'authenticated']) r(role)`);
		expect(rows).toEqual([
			{ role: 'anon', usage: false, jobs: false },
			{ role: 'authenticated', usage: false, jobs: false }
		]);
		const attempts = [
			'select * from graphile_worker.jobs',
			`select graphile_worker.add_job('send_digest', '{}'::json)`,
			'select * from private.digests',
			'select * from private.digest_cursors',
			'select * from private.digest_signing',
			`select public.claim_digests('0 seconds')`,
			`select public.digest_content(gen_random_uuid())`,
			`select public.begin_digest_attempt(gen_random_uuid())`,
			`select public.finish_digest(gen_random_uuid())`,
			`select public.abandon_digest(gen_random_uuid(), 'rejected')`
		];
		for (const who of [null, lee.id]) {
			for (const sql of attempts) {
				await expect(sqlAs(db, who, sql), `${who ? 'authenticated' : 'anon'}: ${sql}`).rejects.toMatchObject({ code: '42501' });
			}
		}
	});
});

describe('housekeeping and presence', () => {
	it('the worker runs message retention on its schedule, and says so in the log', async () => {
		const { ben, lee, product } = await pair();
		const sent = await send(ben, lee, 'Expires', product.id);
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = $1`, [sent.id]);
		await aside(async () => {
			const keeping = await worker({ housekeeping: async (pool) => describeRetention(await runRetention(pool)) });
			try {
				await keeping.housekeepingNow();
				await settled();
			} finally {
				await keeping.stop();
			}
		});
		expect((await db.query('select 1 from public.messages where id = $1', [sent.id])).rowCount).toBe(0);
		expect(logs.some((line) => /^housekeeping: removed [1-9]\d* expired messages/.test(line))).toBe(true);
	});

	it('a member with a live stream is recorded as seen, so digests wait for them', async () => {
		const { startPostgresRealtime } = await import('../../src/lib/server/messaging/realtime/relay.ts');
		const { lee } = await pair();
		const realtime = startPostgresRealtime({ connectionString: url, pool: db, log: () => {} });
		const stream = { event() {}, signal() {}, resume() {}, end() {} };
		try {
			realtime.hub.add(lee.id, stream);
			await waitFor(
				async () => (await db.query('select 1 from private.member_activity where user_id = $1', [lee.id])).rowCount === 1,
				'the stream’s member to be recorded as seen'
			);
		} finally {
			realtime.hub.remove(lee.id, stream);
			await realtime.stop();
		}
	});
});
