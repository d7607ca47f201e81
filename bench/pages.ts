/**
 * Served pages: the built app under autocannon, the pages side by side in one run (taking
 * turns), 10 connections on 127.0.0.1. The signed-out /login page is the yardstick (layout and
 * page with no database work); the signed-in inbox and a thread must serve at least 60% of its
 * rate, and a send through the form action must answer within 15 ms at p95. The threads are the
 * seed's two messages and one with a page of 50 to show, as an active conversation has.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { createPool } from '../src/lib/server/db/pool.ts';
import { TIME_ZONE_COOKIE } from '../src/lib/messaging/time-zone.ts';
import { postgresMessaging } from '../src/lib/server/messaging/backend/postgres.ts';
import { startApp, type AppServer } from './app-server.ts';
import { claimsFor } from './claims.ts';
import { summarise, type Measurement, type Section } from './report.ts';

const CONNECTIONS = 10;
const SESSION_COOKIE = 'bazaar-session';
const ANA = { email: 'ana@example.com', password: 'password123' };
// The seed's film camera, sold by Sam, which Ana asked about (supabase/seed.sql).
const SAM = '33333333-3333-4333-8333-333333333333';
const CAMERA = 'a0000000-0000-4000-8000-000000000001';
const THREAD = `/messages?conversation=${SAM}__${CAMERA}`;
// Ana and Lee's general conversation (one message in the seed), filled past a page before the run.
const ANA_ID = '11111111-1111-4111-8111-111111111111';
const LEE = '44444444-4444-4444-8444-444444444444';
const FULL_THREAD = `/messages?conversation=${LEE}__general`;
const FULL_THREAD_MESSAGES = 60;
// A conversation's usual back and forth: short questions, longer answers.
const CHAT = [
	'Hi Lee, are the mugs still available?',
	'Yes, all six. They are hand thrown, so each one is a little different in shape and glaze; I can send more photos if you like.',
	'Could you do 40 for the set?',
	'45 and I will wrap them properly for the post.',
	'Deal. Can you send them this week?',
	'Tomorrow morning. I will send you the tracking number once they are on their way.'
];
const PAGE_TARGET = 0.6;
const SEND_P95_MS = 15;

interface Load {
	path: string;
	method?: 'GET' | 'POST';
	headers?: Record<string, string>;
	/** A fresh body per request. */
	body?: () => string;
	/** Each connection a load of its own (its own member's session and conversation), in place of the one above. */
	perConnection?: Load[];
}

/** A free port on 127.0.0.1, for the app. */
async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
	});
}

/** CPU time in ms used so far by the app's process and by its PostgreSQL (postmaster and backends). */
type CpuMeter = () => { app: number; db: number };

/**
 * Reads CPU time from /proc (Linux; null elsewhere). Requests per second move with whatever
 * else the machine runs; what a request costs in CPU moves much less, so it is the second
 * view of a change. The app's figure includes its whole process (GC threads included).
 */
async function cpuMeter(app: AppServer, db: pg.Client): Promise<CpuMeter | null> {
	if (!existsSync(`/proc/${app.pid}/stat`)) return null;
	const { rows } = await db.query<{ pid: number }>('select pg_backend_pid() as pid');
	const postmaster = stat(rows[0].pid)?.ppid;
	if (!postmaster) return null;
	return () => {
		let db = stat(postmaster)?.cpu ?? 0;
		for (const entry of readdirSync('/proc')) {
			if (!/^\d+$/.test(entry)) continue;
			const child = stat(Number(entry));
			if (child?.ppid === postmaster) db += child.cpu;
		}
		return { app: stat(app.pid)?.cpu ?? 0, db };
	};
}

const TICKS_PER_SECOND = 100;

/** A process's parent and CPU time (user + system, ms) from /proc/<pid>/stat; null once it is gone. */
function stat(pid: number): { ppid: number; cpu: number } | null {
	try {
		// After "pid (comm) ": state, ppid, ..., utime and stime are the 12th and 13th fields.
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return { ppid: Number(fields[1]), cpu: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
	} catch {
		return null;
	}
}

/**
 * Signs in through the login form as a browser would; the Cookie header a signed-in browser then
 * sends: the session, and the time zone the app stores once a page of it has run (rememberTimeZone).
 * Without the zone the pages measured faster than any member's browser got them: reading the
 * cookie cost 57 µs a request until its answers were kept.
 */
async function signIn(app: AppServer, credentials: { email: string; password: string }): Promise<string> {
	const response = await fetch(`${app.url}/login`, {
		method: 'POST',
		redirect: 'manual',
		// A browser's Accept: SvelteKit answers a form post that prefers JSON as an enhanced form.
		headers: { origin: app.url, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ ...credentials, next: '/' })
	});
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
	if (response.status !== 303 || !cookie) throw new Error(`Signing in as ${credentials.email} failed (${response.status})`);
	return `${cookie.split(';')[0]}; ${TIME_ZONE_COOKIE}=${encodeURIComponent('Europe/Berlin')}`;
}

