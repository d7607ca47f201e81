import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Cursor } from '../src/lib/messaging/schemas/index.ts';
import { claimsFor } from './claims.ts';
import { readConfig } from '../src/lib/server/config.ts';
import { prepareDatabase } from '../src/lib/server/db/database.ts';
import { createPool } from '../src/lib/server/db/pool.ts';
import type { MessagingBackend } from '../src/lib/server/messaging/backend/messaging-backend.ts';
import { postgresMessaging } from '../src/lib/server/messaging/backend/postgres.ts';
import { loadDataset } from './dataset.ts';
import { summarise, type Measurement, type Section } from './report.ts';

const WARM_UP = 5;
const JIT_ROUNDS = 60;
const PAGE = 30;
const THREAD_PAGE = 50;
const SENDERS = 8;

export interface RpcBenchOptions {
	/** Messages in the whole data set. */
	messages: number;
	/** Timed calls per operation (baselines: at most 50). */
	calls: number;
	/** Seconds of sustained sending. */
	sendSeconds: number;
	log: (line: string) => void;
}

/** Counts the protocol messages (queries) pg sends: an RPC through the adapter should be one. */
let queriesSent = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
	queriesSent++;
	return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

/**
 * The messaging RPCs on a scale data set, through the real Postgres adapter as the app calls
 * them, next to the naive designs they replace. A throwaway cluster (shim and migrations, no
 * demo data) gets one seller with 60,000 messages over 2,000 conversations (one of them busy)
 * among `messages` in all; each operation is called `calls` times after five warm-up calls on
 * the same few pooled connections, so every timed call runs on the plan PostgreSQL's plan
 * cache settled on (generic after five calls), and the reads after JIT_ROUNDS untimed turns.
 */
