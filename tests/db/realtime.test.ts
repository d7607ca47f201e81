import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingEvent, type Message } from '../../src/lib/messaging/schemas/index.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { freePort, startCluster, type RunningCluster } from '../../src/lib/server/db/embedded-cluster.ts';
import { applyShim, migrate } from '../../src/lib/server/migrations/runner.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { messagingEventStream } from '../../src/lib/server/messaging/realtime/event-stream.ts';
import { RealtimeHub } from '../../src/lib/server/messaging/realtime/hub.ts';
import { listenForEvents, type Listener } from '../../src/lib/server/messaging/realtime/listener.ts';
import { relayPresence } from '../../src/lib/server/messaging/realtime/presence.ts';
import { claimsFor, migratedScratchDatabase, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { createActor, marketplace, send, type Actor } from '../support/messaging.ts';
import { ReconnectingSse, SseConnection, type SseEvent } from '../support/sse-client.ts';

/*
 * Realtime in plain-PostgreSQL mode, end to end: real PostgreSQL, the real LISTEN connection,
 * hub and SSE stream, over real HTTP on 127.0.0.1, read by a client that parses the wire
 * format itself.
 *
 * Why not call the route handler (src/routes/messages/stream/+server.ts) directly: it takes
 * its hub and pool from runtime(), a process-wide singleton on globalThis bound to one
 * DATABASE_URL, which runs the migrations and opens its own LISTEN connection when first used.
 * The restart case needs a second, independent hub and listener on a cluster of its own, and
 * one of the cases holds a catch-up open; a singleton can be neither duplicated nor reached
 * into without patching globals. So each server below is wired exactly as runtime() wires it
 * (RealtimeHub, listenForEvents, relayPresence on one pool), and its request handler repeats
 * the route's few lines: the cursor from Last-Event-ID or ?cursor= (same pattern, 400 otherwise),
 * messagingEventStream with syncSince = postgresMessaging({ pool, claims }).syncSince (what
 * hooks.server.ts puts in locals.messaging) and the route's response headers. The signed-in
 * user, which the app reads from its session cookie, comes from an x-test-user-id header.
 */

const CURSOR = /^\d{1,15}$/;
const USER_HEADER = 'x-test-user-id';
/** When the stream's session expires (ms since the epoch), and its heartbeat period, for the expiry test. */
const EXPIRES_HEADER = 'x-test-expires-at';
const HEARTBEAT_HEADER = 'x-test-heartbeat-ms';

interface StreamServer {
	url: string;
	/** Lines the streams logged (catch-up failures). */
	logs: string[];
	/** Runs after each catch-up query of a stream, before its events are written. */
	afterSync: ((userId: string, cursor: number) => Promise<void>) | null;
	close(): Promise<void>;
}

async function startStreamServer(pool: pg.Pool, hub: RealtimeHub): Promise<StreamServer> {
	const logs: string[] = [];
	const state: StreamServer = { url: '', logs, afterSync: null, close: async () => {} };
	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const userId = req.headers[USER_HEADER];
		if (req.method !== 'GET' || url.pathname !== '/messages/stream' || typeof userId !== 'string') {
			res.writeHead(404).end();
			return;
		}
		const header = req.headers['last-event-id'];
		const given = (typeof header === 'string' ? header : null) ?? url.searchParams.get('cursor') ?? '';
		if (!CURSOR.test(given)) {
			res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"Send the last event id you have."}');
			return;
		}
		const backend = postgresMessaging({ pool, claims: claimsFor(userId) });
		const stream = messagingEventStream({
			userId,
			cursor: Number(given),
			hub,
			syncSince: async ({ cursor }) => {
				const result = await backend.syncSince({ cursor });
				await state.afterSync?.(userId, cursor);
				return result;
			},
			log: (line) => logs.push(line),
			...(req.headers[EXPIRES_HEADER] ? { expiresAt: Number(req.headers[EXPIRES_HEADER]) } : {}),
			...(req.headers[HEARTBEAT_HEADER] ? { heartbeatMs: Number(req.headers[HEARTBEAT_HEADER]) } : {})
		});
		res.writeHead(200, {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			connection: 'keep-alive',
			'x-accel-buffering': 'no'
		});
		res.flushHeaders();
		// The web stream into the node response, waiting for the socket as adapter-node does; a
		// client going away cancels the stream (unsubscribes).
		const reader = stream.getReader();
		res.on('close', () => void reader.cancel().catch(() => {}));
		void (async () => {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				if (!res.write(value)) await new Promise((drained) => res.once('drain', drained));
			}
			res.end();
		})().catch(() => res.destroy());
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	state.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return state;
}

/** One process's realtime wiring, as runtime() builds it, plus the HTTP server. */
interface Wiring {
	pool: pg.Pool;
	hub: RealtimeHub;
	listener: Listener;
	server: StreamServer;
	listenerLog: string[];
	/** Resolves once the presence relay has told everyone about the streams opened and closed so far. */
	presenceSettled(): Promise<void>;
	stop(): Promise<void>;
}