/** Ana and Lee's conversation, grown past the thread page's 50 messages, the two taking turns. */
async function fillFullThread(databaseUrl: string): Promise<string> {
	const pool = createPool(databaseUrl);
	try {
		let body = '';
		for (let i = 0; i < FULL_THREAD_MESSAGES; i++) {
			const [me, other] = i % 2 ? [LEE, ANA_ID] : [ANA_ID, LEE];
			body = `${CHAT[i % CHAT.length]} (${i + 1})`;
			await postgresMessaging({ pool, claims: claimsFor(me) }).sendMessage({ id: randomUUID(), to: { otherUserId: other, productId: null }, body });
		}
		return body;
	} finally {
		await pool.end();
	}
}

/**
 * `count` members of their own (signed up as the demo's are, password123), each of whom asked Sam
 * about the camera: their emails and conversations, for sends by as many members at once.
 */
async function membersAskingSam(databaseUrl: string, count: number): Promise<{ email: string; conversationId: string }[]> {
	const pool = createPool(databaseUrl);
	try {
		const members = [];
		for (let i = 0; i < count; i++) {
			const id = randomUUID();
			const email = `bench-buyer-${i}-${id.slice(0, 8)}@example.test`;
			await pool.query(
				`insert into auth.users (id, email, encrypted_password, raw_user_meta_data)
				 values ($1, $2, extensions.crypt('password123', extensions.gen_salt('bf', 4)), $3)`,
				[id, email, { username: `bench_buyer_${i}_${id.slice(0, 8)}`, display_name: `Bench buyer ${i + 1}` }]
			);
			const first = await postgresMessaging({ pool, claims: claimsFor(id) }).sendMessage({
				id: randomUUID(),
				to: { otherUserId: SAM, productId: CAMERA },
				body: 'Is the film camera still available?'
			});
			members.push({ email, conversationId: first.conversation_id });
		}
		return members;
	} finally {
		await pool.end();
	}
}

/** One request as the load makes it, to show the measured answer is the real one (not a redirect, not an error page). */
async function expectAnswer(app: AppServer, load: Load, expected: string): Promise<void> {
	const response = await fetch(`${app.url}${load.path}`, { method: load.method ?? 'GET', redirect: 'manual', headers: load.headers, body: load.body?.() });
	const text = await response.text();
	if (response.status !== 200 || !text.includes(expected)) {
		throw new Error(`${load.method ?? 'GET'} ${load.path} answered ${response.status} without "${expected}": ${text.slice(0, 300)}`);
	}
}

interface Slice {
	result: autocannon.Result;
	latencies: number[];
	/** CPU ms the app and its database used meanwhile. */
	cpu?: { app: number; db: number };
}

/**
 * Runs one load for `seconds` and returns what autocannon saw, with every response time kept. A
 * load per connection runs as that many one-connection autocannons at once, added up.
 */
async function cannon(app: AppServer, load: Load, seconds: number, meter?: CpuMeter | null): Promise<Slice> {
	const before = meter?.();
	const latencies: number[] = [];
	const runs = load.perConnection ? load.perConnection.map((each) => autocannonRun(app, each, 1, seconds, latencies)) : [autocannonRun(app, load, CONNECTIONS, seconds, latencies)];
	const results = await Promise.all(runs);
	const result = results.reduce((sum, next) => ({
		...sum,
		requests: { ...sum.requests, total: sum.requests.total + next.requests.total },
		duration: Math.max(sum.duration, next.duration),
		errors: sum.errors + next.errors,
		timeouts: sum.timeouts + next.timeouts,
		non2xx: sum.non2xx + next.non2xx
	}));
	const after = meter?.();
	return { result, latencies, cpu: before && after ? { app: after.app - before.app, db: after.db - before.db } : undefined };
}

function autocannonRun(app: AppServer, load: Load, connections: number, seconds: number, latencies: number[]): Promise<autocannon.Result> {
	const { body } = load;
	return new Promise<autocannon.Result>((done, fail) => {
		const instance = autocannon(
			{
				url: app.url,
				connections,
				duration: seconds,
				requests: [
					{
						method: load.method ?? 'GET',
						path: load.path,
						headers: load.headers,
						...(body ? { setupRequest: (request: autocannon.Request) => ({ ...request, body: body() }) } : {})
					}
				]
			},
			(error, result) => (error ? fail(error) : done(result))
		);
		instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
	});
}

