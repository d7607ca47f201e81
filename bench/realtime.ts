/**
 * Realtime through the built app's own SSE path (plain-PostgreSQL mode): N users in pairs, one
 * `GET /messages/stream` per user with that user's session cookie, and messages sent at a fixed
 * rate through `send_message` as the sender would (the Postgres adapter on a pool, several sends
 * in flight). Measures the time from a send's return to the recipient's stream delivering that
 * message (matched by message id), counts what never arrived (lost) or arrived twice
 * (duplicated), and the server's memory per idle stream (VmRSS with all streams open and idle,
 * minus VmRSS after a warm-up with none open, over N).
 *
 * The streams are read in a child process (bench/realtime-streams.ts) so that parsing them does
 * not delay the sends' clocks; both sides time on CLOCK_MONOTONIC. Quick: 300 streams, 200
 * sends/s for 10 s; full: 5,000 streams, 1,000 sends/s for 30 s. BENCH_REALTIME_STREAMS,
 * BENCH_REALTIME_RATE and BENCH_REALTIME_SECONDS override those; BENCH_REALTIME_NODE_OPTIONS is
 * passed to the server as NODE_OPTIONS (for profiling: `--cpu-prof --cpu-prof-dir=…`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import pg from 'pg';
import { signSessionToken } from '../src/lib/server/auth/jwt.ts';
import { freePort } from '../src/lib/server/db/embedded-cluster.ts';
import { postgresMessaging } from '../src/lib/server/messaging/backend/postgres.ts';
import { startApp, type AppServer } from './app-server.ts';
import { monotonicMs, type StreamSpec, type WorkerCommand, type WorkerReply } from './realtime-streams.ts';
import { summarise, type Measurement, type Section } from './report.ts';

const TARGET = { p95: 10, p99: 30, kibPerStream: 20 };
const SENDERS = Number(process.env.RT_SENDERS ?? 16); // TEMP env
const GRACE_MS = 10_000;
const OPEN_CONCURRENCY = Number(process.env.RT_OPEN_CONCURRENCY ?? 64); // TEMP env

function setting(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw.replaceAll('_', ''));
	if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
	return value;
}

const claimsFor = (userId: string) => {
	const iat = Math.floor(Date.now() / 1000);
	return { sub: userId, role: 'authenticated' as const, aud: 'authenticated' as const, email: `${userId}@example.test`, iat, exp: iat + 3600 };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS of a process in KiB. */
function rssKiB(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`No VmRSS for process ${pid}`);
	return Number(match[1]);
}

/** The median of a few VmRSS readings a little apart, so one GC in flight does not decide it. */
async function settledRssKiB(pid: number): Promise<number> {
	const readings: number[] = [];
	for (let i = 0; i < 5; i++) {
		readings.push(rssKiB(pid));
		await sleep(400);
	}
	return readings.sort((a, b) => a - b)[2];
}

/**
 * VmRSS with the streams open and idle, just after opening them and once settled. Right after a
 * burst of connections the heap still holds that burst's garbage and room V8 grew for it, which
 * it gives back once the process has been quiet for a while (its memory reducer, tens of seconds
 * later): samples every 2 s until the growth over `baseline` has fallen by a third and held for
 * 10 s, or `maxMs` is up; settled is the median of the last five.
 */
