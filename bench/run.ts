/**
 * `npm run bench`: latency of the messaging RPCs on a scale data set, through the real
 * Postgres adapter, next to the naive designs they replace.
 *
 * Starts a throwaway PostgreSQL (shim and migrations applied, no demo data), loads one
 * seller with 60,000 messages over 2,000 conversations (one of them busy) among
 * BENCH_MESSAGES messages in all (default 1,000,000), then calls each operation
 * BENCH_CALLS times (default 200; the two slow baselines BENCH_BASELINE_CALLS times,
 * default 50) after 5 warm-up calls, so every measured call runs on whatever plan
 * PostgreSQL's plan cache settled on (PL/pgSQL switches to generic plans after five
 * calls). Prints median, p95 and max per operation and stops the cluster.
 *
 *   BENCH_MESSAGES=200000 BENCH_CALLS=50 npm run bench
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Cursor } from '../src/lib/messaging/schemas/index.ts';
import type { SessionClaims } from '../src/lib/server/auth/jwt.ts';
import type { MessagingBackend } from '../src/lib/server/messaging/backend/messaging-backend.ts';
import { postgresMessaging } from '../src/lib/server/messaging/backend/postgres.ts';
import { readConfig } from '../src/lib/server/config.ts';
import { prepareDatabase, type Database } from '../src/lib/server/db/database.ts';
import { createPool } from '../src/lib/server/db/pool.ts';
import { loadDataset, type Dataset } from './dataset.ts';

const WARM_UP = 5;
const PAGE = 30;
const THREAD_PAGE = 50;
const DEPTH = 5_000;

function positiveInt(name: string, fallback: number, min: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw.replaceAll('_', ''));
	if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, got ${raw}`);
	return value;
}

const totalMessages = positiveInt('BENCH_MESSAGES', 1_000_000, 20_000);
const calls = positiveInt('BENCH_CALLS', 200, 1);
const baselineCalls = positiveInt('BENCH_BASELINE_CALLS', Math.min(50, calls), 1);
// The seller's share: 60,000 messages (one busy conversation of 10,000) when there is room.
const sellerMessages = Math.min(60_000, Math.floor(totalMessages * 0.6));
const busyMessages = Math.min(10_000, Math.floor(sellerMessages / 3));
const depth = Math.min(DEPTH, busyMessages - THREAD_PAGE - 1);
const users = 2_000;
const otherConversations = Math.max(1, Math.floor((totalMessages - sellerMessages) / 24));

/** Session claims as the app's auth issues them (see tests/support/database.ts claimsFor). */
function claimsFor(userId: string): SessionClaims {
	const iat = Math.floor(Date.now() / 1000);
	return { sub: userId, role: 'authenticated', aud: 'authenticated', email: `${userId}@example.test`, iat, exp: iat + 3600 };
}

/** One request as the RPC adapter makes it (transaction, claims), without switching role. */
async function asOwner<T>(pool: pg.Pool, claims: SessionClaims, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
		const result = await work(client);
		await client.query('commit');
		return result;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw error;
	} finally {
		client.release();
	}
}

interface Row {
	operation: string;
	calls: number;
	median: number;
	p95: number;
	max: number;
}

/** The value below which a fraction q of the sorted samples fall (nearest rank). */
function quantile(sorted: number[], q: number): number {
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const results: Row[] = [];

async function measure(operation: string, run: (call: number) => Promise<unknown>, times = calls): Promise<void> {
	for (let i = 0; i < WARM_UP; i++) await run(-1 - i);
	const samples: number[] = [];
	for (let i = 0; i < times; i++) {
		const started = performance.now();
		await run(i);
		samples.push(performance.now() - started);
	}
	samples.sort((a, b) => a - b);
	const row = { operation, calls: times, median: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: samples[samples.length - 1] };
	results.push(row);
	console.log(`  ${operation}: median ${row.median.toFixed(2)} ms`);
}

/** Times pairs of operations that must alternate (a send, then the read it makes necessary). */
async function measurePair(
	first: string,
	runFirst: (call: number) => Promise<unknown>,
	second: string,
	runSecond: (call: number) => Promise<unknown>
): Promise<void> {
	for (let i = 0; i < WARM_UP; i++) {
		await runFirst(-1 - i);
		await runSecond(-1 - i);
	}
	const samples: [number[], number[]] = [[], []];
	for (let i = 0; i < calls; i++) {
		let started = performance.now();
		await runFirst(i);
		samples[0].push(performance.now() - started);
		started = performance.now();
		await runSecond(i);
		samples[1].push(performance.now() - started);
	}
	for (const [index, operation] of [first, second].entries()) {
		const sorted = samples[index].sort((a, b) => a - b);
		const row = { operation, calls, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] };
		results.push(row);
		console.log(`  ${operation}: median ${row.median.toFixed(2)} ms`);
	}
}

function printTable(rows: Row[]) {
	const header = ['operation', 'calls', 'median ms', 'p95 ms', 'max ms'];
	const cells = rows.map((r) => [r.operation, String(r.calls), r.median.toFixed(2), r.p95.toFixed(2), r.max.toFixed(2)]);
	const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
	const line = (values: string[]) =>
		`| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ')} |`;
	console.log(line(header));
	console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
	for (const row of cells) console.log(line(row));
}