/** What one load's slices added up to. */
class Tally {
	latencies: number[] = [];
	completed = 0;
	seconds = 0;
	errors = 0;
	non2xx = 0;
	cpu = { app: 0, db: 0 };

	add({ result, latencies, cpu }: Slice) {
		if (cpu) {
			this.cpu.app += cpu.app;
			this.cpu.db += cpu.db;
		}
		this.latencies.push(...latencies);
		this.completed += result.requests.total;
		this.seconds += result.duration;
		this.errors += result.errors + result.timeouts;
		this.non2xx += result.non2xx;
	}

	row(operation: string): Measurement {
		const { calls, median, p95, p99, max } = summarise(this.latencies);
		const perRequest = (ms: number) => Math.round((ms * 1000) / this.completed);
		const cpu: Record<string, number> = this.cpu.app > 0 ? { 'app CPU µs': perRequest(this.cpu.app), 'db CPU µs': perRequest(this.cpu.db) } : {};
		return { operation, calls, median, p95, p99, max, rate: this.completed / this.seconds, extra: { errors: this.errors, 'non-2xx': this.non2xx, ...cpu } };
	}
}

/**
 * The pages take turns in short slices, so a neighbour's load on a shared machine (or a
 * slow drift of any kind) falls on all of them alike and their ratios stay fair. One warm-up
 * pass first: JIT, pool connections and PostgreSQL's plan caches settle before anything counts.
 * It is long because the JIT is slow to settle on 2 cores: after 2 s of /messages, a profile of
 * the next 8 s still found 16% of the app's CPU in V8's optimising compiler (4% after 15 s).
 */
async function measurePages(app: AppServer, pages: { operation: string; load: Load }[], timing: Timing, meter: CpuMeter | null): Promise<Measurement[]> {
	for (const page of pages) await cannon(app, page.load, timing.warmUp);
	const tallies = pages.map(() => new Tally());
	for (let slice = 0; slice < timing.slices; slice++) {
		for (const [i, page] of pages.entries()) tallies[i].add(await cannon(app, page.load, timing.slice, meter));
	}
	return pages.map((page, i) => tallies[i].row(page.operation));
}

/**
 * A load that writes runs after its warm-up on statistics that describe what the warm-up wrote,
 * as autovacuum's analyze would have them within its minute on a live database. The demo seed's
 * tables are a page or two, and a pooled connection keeps the plans it made for tables that
 * small: scans of the whole table for lookups by key, which the sends' own growth then makes
 * slower with every send (a send's update of its conversation, a row rewritten by each send,
 * came to read thousands of dead versions of it). Analyzing invalidates those cached plans.
 */
async function measure(app: AppServer, operation: string, load: Load, timing: Timing, meter: CpuMeter | null, db?: pg.Client): Promise<Measurement> {
	await cannon(app, load, timing.warmUp);
	if (db) await db.query('analyze');
	const tally = new Tally();
	tally.add(await cannon(app, load, timing.slice * timing.slices, meter));
	return tally.row(operation);
}

interface Timing {
	warmUp: number;
	slice: number;
	slices: number;
}