async function idleRssKiB(pid: number, baseline: number, maxMs: number): Promise<{ justOpened: number; settled: number; trace: string }> {
	const samples: number[] = [];
	const started = Date.now();
	let peak = 0;
	let fellAt = -1;
	for (;;) {
		const rss = rssKiB(pid);
		samples.push(rss);
		peak = Math.max(peak, rss);
		if (fellAt < 0 && rss - baseline < (peak - baseline) * (2 / 3)) fellAt = samples.length - 1;
		if ((fellAt >= 0 && samples.length - fellAt >= 6) || Date.now() - started >= maxMs) break;
		await sleep(2_000);
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	return {
		justOpened: median(samples.slice(0, 3)),
		settled: median(samples.slice(-5)),
		trace: samples.map((kib) => Math.round(kib / 1024)).join(' ')
	};
}

/** CPU time (user + system) of a process in ms. */
function cpuMs(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time (user + system) of every descendant of a process (the app's PostgreSQL) in ms. */
function descendantsCpuMs(pid: number): number {
	const stats = readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.flatMap((name) => {
			try {
				const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
				return [{ pid: Number(name), ppid: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 }];
			} catch {
				return []; // gone meanwhile
			}
		});
	const inside = new Set([pid]);
	let total = 0;
	for (let grew = true; grew; ) {
		grew = false;
		for (const stat of stats) {
			if (!inside.has(stat.pid) && inside.has(stat.ppid)) {
				inside.add(stat.pid);
				total += stat.ms;
				grew = true;
			}
		}
	}
	return total;
}

/** Busy time of the whole machine in ms, summed over cores. */
function machineBusyMs(): number {
	const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
	const idle = ticks[3] + ticks[4];
	return ((ticks.reduce((a, b) => a + b, 0) - idle) * 1000) / 100;
}

/** The stream reader process, with request/reply over IPC (one outstanding command at a time). */
function startReader(): { send(command: WorkerCommand): Promise<WorkerReply>; stop(): Promise<void> } {
	const child: ChildProcess = fork(new URL('./realtime-streams.ts', import.meta.url).pathname, [], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	if (process.env.RT_READER_NICE) setPriority(child.pid!, Number(process.env.RT_READER_NICE)); // TEMP
	let waiting: ((reply: WorkerReply) => void) | null = null;
	child.on('message', (reply: WorkerReply) => {
		const wake = waiting;
		waiting = null;
		wake?.(reply);
	});
	return {
		send(command) {
			return new Promise((resolve, reject) => {
				if (waiting) return reject(new Error('The stream reader is busy'));
				const timer = setTimeout(() => {
					waiting = null;
					reject(new Error(`The stream reader did not answer ${command.cmd} within 120 s`));
				}, 120_000);
				waiting = (reply) => {
					clearTimeout(timer);
					resolve(reply);
				};
				child.send(command);
			});
		},
		async stop() {
			if (child.connected) child.send({ cmd: 'exit' } satisfies WorkerCommand);
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
	};
}

interface Sent {
	recipient: number;
	sender: number;
	/** When send_message returned (ms, monotonic). */
	at: number;
}

export async function benchRealtime(options: { quick: boolean; log: (line: string) => void }): Promise<Section> {
	const { quick, log } = options;
	const streams = 2 * Math.ceil(setting('BENCH_REALTIME_STREAMS', quick ? 300 : 5_000) / 2);
	const rate = setting('BENCH_REALTIME_RATE', quick ? 200 : 1_000);
	const seconds = setting('BENCH_REALTIME_SECONDS', quick ? 10 : 30);
	const total = Math.round(rate * seconds);
	const secret = randomBytes(48).toString('base64url');
	const serverOptions = process.env.BENCH_REALTIME_NODE_OPTIONS;

	log(`realtime: ${streams} streams, ${rate} sends/s for ${seconds} s`);
	const app: AppServer = await startApp({
		port: await freePort(),
		env: { JWT_SECRET: secret, ...(serverOptions ? { NODE_OPTIONS: serverOptions } : {}) },
		log: (line) => {
			if (!line.includes('[db]')) log(line);
		}
	});
	const pool = new pg.Pool({ connectionString: app.databaseUrl, max: SENDERS + 2 });
	pool.on('error', () => {});
	const reader = startReader();
	try {
		await pool.query('update public.messaging_settings set rate_limit_per_minute = 1000000');
		const { rows: users } = await pool.query<{ id: string }>(
			`insert into auth.users (id, email, raw_user_meta_data)
			 select gen_random_uuid(), 'rt' || $2 || '_' || i || '@example.test',
			        jsonb_build_object('username', 'rt' || $2 || '_' || i, 'display_name', 'Realtime user ' || i)
			   from generate_series(1, $1::int) i order by i
			 returning id`,
			[streams, randomBytes(3).toString('hex')]
		);
		const ids = users.map((user) => user.id);
		const send = (sender: number, recipient: number, id = randomUUID()) =>
			postgresMessaging({ pool, claims: claimsFor(ids[sender]) }).sendMessage({
				id,
				to: { otherUserId: ids[recipient], productId: null },
				body: `Realtime bench ${id.slice(0, 8)}`
			});
		// Each pair's general conversation, made by its first message, as the app makes it.
		await inParallel(streams / 2, SENDERS, (pair) => send(2 * pair, 2 * pair + 1));
		const { rows: counters } = await pool.query<{ user_id: string; last_id: string }>(
			'select user_id, last_id from public.messaging_event_counters where user_id = any($1)',
			[ids]
		);
		const cursors = new Map(counters.map((row) => [row.user_id, Number(row.last_id)]));
		const specs: StreamSpec[] = ids.map((id, key) => ({
			key,
			cookie: signSessionToken(claimsFor(id), secret),
			cursor: cursors.get(id) ?? 0
		}));
		log(`realtime: ${streams} users in ${streams / 2} conversations`);

		// Warm-up: a few streams receive sends for a few seconds, then go away again.
		const warm = specs.slice(0, Math.min(100, streams));
		await openStreams(reader, app.url, warm);
		await sendAtRate({ count: Math.min(total, 2 * rate), rate, pairs: warm.length / 2, send, collect: () => {} });
		await reader.send({ cmd: 'close', keys: warm.map((spec) => spec.key) });
		await reader.send({ cmd: 'collect' });
		// The closed warm-up streams' next catch-up starts from where they got to.
		const { rows: after } = await pool.query<{ user_id: string; last_id: string }>(
			'select user_id, last_id from public.messaging_event_counters where user_id = any($1)',
			[warm.map((spec) => ids[spec.key])]
		);
		for (const row of after) specs[ids.indexOf(row.user_id)].cursor = Number(row.last_id);
		await sleep(2_000);
		const rssBefore = await settledRssKiB(app.pid);

		if (process.env.RT_HEAP_PROFILE) process.kill(app.pid, 'SIGUSR2'); // TEMP
		const opened = await openStreams(reader, app.url, specs);
		log(`realtime: ${opened.live} streams live in ${(opened.ms / 1000).toFixed(1)} s`);
		await sleep(3_000);
		if (process.env.RT_HEAP_PROFILE) { process.kill(app.pid, 'SIGUSR2'); await sleep(3000); } // TEMP
		const rss = await idleRssKiB(app.pid, rssBefore, quick ? 30_000 : 120_000);
		const perStream = (kib: number) => Number(((kib - rssBefore) / streams).toFixed(1));
		const kibPerStream = perStream(rss.settled);
		log(
			`realtime: server VmRSS ${(rssBefore / 1024).toFixed(0)} MiB before the streams, ${(rss.justOpened / 1024).toFixed(0)} MiB just after opening them ` +
				`(${perStream(rss.justOpened)} KiB per stream), ${(rss.settled / 1024).toFixed(0)} MiB once idle and settled (${kibPerStream} KiB per stream; trace ${rss.trace})`
		);

		// The run: sends at a fixed rate, recipients known; deliveries gathered from the reader as it goes.
		const sent = new Map<string, Sent>();
		const sendLatencies: number[] = [];
		const delivered = new Map<string, number[]>(); // message id -> [stream key, time, stream key, time, ...]
		const gather = (reply: WorkerReply) => {
			if (reply.type !== 'collected') return reply;
			const d = reply.deliveries;
			for (let i = 0; i < d.length; i += 3) {
				const list = delivered.get(d[i + 1] as string);
				if (list) list.push(d[i] as number, d[i + 2] as number);
				else delivered.set(d[i + 1] as string, [d[i] as number, d[i + 2] as number]);
			}
			return reply;
		};
		let collecting: Promise<unknown> = Promise.resolve();
		const collect = () => {
			collecting = collecting.then(() => reader.send({ cmd: 'collect' }).then(gather));
		};
		// The sends warm up first: after the idle minute the server's heap has shrunk, and its first
		// seconds under load are garbage collection catching up, not the steady state measured here.
		const warmUpSeconds = Number(process.env.RT_SEND_WARMUP ?? (quick ? 2 : 5)); // TEMP env
		if (warmUpSeconds > 0) await sendAtRate({ count: Math.round(rate * warmUpSeconds), rate, pairs: streams / 2, send, collect });
		await collecting;
		await sleep(1_000);
		const serverCpuBefore = cpuMs(app.pid);
		const databaseCpuBefore = descendantsCpuMs(app.pid);
		const machineBefore = machineBusyMs();
		const readerBefore = (await reader.send({ cmd: 'collect' }).then(gather)) as Extract<WorkerReply, { type: 'collected' }>;
		const ownBefore = process.cpuUsage();
		if (process.env.RT_PROFILE) process.kill(app.pid, 'SIGUSR2'); // TEMP
		const run = await sendAtRate({
			count: total,
			rate,
			pairs: streams / 2,
			send: async (sender, recipient) => {
				const id = randomUUID();
				const started = monotonicMs();
				await send(sender, recipient, id);
				const at = monotonicMs();
				sendLatencies.push(at - started);
				sent.set(id, { sender, recipient, at });
			},
			collect
		});
		const own = process.cpuUsage(ownBefore);
		if (process.env.RT_PROFILE) { process.kill(app.pid, 'SIGUSR2'); await sleep(2000); } // TEMP
		const serverCpu = cpuMs(app.pid) - serverCpuBefore;
		const databaseCpu = descendantsCpuMs(app.pid) - databaseCpuBefore;
		const machineBusy = machineBusyMs() - machineBefore;
		await collecting;
		const readerAfterRun = (await reader.send({ cmd: 'collect' }).then(gather)) as Extract<WorkerReply, { type: 'collected' }>;
		log(`realtime: ${sent.size} sent in ${(run.ms / 1000).toFixed(1)} s (${run.failed} failed${run.firstError ? `: ${run.firstError}` : ''})`);

		// Grace: whatever has not reached its recipient by now is lost.
		const missing = () => [...sent].filter(([id, s]) => !recipientTimes(delivered.get(id), s.recipient).length).length;
		const graceEnd = Date.now() + GRACE_MS;
		while (missing() > 0 && Date.now() < graceEnd) {
			await sleep(250);
			gather(await reader.send({ cmd: 'collect' }));
		}
		await sleep(500); // duplicates that trail the last delivery
		const final = gather(await reader.send({ cmd: 'collect' })) as Extract<WorkerReply, { type: 'collected' }>;

		const latencies: number[] = [];
		let lost = 0;
		let duplicated = 0;
		let echoLost = 0;
		for (const [id, s] of sent) {
			const list = delivered.get(id);
			const times = recipientTimes(list, s.recipient);
			const echoes = recipientTimes(list, s.sender);
			if (times.length === 0) lost++;
			else latencies.push(times[0] - s.at);
			if (echoes.length === 0) echoLost++;
			duplicated += Math.max(0, times.length - 1) + Math.max(0, echoes.length - 1);
		}
		const summary = summarise(latencies);
		if (process.env.RT_SPIKES) { // TEMP
			const t0 = Math.min(...[...sent.values()].map((x) => x.at));
			const windows = new Map<number, number[]>();
			for (const [id, s] of sent) { const times = recipientTimes(delivered.get(id), s.recipient); if (!times.length) continue; const w = Math.floor((s.at - t0) / 250); const l = times[0] - s.at; const arr = windows.get(w) ?? [0, 0]; arr[0] = Math.max(arr[0], l); arr[1]++; windows.set(w, arr); }
			const { existsSync: ex, readFileSync: rf } = await import('node:fs');
			const file = `/work/main/.scratch/rt-trace-${app.pid}.txt`;
			if (ex(file)) {
				const recv = new Map<string, number>(); const wrote = new Map<string, number>();
				for (const line of rf(file, 'utf8').split('\n')) { const p = line.split(' '); if (p[0] === 'r' && !recv.has(p[1])) recv.set(p[1], Number(p[2])); if (p[0] === 'w') wrote.set(`${p[1]} ${p[2]}`, Number(p[3])); }
				const a: number[] = [], b: number[] = [], c: number[] = [];
				for (const [id, s] of sent) { const r = recv.get(id); const w = wrote.get(`${id} ${ids[s.recipient]}`); const d = recipientTimes(delivered.get(id), s.recipient)[0]; if (r === undefined || w === undefined || d === undefined) continue; a.push(r - s.at); b.push(w - r); c.push(d - w); }
				const f = (x: number[]) => { const q = summarise(x); return `p50 ${q.median?.toFixed(2)} p95 ${q.p95?.toFixed(2)} p99 ${q.p99?.toFixed(2)} max ${q.max?.toFixed(1)}`; };
				log(`hops (n=${a.length}): send-return -> server got NOTIFY: ${f(a)} | NOTIFY -> written: ${f(b)} | written -> reader: ${f(c)}`);
			}
			log('spikes (250 ms windows with max > 30 ms): ' + [...windows].sort((a, b) => a[0] - b[0]).filter(([, v]) => v[0] > 30).map(([w, v]) => `${(w / 4).toFixed(2)}s:${v[0].toFixed(0)}`).join(' '));
		}
		const achieved = (sent.size / run.ms) * 1000;
		const readerCpu = readerAfterRun.cpuMs - readerBefore.cpuMs;
		const ownCpu = (own.user + own.system) / 1000;
		const pct = (ms: number) => `${((ms / run.ms) * 100).toFixed(0)}%`;
		const met =
			lost === 0 &&
			duplicated === 0 &&
			run.failed === 0 &&
			opened.live === streams &&
			(summary.p95 ?? Infinity) <= TARGET.p95 &&
			(summary.p99 ?? Infinity) <= TARGET.p99 &&
			kibPerStream <= TARGET.kibPerStream;
		log(
			`realtime: p50 ${summary.median?.toFixed(2)} p95 ${summary.p95?.toFixed(2)} p99 ${summary.p99?.toFixed(2)} max ${summary.max?.toFixed(1)} ms; ` +
				`${lost} lost, ${duplicated} duplicated, ${echoLost} echoes lost, ${final.resyncs} resyncs, ${final.errors} error frames, ${final.ended} streams ended; ` +
				`CPU during sends (of one core): server ${pct(serverCpu)}, its PostgreSQL ${pct(databaseCpu)}, stream reader ${pct(readerCpu)}, senders ${pct(ownCpu)}, machine ${pct(machineBusy)} of ${availableParallelism() * 100}%`
		);
		const rows: Measurement[] = [
			{
				operation: 'send return -> recipient SSE',
				...summary,
				rate: achieved,
				extra: { streams: opened.live, sent: sent.size, lost, duplicated, 'KiB per stream': kibPerStream, 'KiB per stream, just opened': perStream(rss.justOpened) },
				target: `p95 ≤ ${TARGET.p95} ms, p99 ≤ ${TARGET.p99} ms, 0 lost, 0 duplicated, ≤ ${TARGET.kibPerStream} KiB per stream`,
				met
			},
			{ operation: 'send_message (RPC, sender side)', ...summarise(sendLatencies), rate: achieved }
		];
		return {
			title: `Realtime: ${streams} SSE streams, ${rate} sends/s for ${seconds} s (built app)`,
			note:
				`Built app (node build) on its embedded PostgreSQL; streams read in a separate process (raw http, lean parser); ` +
				`${SENDERS} concurrent senders through the Postgres adapter. Server VmRSS ${(rssBefore / 1024).toFixed(0)} MiB before the streams, ` +
				`${(rss.justOpened / 1024).toFixed(0)} MiB just after opening them, ${(rss.settled / 1024).toFixed(0)} MiB once idle and settled (KiB per stream counts this). CPU during the sends, as a share of one core: server ${pct(serverCpu)}, ` +
				`stream reader ${pct(readerCpu)}, senders ${pct(ownCpu)}; whole machine ${pct(machineBusy)} of ${availableParallelism() * 100}%.`,
			rows
		};
	} finally {
		await reader.stop();
		await pool.end().catch(() => {});
		await app.stop();
	}
}

/** Delivery times of one message at one stream. */
function recipientTimes(list: number[] | undefined, key: number): number[] {
	const times: number[] = [];
	if (list) for (let i = 0; i < list.length; i += 2) if (list[i] === key) times.push(list[i + 1]);
	return times;
}

async function openStreams(reader: ReturnType<typeof startReader>, url: string, specs: StreamSpec[]) {
	const reply = await reader.send({ cmd: 'open', url, streams: specs, concurrency: OPEN_CONCURRENCY, timeoutMs: 60_000 });
	if (reply.type !== 'opened') throw new Error(`Unexpected reply ${reply.type}`);
	if (reply.live !== specs.length) throw new Error(`Only ${reply.live} of ${specs.length} streams went live: ${reply.failed.join('; ')}`);
	return reply;
}

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(concurrency, count) }, async () => {
			while (next < count) await work(next++);
		})
	);
}

/**
 * Starts `count` sends on a fixed schedule (send i at start + i / rate), each between a random
 * pair in a random direction, with at most SENDERS in flight; a send that cannot start on time
 * starts as soon as one finishes. Calls `collect` about once a second.
 */
async function sendAtRate(options: {
	count: number;
	rate: number;
	pairs: number;
	send: (sender: number, recipient: number) => Promise<unknown>;
	collect: () => void;
}): Promise<{ ms: number; failed: number; firstError?: string }> {
	const { count, rate, pairs, send, collect } = options;
	const started = monotonicMs();
	const deadline = Date.now() + (count / rate) * 1000 * 3 + 30_000;
	let launched = 0;
	let inFlight = 0;
	let failed = 0;
	let firstError: string | undefined;
	let lastCollect = started;
	await new Promise<void>((done) => {
		const tick = () => {
			const now = monotonicMs();
			const due = Math.min(count, Math.floor(((now - started) * rate) / 1000) + 1);
			while (launched < due && inFlight < SENDERS) {
				launched++;
				inFlight++;
				const pair = Math.floor(Math.random() * pairs);
				const sender = 2 * pair + (Math.random() < 0.5 ? 0 : 1);
				send(sender, sender ^ 1)
					.catch((error: Error) => {
						failed++;
						firstError ??= error.message;
					})
					.finally(() => {
						inFlight--;
						if (launched === count && inFlight === 0) done();
					});
			}
			if (now - lastCollect >= 1_000) {
				lastCollect = now;
				collect();
			}
			if (Date.now() > deadline) {
				firstError ??= 'the run overran its deadline';
				done();
				return;
			}
			if (launched < count) setTimeout(tick, 1);
		};
		tick();
	});
	return { ms: monotonicMs() - started, failed, firstError };
}