async function bench(database: Database) {
	const admin = createPool(database.url, { max: 2 });
	const pool = createPool(database.url, { max: 4 });
	try {
		const { rows: version } = await admin.query<{ server_version: string }>('show server_version');
		console.log(
			`PostgreSQL ${version[0].server_version}; loading ${totalMessages.toLocaleString('en')} messages ` +
				`(seller: ${sellerMessages.toLocaleString('en')} in 2,000 conversations, busy conversation: ${busyMessages.toLocaleString('en')})`
		);
		const loadStarted = performance.now();
		const client = await admin.connect();
		let data: Dataset;
		try {
			data = await loadDataset(client, {
				users,
				sellerProducts: 10,
				sellerConversations: 2_000,
				busyMessages,
				sellerMessages,
				otherConversations,
				totalMessages,
				log: (line) => console.log(`  ${line}`)
			});
		} finally {
			client.release();
		}
		// Sending 200 messages a minute into one conversation is the point here, not the per-sender limit.
		await admin.query('update public.messaging_settings set rate_limit_per_minute = 1000000');
		console.log(
			`Loaded ${data.counts.messages.toLocaleString('en')} messages, ${data.counts.conversations.toLocaleString('en')} conversations, ` +
				`${users.toLocaleString('en')} users in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`
		);

		const seller: MessagingBackend = postgresMessaging({ pool, claims: claimsFor(data.sellerId) });
		const buyer: MessagingBackend = postgresMessaging({ pool, claims: claimsFor(data.busyBuyerId) });
		const sellerClaims = claimsFor(data.sellerId);
		const busy = data.busyConversationId;

		// Cursors: the inbox after 9 pages, the thread after its newest `depth` messages.
		let inboxCursor: Cursor | null = null;
		for (let page = 1; page < 10; page++) inboxCursor = (await seller.listConversationPreviews({ limit: PAGE, before: inboxCursor })).next;
		if (!inboxCursor) throw new Error('The seller inbox has fewer than 10 pages');
		const { rows: deep } = await admin.query<{ at: string; id: string }>(
			`select created_at::text as at, id from public.messages where conversation_id = $1
			  order by created_at desc, id desc offset $2 limit 1`,
			[busy, depth - 1]
		);
		const deepCursor = deep[0];
		const tenth = inboxCursor;

		console.log(`Timing ${calls} calls per operation, ${baselineCalls} per baseline (after ${WARM_UP} warm-up calls each):`);
		await measure(`inbox first page (${PAGE})`, () => seller.listConversationPreviews({ limit: PAGE }));
		await measure(`inbox page 10 (keyset)`, () => seller.listConversationPreviews({ limit: PAGE, before: tenth }));
		await measure(`inbox unread filter, first page`, () => seller.listConversationPreviews({ filter: 'unread', limit: PAGE }));
		await measure(`thread newest page (${THREAD_PAGE}), ${busyMessages.toLocaleString('en')}-message conversation`, () =>
			seller.listMessages({ conversationId: busy, limit: THREAD_PAGE })
		);
		await measure(`thread page at depth ${depth.toLocaleString('en')} (keyset)`, () =>
			seller.listMessages({ conversationId: busy, limit: THREAD_PAGE, before: deepCursor })
		);
		await measure('open_conversation (busy conversation)', () =>
			seller.openConversation({ otherUserId: data.busyBuyerId, productId: data.busyProductId, limit: THREAD_PAGE })
		);
		await measure('unread_total', () => seller.unreadTotal());
		await measure(`search_messages 'camera' (in 1 of 8 messages)`, () => seller.searchMessages({ query: 'camera' }));
		await measure(`search_messages '9999' (rare)`, () => seller.searchMessages({ query: '9999' }));
		await measurePair(
			'send_message into the busy conversation',
			() => buyer.sendMessage({ id: randomUUID(), body: 'Is it still available? I can pick it up today.', conversationId: busy }),
			'mark_conversation_read (after each send)',
			() => seller.markConversationRead({ conversationId: busy })
		);

		// Baselines: the same round trips as an RPC call (transaction, claims), the SQL run as the
		// RPCs run theirs (security definer: as the owner, so row-level security does not apply).
		const naiveInbox = `
			select * from (
			  select distinct on (m.conversation_id) m.conversation_id, m.id, m.sender_id, m.body, m.created_at
			    from public.messages m
			   where m.conversation_id in (select cm.conversation_id from public.conversation_members cm where cm.user_id = $1)
			   order by m.conversation_id, m.created_at desc, m.id desc
			) latest
			order by latest.created_at desc, latest.conversation_id desc
			limit $2`;
		await measure(`baseline: naive inbox, DISTINCT ON over the seller's ${data.counts.sellerMessages.toLocaleString('en')} messages`, () =>
			asOwner(pool, sellerClaims, (c) => c.query(naiveInbox, [data.sellerId, PAGE + 1])), baselineCalls
		);
		const offsetPage = `
			select * from public.messages_realtime_view v where v.conversation_id = $1
			 order by v.created_at desc, v.id desc offset $2 limit $3`;
		await measure(`baseline: thread page at depth ${depth.toLocaleString('en')} with OFFSET`, () =>
			asOwner(pool, sellerClaims, (c) => c.query(offsetPage, [busy, depth, THREAD_PAGE + 1])), baselineCalls
		);

		console.log(
			`\n${data.counts.messages.toLocaleString('en')} messages, seller with ${data.counts.sellerMessages.toLocaleString('en')} messages ` +
				`in 2,000 conversations; times per call through the Postgres adapter (transaction, claims, role, RPC), in ms:\n`
		);
		printTable(results);
	} finally {
		await pool.end();
		await admin.end();
	}
}

const started = performance.now();
const database = await prepareDatabase(readConfig({ BAZAAR_DB_EPHEMERAL: '1', BAZAAR_SEED: '0' }));
let failed = false;
try {
	await bench(database);
} catch (error) {
	failed = true;
	console.error(error);
} finally {
	await database.cluster?.stop();
}
console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
process.exit(failed ? 1 : 0);