export async function benchRpcs(options: RpcBenchOptions): Promise<Section> {
	const { calls, log } = options;
	const totalMessages = options.messages;
	const sellerMessages = Math.min(60_000, Math.floor(totalMessages * 0.6));
	const busyMessages = Math.min(10_000, Math.floor(sellerMessages / 3));
	const depth = Math.min(5_000, busyMessages - THREAD_PAGE - 1);
	const baselineCalls = Math.min(50, calls);
	const database = await prepareDatabase(readConfig({ BAZAAR_DB_EPHEMERAL: '1', BAZAAR_SEED: '0' }));
	const admin = createPool(database.url, { max: 2 });
	// The app's own pool (createPool: 4 connections on 2 cores): eight senders are eight callers of
	// one app, as in the realtime bench. Eight connections of their own ran more backends than
	// there are cores, and each send cost more database CPU: over five paired runs, 709 sends/s on
	// average against 881/s with the app's 4 (which did better in four of the five).
	const pool = createPool(database.url);
	const rows: Measurement[] = [];
	try {
		const started = performance.now();
		const client = await admin.connect();
		const data = await loadDataset(client, {
			users: 2_000,
			sellerProducts: 10,
			sellerConversations: 2_000,
			busyMessages,
			sellerMessages,
			otherConversations: Math.max(1, Math.floor((totalMessages - sellerMessages) / 24)),
			totalMessages,
			log: (line) => log(`  ${line}`)
		}).finally(() => client.release());
		// The benchmark sends hundreds of messages a second per sender: no per-sender limit.
		await admin.query('update public.messaging_settings set rate_limit_per_minute = null');
		log(`Loaded ${data.counts.messages.toLocaleString('en')} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);

		const seller = postgresMessaging({ pool, claims: claimsFor(data.sellerId) });
		const buyer = postgresMessaging({ pool, claims: claimsFor(data.busyBuyerId) });
		const busy = data.busyConversationId;

		async function measure(operation: string, target: { p95: number } | null, run: () => Promise<unknown>, times = calls): Promise<Measurement> {
			for (let i = 0; i < WARM_UP; i++) await run();
			const samples: number[] = [];
			queriesSent = 0;
			for (let i = 0; i < times; i++) {
				const at = performance.now();
				await run();
				samples.push(performance.now() - at);
			}
			const row: Measurement = { operation, ...summarise(samples), extra: { 'round trips': queriesSent / times } };
			if (target) Object.assign(row, { target: `p95 ≤ ${target.p95} ms`, met: row.p95! <= target.p95 });
			rows.push(row);
			log(`  ${operation}: median ${row.median!.toFixed(2)} ms, p95 ${row.p95!.toFixed(2)} ms`);
			return row;
		}

		let tenth: Cursor | null = null;
		for (let page = 1; page < 10; page++) tenth = (await seller.listConversationPreviews({ limit: PAGE, before: tenth })).next;
		if (!tenth) throw new Error('The seller inbox has fewer than 10 pages');
		const inboxTenth = tenth;
		const { rows: deep } = await admin.query<{ at: string; id: string }>(
			`select created_at::text as at, id from public.messages where conversation_id = $1
			  order by created_at desc, id desc offset $2 limit 1`,
			[busy, depth - 1]
		);

		const reads: [operation: string, p95: number, run: () => Promise<unknown>][] = [
			[`inbox first page (${PAGE})`, 2, () => seller.listConversationPreviews({ limit: PAGE })],
			['inbox page 10 (keyset)', 2, () => seller.listConversationPreviews({ limit: PAGE, before: inboxTenth })],
			['inbox unread filter, first page', 2, () => seller.listConversationPreviews({ filter: 'unread', limit: PAGE })],
			[
				`thread newest page (${THREAD_PAGE}) of ${busyMessages.toLocaleString('en')}`,
				1.5,
				() => seller.listMessages({ conversationId: busy, limit: THREAD_PAGE })
			],
			[`thread page ${depth.toLocaleString('en')} deep (keyset)`, 1.5, () => seller.listMessages({ conversationId: busy, limit: THREAD_PAGE, before: deep[0] })],
			['open_conversation', 3, () => seller.openConversation({ otherUserId: data.busyBuyerId, productId: data.busyProductId, limit: THREAD_PAGE })],
			['unread_total', 1, () => seller.unreadTotal()],
			[`search, common word (1 message in 8)`, 25, () => seller.searchMessages({ query: 'camera' })],
			[`search, rare word`, 10, () => seller.searchMessages({ query: '9999' })],
			// Every one of the seller's 2,000 member rows is matched, whatever the words: a buyer's name, or a listing's title.
			['search conversations, a buyer’s name', 20, () => seller.searchConversations({ query: 'bench user 1234' })],
			['search conversations, a listing’s title', 20, () => seller.searchConversations({ query: 'bench product 3' })]
		];
		// This process's own JavaScript (pg, the adapter, zod) runs unoptimised for its first few
		// hundred calls, and V8 is slow to optimise on 2 cores: in a fresh process the first 120
		// inbox pages had medians of 2.8 to 3.2 ms, those after the 200th 1.4 to 1.7, so the read
		// timed first paid for it. An app serving requests is long past that: every read first runs
		// untimed, the reads taking turns.
		for (let round = 0; round < JIT_ROUNDS; round++) for (const [, , run] of reads) await run();
		const inbox = await measure(reads[0][0], { p95: reads[0][1] }, reads[0][2]);
		for (const [operation, p95, run] of reads.slice(1)) await measure(operation, { p95 }, run);
		// Each send makes the seller's next mark-read move: the two alternate, as in a conversation.
		await measure('send_message', { p95: 3 }, () =>
			buyer.sendMessage({ id: randomUUID(), body: 'Is it still available? I can pick it up today.', conversationId: busy })
		);
		const markRead = async () => {
			await buyer.sendMessage({ id: randomUUID(), body: 'Still there?', conversationId: busy });
			const at = performance.now();
			await seller.markConversationRead({ conversationId: busy });
			return performance.now() - at;
		};
		for (let i = 0; i < WARM_UP; i++) await markRead();
		const readSamples: number[] = [];
		for (let i = 0; i < calls; i++) readSamples.push(await markRead());
		const read: Measurement = { operation: 'mark_conversation_read (after a new message)', ...summarise(readSamples), extra: { 'round trips': 1 } };
		Object.assign(read, { target: 'p95 ≤ 2 ms', met: read.p95! <= 2 });
		rows.push(read);
		log(`  mark read: p95 ${read.p95!.toFixed(2)} ms`);

		rows.push(await sustainedSends(admin, pool, data.sellerId, options.sendSeconds, log));

		// Baselines: one transaction with the claims, as an RPC call makes, running the SQL the
		// design replaced, as the owner (as the security definer RPCs run theirs).
		const asOwner = async (text: string, values: unknown[]) => {
			const c = await pool.connect();
			try {
				await c.query('begin');
				await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claimsFor(data.sellerId))]);
				await c.query(text, values);
				await c.query('commit');
			} finally {
				c.release();
			}
		};
		const naive = await measure(
			`baseline: naive inbox (DISTINCT ON over ${data.counts.sellerMessages.toLocaleString('en')} messages)`,
			null,
			() =>
				asOwner(
					`select * from (
					   select distinct on (m.conversation_id) m.conversation_id, m.id, m.sender_id, m.body, m.created_at
					     from public.messages m
					    where m.conversation_id in (select cm.conversation_id from public.conversation_members cm where cm.user_id = $1)
					    order by m.conversation_id, m.created_at desc, m.id desc
					 ) latest order by latest.created_at desc, latest.conversation_id desc limit $2`,
					[data.sellerId, PAGE + 1]
				),
			baselineCalls
		);
		const ratio = naive.median! / inbox.median!;
		Object.assign(naive, { target: '≥ 250× ours', met: ratio >= 250 });
		naive.extra = { ...naive.extra, 'x ours': ratio };
		await measure(`baseline: thread page ${depth.toLocaleString('en')} deep with OFFSET`, null, () =>
			asOwner(
				`select * from public.messages_realtime_view v where v.conversation_id = $1
				  order by v.created_at desc, v.id desc offset $2 limit $3`,
				[busy, depth, THREAD_PAGE + 1]
			),
			baselineCalls
		);
		return {
			title: `Messaging RPCs at ${data.counts.messages.toLocaleString('en')} messages`,
			note:
				`A seller with ${data.counts.sellerMessages.toLocaleString('en')} messages in 2,000 conversations (one of ` +
				`${busyMessages.toLocaleString('en')}); through the Postgres adapter as the app calls it (claims, role, call, commit); ` +
				`round trips are the protocol messages pg sends per call.`,
			rows
		};
	} finally {
		await pool.end();
		await admin.end();
		await database.cluster?.stop();
	}
}

/**
 * Eight senders, each in a conversation of its own with the seller, sending as fast as they can,
 * timed after a third as long untimed, as every other row of this table is after its warm-up
 * calls: the first seconds of sends into conversations the loader wrote ran slower (1,873/s
 * timed from the start at 100,000 messages, 2,109/s twenty seconds later in the same run).
 */
async function sustainedSends(admin: pg.Pool, pool: pg.Pool, sellerId: string, seconds: number, log: (line: string) => void): Promise<Measurement> {
	const { rows: pairs } = await admin.query<{ conversation_id: string; other_user_id: string }>(
		`select conversation_id, other_user_id from public.conversation_members where user_id = $1
		  order by last_message_at limit $2`,
		[sellerId, SENDERS]
	);
	const senders: { backend: MessagingBackend; conversationId: string }[] = pairs.map((pair) => ({
		backend: postgresMessaging({ pool, claims: claimsFor(pair.other_user_id) }),
		conversationId: pair.conversation_id
	}));
	const sendFor = (ms: number, samples: number[] | null) => {
		const until = performance.now() + ms;
		return Promise.all(
			senders.map(async ({ backend, conversationId }) => {
				while (performance.now() < until) {
					const at = performance.now();
					await backend.sendMessage({ id: randomUUID(), body: 'Can you do 10% off?', conversationId });
					samples?.push(performance.now() - at);
				}
			})
		);
	};
	await sendFor((seconds * 1000) / 3, null);
	const samples: number[] = [];
	const started = performance.now();
	await sendFor(seconds * 1000, samples);
	const rate = samples.length / ((performance.now() - started) / 1000);
	log(`  sustained sends: ${rate.toFixed(0)}/s`);
	return {
		operation: `send_message sustained, ${SENDERS} senders on different conversations`,
		...summarise(samples),
		rate,
		target: '≥ 2,000 sends/s',
		met: rate >= 2_000
	};
}