export async function benchPages(options: { quick: boolean; log: (line: string) => void }): Promise<Section> {
	const { log } = options;
	const timing: Timing = options.quick ? { warmUp: 2, slice: 1, slices: 3 } : { warmUp: 8, slice: 2, slices: 5 };
	const seconds = timing.slice * timing.slices;
	const app = await startApp({ port: await freePort(), log });
	const db = new pg.Client({ connectionString: app.databaseUrl });
	db.on('error', (error) => log(`[bench] database connection failed: ${error.message}`));
	try {
		await db.connect();
		// Ten connections send as fast as they can: the point is the latency, not the per-sender
		// limit, which is off, as in the RPC table. (A limit of a million a minute, as before, made
		// each send count the sender's last minute: 18,000 rows by the end of a run.)
		await db.query('update public.messaging_settings set rate_limit_per_minute = null');
		const { rows: found } = await db.query<{ id: string }>(
			`select c.id from public.conversations c
			   join public.conversation_members m on m.conversation_id = c.id and m.other_user_id = $1
			  where c.product_id = $2`,
			[SAM, CAMERA]
		);
		if (!found[0]) throw new Error('The seed has no conversation between Ana and Sam about the camera');
		const conversationId = found[0].id;

		const newestInFullThread = await fillFullThread(app.databaseUrl);
		const cookie = await signIn(app, ANA);
		const signedIn = { cookie };
		const sendAs = (cookie: string, conversationId: string): Load => ({
			path: '/messages?/send',
			method: 'POST',
			headers: {
				cookie,
				origin: app.url,
				'x-sveltekit-action': 'true',
				accept: 'application/json',
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: () => new URLSearchParams({ conversation_id: conversationId, id: randomUUID(), body: 'Is it still available? I can pick it up today.' }).toString()
		});
		const buyers = await membersAskingSam(app.databaseUrl, CONNECTIONS);
		const buyerSends = await Promise.all(
			buyers.map(async ({ email, conversationId }) => sendAs(await signIn(app, { email, password: ANA.password }), conversationId))
		);
		const loads = {
			login: { path: '/login' },
			home: { path: '/', headers: signedIn },
			inbox: { path: '/messages', headers: signedIn },
			thread: { path: THREAD, headers: signedIn },
			fullThread: { path: FULL_THREAD, headers: signedIn },
			send: sendAs(cookie, conversationId),
			sendsByMembers: { path: '/messages?/send', perConnection: buyerSends }
		} satisfies Record<string, Load>;

		await expectAnswer(app, loads.login, 'Sign in');
		await expectAnswer(app, loads.home, 'Sign out');
		await expectAnswer(app, loads.inbox, 'Vintage film camera');
		await expectAnswer(app, loads.thread, 'Is the film camera still available?');
		await expectAnswer(app, loads.fullThread, newestInFullThread);
		await expectAnswer(app, loads.send, '"type":"success"');
		for (const each of buyerSends) await expectAnswer(app, each, '"type":"success"');
		const meter = await cpuMeter(app, db);

		log(`  pages: ${seconds} s each in ${timing.slices} turns, ${CONNECTIONS} connections`);
		const rows = await measurePages(
			app,
			[
				{ operation: 'GET /login (signed out)', load: loads.login },
				{ operation: 'GET / (signed in)', load: loads.home },
				{ operation: 'GET /messages (signed in)', load: loads.inbox },
				{ operation: 'GET /messages?conversation=… (a thread)', load: loads.thread },
				{ operation: `GET /messages?conversation=… (a full page: 50 of ${FULL_THREAD_MESSAGES} messages)`, load: loads.fullThread }
			],
			timing,
			meter
		);
		const [login, , ...messagesPages] = rows;
		for (const row of messagesPages) {
			const ratio = row.rate! / login.rate!;
			row.extra = { ...row.extra, 'of /login': ratio };
			row.target = `≥ ${PAGE_TARGET * 100}% of /login`;
			row.met = ratio >= PAGE_TARGET && row.extra.errors === 0 && row.extra['non-2xx'] === 0;
		}
		// Sends last: each adds a message to the thread measured above. Ana's ten connections all
		// write her one conversation, so they take its rows (and her event counter) one at a
		// time; ten members, each in a conversation of their own, are what a marketplace sees.
		log(`  sends: ${seconds} s, ${CONNECTIONS} connections`);
		const send = await measure(app, 'POST /messages?/send (form action), one member, one conversation', loads.send, timing, meter, db);
		const sendsByMembers = await measure(app, `POST /messages?/send (form action), ${CONNECTIONS} members, a conversation each`, loads.sendsByMembers, timing, meter, db);
		for (const row of [send, sendsByMembers]) {
			row.target = `p95 ≤ ${SEND_P95_MS} ms`;
			row.met = row.p95! <= SEND_P95_MS && row.extra!.errors === 0 && row.extra!['non-2xx'] === 0;
			rows.push(row);
		}

		return {
			title: 'Served pages (built app, autocannon)',
			note:
				`\`node build\` on a throwaway PostgreSQL with the demo seed, signed in as Ana (with the time zone cookie her browser sends); autocannon in the bench process, ` +
				`${CONNECTIONS} connections on 127.0.0.1, ${seconds} s per row after ${timing.warmUp} s of warm-up; the pages take turns ` +
				`in ${timing.slices} slices of ${timing.slice} s, then the sends: Ana's into her conversation with Sam about the camera, and ` +
				`${CONNECTIONS} other members' (one connection each) into their own conversations with Sam about it. ` +
				`The full page is Ana's conversation with Lee after ${FULL_THREAD_MESSAGES} messages, the two taking turns. ` +
				`CPU µs: what one request cost the app's process and its PostgreSQL (from /proc).`,
			rows
		};
	} finally {
		await db.end().catch(() => {});
		await app.stop();
	}
}