async function wire(url: string): Promise<Wiring> {
	const pool = createPool(url, { max: 8 });
	const hub = new RealtimeHub();
	const listenerLog: string[] = [];
	const listener = listenForEvents({ connectionString: url, hub, pool, log: (line) => listenerLog.push(line) });
	// The relay looks a user's partners up after their stream opens; counted, a test can wait for it.
	let lookups = 0;
	const presencePool = {
		query: (text: string, values: unknown[]) => {
			lookups++;
			return pool.query(text, values).finally(() => lookups--);
		}
	} as unknown as pg.Pool;
	const stopPresence = relayPresence(hub, presencePool);
	await within(listener.ready(), 10_000, 'LISTEN connection');
	const server = await startStreamServer(pool, hub);
	return {
		pool,
		hub,
		listener,
		server,
		listenerLog,
		async presenceSettled() {
			await eventually(() => lookups === 0, 5_000, 'presence relayed');
			// What the lookup found is signalled a few promise turns after it answered.
			await new Promise((turned) => setImmediate(turned));
		},
		async stop() {
			stopPresence();
			await server.close();
			await listener.stop();
			await endPool(pool);
		}
	};
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** pool.end() resolves before its sockets are closed; wait for them, so a dropped database finds none. */
async function endPool(pool: pg.Pool): Promise<void> {
	let open = pool.totalCount;
	const closed = new Promise<void>((resolve) => {
		if (open === 0) resolve();
		pool.on('remove', () => {
			if (--open <= 0) resolve();
		});
	});
	await pool.end();
	await within(closed, 5_000, 'pool connections closed').catch(() => {});
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function eventually(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
	const deadline = Date.now() + ms;
	for (let i = 0; ; i++) {
		if (await condition()) return;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise((r) => setTimeout(r, Math.min(25 * (i + 1), 200)));
	}
}

function openStream(
	server: StreamServer,
	user: { id: string },
	from: { lastEventId?: string | number; cursor?: number; expiresAt?: number; heartbeatMs?: number } = {}
) {
	const query = from.cursor === undefined ? '' : `?cursor=${from.cursor}`;
	const session = {
		...(from.expiresAt === undefined ? {} : { [EXPIRES_HEADER]: String(from.expiresAt) }),
		...(from.heartbeatMs === undefined ? {} : { [HEARTBEAT_HEADER]: String(from.heartbeatMs) })
	};
	return SseConnection.open(`${server.url}/messages/stream${query}`, {
		headers: { [USER_HEADER]: user.id, ...session },
		lastEventId: from.lastEventId === undefined ? undefined : String(from.lastEventId)
	});
}

type MessageLogEvent = Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;

/** The logged events a stream wrote (frames with an id), validated against the shared schema. */
function logged(events: SseEvent[]): MessagingEvent[] {
	return events
		.filter((e) => e.id !== undefined)
		.map((e) => {
			const event = MessagingEvent.parse(JSON.parse(e.data));
			expect(String(event.id)).toBe(e.id);
			expect(event.type).toBe(e.type);
			return event;
		});
}

function created(events: SseEvent[]): MessageLogEvent[] {
	return logged(events).filter((e): e is MessageLogEvent => e.type === 'message.created');
}

const hasMessage = (id: string) => (events: SseEvent[]) => created(events).some((e) => e.payload.message.id === id);
const isLive = (e: SseEvent) => e.type === 'live';

/** Microseconds since the epoch of a PostgreSQL timestamp string (JS dates stop at milliseconds). */
function micros(timestamp: string): bigint {
	const match = /^(.*?)(?:\.(\d{1,6}))?(Z|[+-]\d\d(?::?\d\d)?)$/.exec(timestamp);
	if (!match) throw new Error(`not a timestamp: ${timestamp}`);
	const seconds = Date.parse(`${match[1]}${match[3].length === 3 ? `${match[3]}:00` : match[3]}`);
	expect(Number.isNaN(seconds)).toBe(false);
	return BigInt(seconds) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

function consecutive(from: number, count: number): number[] {
	return Array.from({ length: count }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------------------------

describe('SSE stream on PostgreSQL (scratch database of the run’s cluster)', () => {
	const admin = testPool();
	let drop: () => Promise<void> = async () => {};
	let url: string;
	let rt: Wiring;
	let db: pg.Pool;

	beforeAll(async () => {
		// A database of its own: its NOTIFY traffic is only this file's, and the 50-message burst
		// below may lift the send rate limit (30 a minute) without touching other test files.
		const scratch = await migratedScratchDatabase(admin);
		drop = scratch.drop;
		url = scratch.url;
		const setup = new pg.Client({ connectionString: url });
		await setup.connect();
		try {
			await setup.query('update public.messaging_settings set rate_limit_per_minute = 100000');
		} finally {
			await setup.end();
		}
		rt = await wire(url);
		db = rt.pool;
	});

	afterAll(async () => {
		await rt?.stop();
		await drop();
	});

	it('after a cut, Last-Event-ID brings back all 50 missed events exactly once and in order, then live ones', async () => {
		const { buyer: a, seller: b, product } = await marketplace(db);
		await send(a, b, 'Is it still available?', product.id);

		const first = await openStream(rt.server, b, { lastEventId: await b.api.currentEventCursor() });
		await first.until((events) => events.some(isLive), 5_000, 'first stream live');
		const warmUp = await send(a, b, 'Hello?', product.id);
		await first.until(hasMessage(warmUp.id), 5_000, 'warm-up message');
		const lastSeen = Number(first.lastEventId);
		expect(created(first.events).map((e) => e.id)).toEqual([lastSeen]);

		await first.close();
		await eventually(() => !rt.hub.presence(b.id).online, 5_000, 'server noticed the cut');

		const missed: Message[] = [];
		for (let i = 0; i < 50; i++) missed.push(await send(a, b, `missed ${i}`, product.id));
		expect(created(first.events)).toHaveLength(1);

		const second = await openStream(rt.server, b, { lastEventId: lastSeen });
		expect(second.status).toBe(200);
		await second.until((events) => created(events).length >= 50 && events.some(isLive), 10_000, '50 missed events');
		const caughtUp = created(second.events);
		expect(caughtUp.map((e) => e.id)).toEqual(consecutive(lastSeen + 1, 50));
		expect(caughtUp.map((e) => e.payload.message.id)).toEqual(missed.map((m) => m.id));
		expect(caughtUp.map((e) => e.payload.message.body)).toEqual(missed.map((m) => m.body));
		const times = caughtUp.map((e) => micros(e.payload.message.created_at));
		for (let i = 1; i < times.length; i++) expect(times[i] > times[i - 1]).toBe(true);
		// Every frame carried its id line, and nothing but catch-up came before "live".
		const liveAt = second.events.findIndex(isLive);
		expect(second.events.slice(0, liveAt).every((e) => e.type === 'message.created')).toBe(true);
		expect(JSON.parse(second.events[liveAt].data)).toEqual({ cursor: lastSeen + 50 });

		const live = await send(a, b, 'Still there?', product.id);
		const after = await send(a, b, 'Hello again', product.id);
		await second.until(hasMessage(after.id), 5_000, 'live messages');
		const all = created(second.events);
		expect(all.filter((e) => e.payload.message.id === live.id)).toHaveLength(1);
		expect(all.map((e) => e.id)).toEqual(consecutive(lastSeen + 1, 52));
		expect(new Set(all.map((e) => e.payload.message.id)).size).toBe(52);
		await second.close();
	});

	it('never writes another user’s events to a stream, even while they message concurrently', async () => {
		const a = await createActor(db);
		const b = await createActor(db);
		const c = await createActor(db);
		const product = await createProduct(db, a.id);
		const ab = await send(b, a, 'Hi, about your product', product.id);
		const ca = await send(c, a, 'Hello from C', product.id);

		const streams = await Promise.all([a, b, c].map(async (user) => openStream(rt.server, user, { cursor: await user.api.currentEventCursor() })));
		const [streamA, streamB, streamC] = streams;
		await Promise.all(streams.map((s) => s.until((events) => events.some(isLive), 5_000, 'stream live')));

		const toB: Message[] = [];
		const toC: Message[] = [];
		const fromC: Message[] = [];
		await Promise.all([
			(async () => {
				for (let i = 0; i < 10; i++) toB.push(await send(a, b, `A to B ${i}`, product.id));
			})(),
			(async () => {
				for (let i = 0; i < 10; i++) fromC.push(await send(c, a, `C to A ${i}`, product.id));
			})(),
			(async () => {
				for (let i = 0; i < 10; i++) toC.push(await send(a, c, `A to C ${i}`, product.id));
			})()
		]);
		// A last message to B, committed after all of C's: by the time it reaches B's stream, any
		// notification about C's conversation has been relayed too (NOTIFY keeps commit order).
		const barrier = await send(a, b, 'barrier', product.id);
		await streamB.until(hasMessage(barrier.id), 5_000, 'B’s barrier');
		await streamC.until((events) => created(events).length >= 20, 5_000, 'C’s own events');
		await streamA.until((events) => created(events).length >= 31, 5_000, 'A’s events');

		const bEvents = logged(streamB.events);
		expect(bEvents.every((e) => e.conversation_id === ab.conversation_id)).toBe(true);
		expect(created(streamB.events).map((e) => e.payload.message.id)).toEqual([...toB, barrier].map((m) => m.id));
		expect(created(streamB.events).every((e) => e.payload.preview?.other_user_id === a.id)).toBe(true);
		expect(streamB.events.some((e) => e.data.includes(c.id) || e.data.includes(c.username))).toBe(false);
		const ids = bEvents.map((e) => e.id);
		expect(ids).toEqual(consecutive(ids[0], ids.length));

		// C saw its own conversation only, complete; A saw both.
		expect(logged(streamC.events).every((e) => e.conversation_id === ca.conversation_id)).toBe(true);
		expect(new Set(created(streamC.events).map((e) => e.payload.message.id))).toEqual(new Set([...toC, ...fromC].map((m) => m.id)));
		expect(streamC.events.some((e) => e.data.includes(b.id))).toBe(false);
		expect(new Set(created(streamA.events).map((e) => e.conversation_id))).toEqual(new Set([ab.conversation_id, ca.conversation_id]));
		await Promise.all(streams.map((s) => s.close()));
	});

	it('concurrent writers for one recipient: ids follow commit order, without gaps, and a mid-way cursor skips nothing', async () => {
		const b = await createActor(db);
		const a = await createActor(db);
		const c = await createActor(db);
		const d = await createActor(db);
		const product = await createProduct(db, b.id);
		const convA = (await send(a, b, 'A here', product.id)).conversation_id;
		const convC = (await send(c, b, 'C here', product.id)).conversation_id;
		const convD = (await send(d, b, 'D here', product.id)).conversation_id;
		const start = await b.api.currentEventCursor();
		const stream = await openStream(rt.server, b, { lastEventId: start });
		await stream.until((events) => events.some(isLive), 5_000, 'stream live');

		const clients = [1, 2, 3, 4].map(() => new pg.Client({ connectionString: url }));
		for (const client of clients) client.on('error', () => {});
		try {
			await Promise.all(clients.map((client) => client.connect()));
			// Nothing may wait forever: a lock still held after 15 s fails the statement instead.
			await Promise.all(clients.map((client) => client.query(`set lock_timeout = '15s'`)));
			const [t1, t2, t3, t4] = clients;
			const pid = async (client: pg.Client) => Number((await client.query('select pg_backend_pid() as pid')).rows[0].pid);
			const beginAs = async (client: pg.Client, user: Actor) => {
				await client.query('begin');
				await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
					JSON.stringify(claimsFor(user.id, user.email))
				]);
				return BigInt((await client.query('select txid_current()::text as xid')).rows[0].xid);
			};
			const sendIn = async (client: pg.Client, conversationId: string, body: string): Promise<Message> =>
				(await client.query('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3) as message', [
					randomUUID(),
					body,
					conversationId
				])).rows[0].message;
			const blockedBy = async (waiter: number) =>
				(
					await db.query<{ wait_event_type: string | null; blockers: number[] }>(
						'select wait_event_type, pg_blocking_pids(pid) as blockers from pg_stat_activity where pid = $1',
						[waiter]
					)
				).rows[0];
			const eventIdOf = async (messageId: string) =>
				Number(
					(
						await db.query(`select id from public.messaging_events where user_id = $1 and payload ->> 'message_id' = $2`, [
							b.id,
							messageId
						])
					).rows[0]?.id ?? 0
				);
			const [pid1, pid2, pid3, pid4] = await Promise.all(clients.map(pid));

			// T1 starts first (older transaction id), but T2 writes for B first and takes B's counter row.
			const xid1 = await beginAs(t1, a);
			const xid2 = await beginAs(t2, c);
			expect(xid1 < xid2).toBe(true);
			const fromC = await sendIn(t2, convC, 'from C, written first');
			const t1Send = sendIn(t1, convA, 'from A, started first');
			t1Send.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
			await eventually(async () => (await blockedBy(pid1)).blockers.includes(pid2), 5_000, 'T1 waits for T2');
			const waiting = await blockedBy(pid1);
			expect(waiting.wait_event_type).toBe('Lock');
			// What T1 waits for: the end of T2's transaction, inside the upsert of the counter rows
			// (T1 already has the counters table open for writing), i.e. B's counter row that T2 holds.
			const { rows: locks } = await db.query<{ locktype: string; relation: string | null; mode: string; xid: string | null; granted: boolean }>(
				`select locktype, relation::regclass::text as relation, mode, transactionid::text as xid, granted
				   from pg_locks where pid = $1 and (not granted or relation = 'public.messaging_event_counters'::regclass)
				  order by granted`,
				[pid1]
			);
			expect(locks.filter((lock) => !lock.granted)).toEqual([
				{ locktype: 'transactionid', relation: null, mode: 'ShareLock', xid: String(xid2 % 2n ** 32n), granted: false }
			]);
			expect(locks).toContainEqual({ locktype: 'relation', relation: 'messaging_event_counters', mode: 'RowExclusiveLock', xid: null, granted: true });

			// B syncs while both are open: nothing new is visible, so the cursor stays.
			const before = await b.api.syncSince({ cursor: start });
			expect(before).toMatchObject({ events: [], cursor: start, resync: false });

			await t2.query('commit');
			const fromA = await within(t1Send, 5_000, 'T1 unblocked by T2’s commit');
			// B syncs between the commits: T2's event only, and its cursor moves past it. Had T1 taken
			// its id first (a global sequence), that id would now lie below the cursor, never to be read.
			const midway = await b.api.syncSince({ cursor: start });
			expect(midway.events.map((e) => e.id)).toEqual([start + 1]);
			expect(midway.events.map((e) => e.type === 'message.created' && e.payload.message.id)).toEqual([fromC.id]);
			expect(midway.cursor).toBe(start + 1);

			await t1.query('commit');
			// Catching up from the mid-way cursor brings T1's event: the later commit has the later id.
			const rest = await b.api.syncSince({ cursor: midway.cursor });
			expect(rest.events.map((e) => e.id)).toEqual([start + 2]);
			expect(rest.events.map((e) => e.type === 'message.created' && e.payload.message.id)).toEqual([fromA.id]);
			expect(await eventIdOf(fromC.id)).toBe(start + 1);
			expect(await eventIdOf(fromA.id)).toBe(start + 2);

			// A writer that rolls back leaves no hole: the one that waited for it takes the id.
			await beginAs(t3, c);
			await beginAs(t4, d);
			const rolledBack = await sendIn(t3, convC, 'from C, rolled back');
			expect(await eventIdOf(rolledBack.id)).toBe(0); // not visible to others
			const t4Send = sendIn(t4, convD, 'from D, after the rollback');
			t4Send.catch(() => {});
			await eventually(async () => (await blockedBy(pid4)).blockers.includes(pid3), 5_000, 'T4 waits for T3');
			await t3.query('rollback');
			const fromD = await within(t4Send, 5_000, 'T4 unblocked by T3’s rollback');
			await t4.query('commit');
			expect(await eventIdOf(fromD.id)).toBe(start + 3);
			expect(await eventIdOf(rolledBack.id)).toBe(0);

			const { rows } = await db.query<{ ids: string[]; last_id: string }>(
				`select array_agg(e.id::text order by e.id) as ids, (select last_id::text from public.messaging_event_counters where user_id = $1) as last_id
				   from public.messaging_events e where e.user_id = $1`,
				[b.id]
			);
			const allIds = rows[0].ids.map(Number);
			expect(allIds).toEqual(consecutive(1, allIds.length));
			expect(Number(rows[0].last_id)).toBe(allIds.length);

			// The stream saw each committed event once, in id order, and never the rolled-back one.
			await stream.until(hasMessage(fromD.id), 5_000, 'stream got every commit');
			expect(created(stream.events).map((e) => [e.id, e.payload.message.id])).toEqual([
				[start + 1, fromC.id],
				[start + 2, fromA.id],
				[start + 3, fromD.id]
			]);
			expect(stream.events.some((e) => e.data.includes(rolledBack.id))).toBe(false);
			// And the whole log from the start, in one catch-up, is the same three.
			const again = await b.api.syncSince({ cursor: start });
			expect(again.events.map((e) => e.id)).toEqual([start + 1, start + 2, start + 3]);
		} finally {
			await Promise.all(clients.map((client) => client.end().catch(() => {})));
			await stream.close();
		}
	});

	it('an event larger than a NOTIFY can carry is fetched by reference and arrives whole', async () => {
		const a = await createActor(db);
		const b = await createActor(db);
		const title = `Vintage Leica M6 rangefinder camera, boxed, serviced in 2025 – ${'ä'.repeat(120)}`.slice(0, 120).trimEnd();
		const product = await createProduct(db, a.id, { title });
		expect(title.length).toBe(120);
		await send(b, a, 'Interested!', product.id);

		const spy = new pg.Client({ connectionString: url });
		spy.on('error', () => {});
		const notifications: string[] = [];
		spy.on('notification', (n) => notifications.push(n.payload ?? ''));
		await spy.connect();
		await spy.query('listen bazaar_messaging');
		const streams = await Promise.all([a, b].map(async (user) => openStream(rt.server, user, { lastEventId: await user.api.currentEventCursor() })));
		const [streamA, streamB] = streams;
		try {
			await Promise.all(streams.map((s) => s.until((events) => events.some(isLive), 5_000, 'stream live')));
			// Multi-byte text near the 4000-character limit, split across network chunks on the way.
			const body = Array.from('Grüße aus München! Die Kamera ist wie neu, mit Ledertasche 📷. '.repeat(80)).slice(0, 3990).join('').trim();
			const sent = await send(a, b, body, product.id);
			await streamB.until(hasMessage(sent.id), 5_000, 'large event on B');
			await streamA.until(hasMessage(sent.id), 5_000, 'large event on A');

			const [event] = created(streamB.events).filter((e) => e.payload.message.id === sent.id);
			expect(event.payload.message.body).toBe(body);
			expect(event.payload.message.product_title).toBe(title);
			expect(event.payload.preview).toMatchObject({ product_title: title, last_message_preview: Array.from(body).slice(0, 200).join(''), other_user_id: a.id });
			const [echo] = created(streamA.events).filter((e) => e.payload.message.id === sent.id);
			// Inline, the two events would not fit in a NOTIFY (8000 bytes) ...
			const inline = JSON.stringify({ events: [{ ...echo, user_id: a.id }, { ...event, user_id: b.id }] });
			expect(Buffer.byteLength(inline)).toBeGreaterThan(8000);
			// ... so the notification carried references only.
			type Ref = { user_id: string; id: number };
			const parsed = () => notifications.map((n) => JSON.parse(n) as { refs?: Ref[]; events?: unknown[] });
			const isOurs = (n: { refs?: Ref[] }) => n.refs?.some((r) => r.user_id === b.id && r.id === event.id) ?? false;
			await eventually(() => parsed().some(isOurs), 2_000, 'the NOTIFY seen by a second listener');
			expect(parsed().find(isOurs)).toEqual({ refs: expect.arrayContaining([{ user_id: b.id, id: event.id }, { user_id: a.id, id: echo.id }]) });
			expect(notifications.some((n) => n.includes(body.slice(0, 50)))).toBe(false);
		} finally {
			await spy.end().catch(() => {});
			await Promise.all(streams.map((s) => s.close()));
		}
	});

	it('typing and presence signals reach only the user they are for', async () => {
		const { buyer: p, seller: q, product } = await marketplace(db);
		const r = await createActor(db); // a stranger to both
		const conversation = (await send(p, q, 'Hi', product.id)).conversation_id;
		const streams = await Promise.all([q, r].map(async (user) => openStream(rt.server, user, { lastEventId: await user.api.currentEventCursor() })));
		const [streamQ, streamR] = streams;
		await Promise.all(streams.map((s) => s.until((events) => events.some(isLive), 5_000, 'stream live')));
		// Q's own coming online is relayed before P connects (on a slow machine it could reach P).
		await rt.presenceSettled();
		const signals = (events: SseEvent[], type: string) => events.filter((e) => e.type === type).map((e) => JSON.parse(e.data));
		// Signals are written synchronously to the streams they target; a barrier signal to R that
		// arrives alone proves nothing else was written to R before it.
		const barrier = async (stream: SseConnection, user: Actor) => {
			const until = Date.now() + 60_000;
			rt.hub.signal(user.id, { type: 'typing', conversation_id: randomUUID(), user_id: user.id, until });
			await stream.until((events) => signals(events, 'typing').some((s) => s.until === until), 5_000, 'barrier');
		};

		// P comes online: Q (a partner with an open stream) hears it, R does not.
		const streamP = await openStream(rt.server, p, { lastEventId: await p.api.currentEventCursor() });
		await streamQ.until((events) => signals(events, 'presence').length > 0, 5_000, 'presence on Q');
		expect(signals(streamQ.events, 'presence')).toEqual([{ type: 'presence', user_id: p.id, online: true, last_seen: null }]);
		// Presence is announced on change only: P, coming online, is not told about Q.
		await barrier(streamR, r);

		// P types (as POST /messages/typing relays it): Q gets it, P and R do not.
		const until = Date.now() + 5_000;
		rt.hub.signal(q.id, { type: 'typing', conversation_id: conversation, user_id: p.id, until });
		await streamQ.until((events) => signals(events, 'typing').some((s) => s.user_id === p.id), 5_000, 'typing on Q');
		expect(signals(streamQ.events, 'typing')).toEqual([{ type: 'typing', conversation_id: conversation, user_id: p.id, until }]);
		await barrier(streamR, r);
		await barrier(streamP, p);
		expect(signals(streamP.events, 'typing')).toHaveLength(1); // the barrier only
		expect(signals(streamP.events, 'presence')).toEqual([]);

		// P leaves: Q hears it with a last-seen time, R still hears nothing.
		await streamP.close();
		await streamQ.until((events) => signals(events, 'presence').length > 1, 5_000, 'offline on Q');
		expect(signals(streamQ.events, 'presence')[1]).toEqual({ type: 'presence', user_id: p.id, online: false, last_seen: expect.any(Number) });
		await barrier(streamR, r);
		expect(streamR.events.filter((e) => e.type !== 'live').map((e) => e.type)).toEqual(['typing', 'typing', 'typing']);
		expect(signals(streamR.events, 'typing').every((s) => s.user_id === r.id)).toBe(true);
		expect(signals(streamR.events, 'presence')).toEqual([]);
		// Signals carry no id: they never move a client's Last-Event-ID.
		expect(streamQ.events.filter((e) => e.type === 'typing' || e.type === 'presence').every((e) => e.id === undefined)).toBe(true);
		await Promise.all(streams.map((s) => s.close()));
	});

	it('an event that commits while the stream is catching up is delivered without waiting for a later one', async () => {
		const { buyer: a, seller: b, product } = await marketplace(db);
		await send(a, b, 'Before', product.id);
		const cursor = await b.api.currentEventCursor();

		// Hold the stream's first catch-up open after its query ran, until a message committed
		// after that query has been relayed to the hub: a slow catch-up, made deterministic.
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let caughtUpOnce!: () => void;
		const queried = new Promise<void>((resolve) => (caughtUpOnce = resolve));
		let held = false;
		rt.server.afterSync = async (userId) => {
			if (userId !== b.id || held) return;
			held = true;
			caughtUpOnce();
			await gate;
		};
		let stream: SseConnection | undefined;
		let stopProbe = () => {};
		try {
			stream = await openStream(rt.server, b, { lastEventId: cursor });
			await within(queried, 5_000, 'first catch-up query');
			const relayed = new Promise<number>((resolve) => {
				stopProbe = rt.hub.subscribe(b.id, { event: (event) => resolve(event.id), signal: () => {}, resume: () => {}, end: () => {} });
			});
			const during = await send(a, b, 'During the catch-up', product.id);
			expect(await within(relayed, 5_000, 'NOTIFY relayed to the hub')).toBe(cursor + 1);
			release();
			await stream.until((events) => events.some(isLive), 5_000, 'live');
			await stream.until(hasMessage(during.id), 3_000, 'the message that arrived during the catch-up');
			expect(created(stream.events).map((e) => e.id)).toEqual([cursor + 1]);
		} finally {
			release();
			rt.server.afterSync = null;
			stopProbe();
			await stream?.close();
		}
	});

	it('catches up past a whole page of events whose messages expired, asking for each page once', async () => {
		const { buyer: a, seller: b, product } = await marketplace(db);
		await send(a, b, 'Before', product.id);
		const cursor = await b.api.currentEventCursor();
		// More than a catch-up page (500) of events whose messages the retention purge then takes:
		// the log skips them, and the page came back empty with more to read after it.
		const gone: string[] = [];
		for (let i = 0; i < 510; i++) gone.push((await send(a, b, `gone ${i}`, product.id)).id);
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = any($1)`, [gone]);
		await db.query('select * from public.purge_expired_messages(1000000)');
		const kept = await send(a, b, 'Still there?', product.id);

		const asked: number[] = [];
		rt.server.afterSync = async (userId, from) => {
			if (userId === b.id) asked.push(from);
		};
		let stream: SseConnection | undefined;
		try {
			stream = await openStream(rt.server, b, { lastEventId: cursor });
			await stream.until((events) => hasMessage(kept.id)(events) && events.some(isLive), 5_000, 'the message after the expired ones');
			expect(created(stream.events).map((e) => e.payload.message.id)).toEqual([kept.id]);
			expect(asked).toEqual([cursor, cursor + 500]);
		} finally {
			rt.server.afterSync = null;
			await stream?.close();
		}
	});

	it('endAll, as the server shuts down, ends every stream of the process, two tabs of one member included', async () => {
		const { buyer: a, seller: b, product } = await marketplace(db);
		await send(a, b, 'Still there?', product.id);
		const streams = [
			await openStream(rt.server, a, { lastEventId: await a.api.currentEventCursor() }),
			await openStream(rt.server, b, { lastEventId: await b.api.currentEventCursor() }),
			await openStream(rt.server, b, { lastEventId: await b.api.currentEventCursor() })
		];
		for (const stream of streams) await stream.until((events) => events.some(isLive), 5_000, 'live');
		expect([rt.hub.has(a.id), rt.hub.has(b.id)]).toEqual([true, true]);

		rt.hub.endAll();
		expect(await Promise.all(streams.map((stream) => within(stream.ended, 5_000, 'the stream to end')))).toEqual(['eof', 'eof', 'eof']);
		expect([rt.hub.has(a.id), rt.hub.has(b.id)]).toEqual([false, false]);
		expect(rt.server.logs).toEqual([]);
	});

	it('end(user), at sign-out, ends that member’s streams and no one else’s', async () => {
		const { buyer: a, seller: b } = await marketplace(db);
		const cursorOf = async (user: typeof a) => ({ lastEventId: await user.api.currentEventCursor() });
		const [mine, myOtherTab, theirs] = [await openStream(rt.server, b, await cursorOf(b)), await openStream(rt.server, b, await cursorOf(b)), await openStream(rt.server, a, await cursorOf(a))];
		for (const stream of [mine, myOtherTab, theirs]) await stream.until((events) => events.some(isLive), 5_000, 'live');

		rt.hub.end(b.id);
		expect(await Promise.all([mine, myOtherTab].map((stream) => within(stream.ended, 5_000, 'the stream to end')))).toEqual(['eof', 'eof']);
		expect([rt.hub.has(a.id), rt.hub.has(b.id)]).toEqual([true, false]);
		await send(b, a, 'Still yours?');
		await theirs.until((events) => logged(events).some((e) => e.type === 'message.created'), 5_000, 'the other member’s message');
		await theirs.close();
	});

	it('a stream whose client stopped reading ends once a mebibyte waits, rather than growing without bound', async () => {
		const { seller: b } = await marketplace(db);
		const url = `${rt.server.url}/messages/stream?cursor=${await b.api.currentEventCursor()}`;
		const response = await new Promise<IncomingMessage>((resolve, reject) => get(url, { headers: { [USER_HEADER]: b.id } }, resolve).on('error', reject));
		response.pause();
		await eventually(() => rt.hub.has(b.id), 5_000, 'subscribed');
		// Signals of 64 KiB each, 200 of them: far past the socket's buffers and the stream's limit.
		const big = 'x'.repeat(64 * 1024);
		for (let i = 0; i < 200 && rt.hub.has(b.id); i++) {
			rt.hub.signal(b.id, { type: 'typing', conversation_id: randomUUID(), user_id: b.id, until: i, padding: big } as never);
			await new Promise((r) => setImmediate(r));
		}
		expect(rt.hub.has(b.id)).toBe(false);
		// What was queued still arrives, then the end (the client reconnects and catches up).
		let bytes = 0;
		response.on('data', (chunk: Buffer) => (bytes += chunk.length));
		response.resume();
		await within(new Promise((r) => response.once('end', r)), 10_000, 'the stream to end');
		expect(bytes).toBeGreaterThan(1024 * 1024);
		expect(bytes).toBeLessThan(200 * 64 * 1024);
	});

	it('a stream ends once its session’s token has expired, and delivers until then', async () => {
		const { buyer: a, seller: b, product } = await marketplace(db);
		const expiresAt = Date.now() + 1_500;
		const expiring = await openStream(rt.server, b, { lastEventId: await b.api.currentEventCursor(), expiresAt, heartbeatMs: 200 });
		const lasting = await openStream(rt.server, b, { lastEventId: await b.api.currentEventCursor(), heartbeatMs: 200 });
		await expiring.until((events) => events.some(isLive), 5_000, 'live');
		await send(a, b, 'Before it runs out', product.id);
		await expiring.until((events) => logged(events).some((e) => e.type === 'message.created'), 5_000, 'the message before expiry');

		expect(await within(expiring.ended, 5_000, 'the expired stream to end')).toBe('eof');
		expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
		expect(rt.hub.has(b.id)).toBe(true);
		await lasting.close();
	});
});

describe('PostgreSQL restarted while streams are open (a cluster of its own)', () => {
	let root: string | undefined;
	let dataDir: string;
	let port: number;
	let cluster: RunningCluster | undefined;
	let rt: Wiring | undefined;

	beforeAll(async () => {
		root = mkdtempSync(join(tmpdir(), 'bazaar-realtime-'));
		dataDir = join(root, 'postgres');
		port = await freePort();
		cluster = await startCluster({ dataDir, port });
		const setup = new pg.Client({ connectionString: cluster.url });
		await setup.connect();
		try {
			await applyShim(setup, join(process.cwd(), 'supabase', 'shim'));
			await migrate(setup, join(process.cwd(), 'supabase', 'migrations'));
		} finally {
			await setup.end();
		}
		rt = await wire(cluster.url);
	}, 120_000);

	afterAll(async () => {
		await rt?.stop().catch(() => {});
		await cluster?.stop();
		// As root under a 0700 temp folder the cluster is staged elsewhere; LOCATION says where.
		if (!root) return;
		const staged = join(dataDir, 'LOCATION');
		if (existsSync(staged)) rmSync(readFileSync(staged, 'utf8').trim(), { recursive: true, force: true });
		rmSync(root, { recursive: true, force: true });
	}, 60_000);

	it('a client reconnecting with Last-Event-ID ends up with every message exactly once', async () => {
		const wiring = rt!;
		const { buyer: a, seller: b, product } = await marketplace(wiring.pool);
		const sent: Message[] = [await send(a, b, 'before 1', product.id)];
		const client = new ReconnectingSse(`${wiring.server.url}/messages/stream`, {
			headers: { [USER_HEADER]: b.id },
			lastEventId: '0',
			maxRetryMs: 300,
			deadlineMs: 90_000,
			maxConnections: 400
		}).start();
		try {
			await client.until((events) => events.some(isLive), 5_000, 'live');
			sent.push(await send(a, b, 'before 2', product.id));
			await client.until(hasMessage(sent[1].id), 5_000, 'live before the restart');

			await cluster!.stop();
			// A network blip while the database is down: the client reconnects, the server cannot
			// catch up (error frame, stream closed), and the client keeps retrying.
			const connectionsBefore = client.connections;
			await client.drop();
			await client.until((events) => events.some((e) => e.type === 'error' && e.connection > connectionsBefore), 10_000, 'catch-up error');
			expect(wiring.server.logs.some((line) => line.startsWith(`catch-up failed for ${b.id}`))).toBe(true);

			cluster = await startCluster({ dataDir, port });
			const restartedAt = client.connections;
			// Right after the restart, probably before the listener is back: these NOTIFYs may be lost.
			for (let i = 0; i < 3; i++) sent.push(await send(a, b, `right after restart ${i}`, product.id));
			await within(wiring.listener.ready(), 30_000, 'LISTEN restored');
			await client.until((events) => sent.every((m) => hasMessage(m.id)(events)), 20_000, 'messages sent right after the restart');
			for (let i = 0; i < 3; i++) sent.push(await send(a, b, `after recovery ${i}`, product.id));
			await client.until((events) => sent.every((m) => hasMessage(m.id)(events)), 10_000, 'messages after recovery');

			const received = created(client.events);
			expect(received.map((e) => e.payload.message.id)).toEqual(sent.map((m) => m.id));
			expect(received.map((e) => e.id)).toEqual(consecutive(received[0].id, sent.length));
			// Connections failed while PostgreSQL was down, and one made after the restart went live.
			expect(client.failures.length).toBeGreaterThanOrEqual(2);
			expect(client.events.some((e) => isLive(e) && e.connection >= restartedAt)).toBe(true);
			expect(wiring.listenerLog).toContain('LISTEN connection restored; streams catch up');
		} finally {
			await client.close();
		}
	}, 120_000);
});
