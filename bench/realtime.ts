/**
 * Realtime through the built app's own SSE path (plain-PostgreSQL mode): N users in pairs, one
 * `GET /messages/stream` per user with that user's session cookie, and messages sent at a fixed
 * rate through `send_message` as the app sends them (the Postgres adapter on a pool sized as the
 * app sizes its own, a send in flight on each connection). Measures the time from a send's return
 * to the recipient's stream delivering that message (matched by message id), counts what never
 * arrived (lost) or arrived twice (duplicated), and the server's memory per idle stream (VmRSS
 * with all streams open and idle, minus VmRSS after a warm-up with none open, over N).
 *
 * The streams are read in a child process (bench/realtime-streams.ts, at a higher priority when
 * allowed) so that parsing them does not delay the sends' clocks nor wait behind the server for a
 * CPU; both sides time on CLOCK_MONOTONIC. Memory is read once the idle server has settled, before
 * and with the streams (V8 hands back a burst's garbage tens of seconds later), and also just after
 * opening them.
 * Latency is measured after WARM_UP_SECONDS of sends at the same rate.
 *
 * Quick: 300 streams, 200 sends/s for 10 s; full: 5,000 streams, 1,000 sends/s for 30 s.
 * BENCH_REALTIME_STREAMS, BENCH_REALTIME_RATE and BENCH_REALTIME_SECONDS override those;
 * BENCH_REALTIME_NODE_OPTIONS is passed to the server as NODE_OPTIONS, for profiling
 * (`--heapsnapshot-signal=SIGUSR2`, or `--import` of a module that starts node:inspector's
 * profiler: `--cpu-prof` is not allowed there).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';
import { signSessionToken } from '../src/lib/server/auth/jwt.ts';
import { claimsFor } from './claims.ts';
import { freePort } from '../src/lib/server/db/embedded-cluster.ts';
import { createPool } from '../src/lib/server/db/pool.ts';
import { postgresMessaging } from '../src/lib/server/messaging/backend/postgres.ts';
import { startApp, type AppServer } from './app-server.ts';
import { monotonicMs, type StreamSpec, type WorkerCommand, type WorkerReply } from './realtime-streams.ts';
import { summarise, type Measurement, type Section } from './report.ts';

const TARGET = { p95: 10, p99: 30, kibPerStream: 20 };
const GRACE_MS = 10_000;
const WARM_UP_SECONDS = 5;
const MEMORY_STREAMS = 1_000;
const SETTLE_MS = 120_000;
const OPEN_CONCURRENCY = 64;

function setting(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw.replaceAll('_', ''));
	if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
	return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS of a process in KiB. */
function rssKiB(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`No VmRSS for process ${pid}`);
	return Number(match[1]);
}

/**
 * VmRSS once an idle process has settled, and the first readings on the way. After a burst of
 * work (a warm-up, a thousand connections) the heap still holds that burst's garbage and the room
 * V8 grew for it, which it hands back once the process has been quiet for a while (its memory
 * reducer, tens of seconds later). Samples every 2 s until a fall of at least 3% from the highest
 * reading has held for 10 s, or `maxMs` is up; settled is the median of the last five readings.
 */
async function settledRssKiB(pid: number, maxMs: number): Promise<{ first: number; settled: number; fell: boolean; trace: string }> {
	const samples: number[] = [];
	const started = Date.now();
	let peak = 0;
	let fellAt = -1;
	for (;;) {
		const rss = rssKiB(pid);
		samples.push(rss);
		peak = Math.max(peak, rss);
		if (fellAt < 0 && rss < peak * 0.97) fellAt = samples.length - 1;
		if ((fellAt >= 0 && samples.length - fellAt >= 6) || Date.now() - started >= maxMs) break;
		await sleep(2_000);
	}
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	return {
		first: median(samples.slice(0, 3)),
		settled: median(samples.slice(-5)),
		fell: fellAt >= 0,
		trace: samples.map((kib) => Math.round(kib / 1024)).join(' ')
	};
}

/** CPU time (user + system) of a process in ms. */
function cpuMs(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU time (user + system) of every descendant of a process (the postmaster: the backends) in ms. */
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
	// Deliveries are timestamped when they arrive, not when a CPU busy with the server and its
	// PostgreSQL gets round to the reader (a browser has a machine of its own): the reader runs at a
	// higher priority where that is allowed. It needs under a tenth of a core.
	try {
		setPriority(child.pid!, -10);
	} catch {
		// not allowed: deliveries may then read a little late
	}
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
	// One app process never has more sends in its database at once than its pool has connections
	// (createPool: 4 on 2 cores). With 16 here, as before, six of them on average queued for
	// NOTIFY's commit lock (pg_stat_activity), and the app got a smaller share of the 2 cores:
	// 446 sends/s with p95 76 ms, against 563/s and 18 ms with the app's 4.
	const pool = createPool(app.databaseUrl);
	const senders = pool.options.max;
	const reader = startReader();
	try {
		// No per-sender limit, as in the RPC table: the senders send far more than a person would.
		await pool.query('update public.messaging_settings set rate_limit_per_minute = null');
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
		await inParallel(streams / 2, senders, (pair) => send(2 * pair, 2 * pair + 1));
		const { rows: counters } = await pool.query<{ user_id: string; last_id: string }>(
			'select user_id, last_id from public.messaging_event_counters where user_id = any($1)',
			[ids]
		);
		const cursors = new Map(counters.map((row) => [row.user_id, Number(row.last_id)]));
		// The server accepts a token only of a live auth.sessions row, as after a sign-in.
		const { rows: sessions } = await pool.query<{ id: string; user_id: string }>(
			`insert into auth.sessions (user_id, not_after) select unnest($1::uuid[]), now() + interval '1 day' returning id, user_id`,
			[ids]
		);
		const sessionOf = new Map(sessions.map((row) => [row.user_id, row.id]));
		const specs: StreamSpec[] = ids.map((id, key) => ({
			key,
			cookie: signSessionToken(claimsFor(id, sessionOf.get(id)), secret),
			cursor: cursors.get(id) ?? 0
		}));
		log(`realtime: ${streams} users in ${streams / 2} conversations`);

		// Warm-up: a few streams receive sends for a few seconds, then go away again.
		const warm = specs.slice(0, Math.min(100, streams));
		await openStreams(reader, app.url, warm);
		await sendAtRate({ count: Math.min(total, 2 * rate), rate, pairs: warm.length / 2, senders, send, collect: () => {} });
		await reader.send({ cmd: 'close', keys: warm.map((spec) => spec.key) });
		await reader.send({ cmd: 'collect' });
		// The closed warm-up streams' next catch-up starts from where they got to.
		const { rows: after } = await pool.query<{ user_id: string; last_id: string }>(
			'select user_id, last_id from public.messaging_event_counters where user_id = any($1)',
			[warm.map((spec) => ids[spec.key])]
		);
		for (const row of after) specs[ids.indexOf(row.user_id)].cursor = Number(row.last_id);
		// A few hundred streams' memory is lost in the garbage collector's swings of tens of MiB.
		const measureMemory = streams >= MEMORY_STREAMS;
		const before = measureMemory ? await settledRssKiB(app.pid, SETTLE_MS) : null;
		if (before) log(`realtime: server VmRSS with no streams ${(before.settled / 1024).toFixed(0)} MiB (MiB every 2 s: ${before.trace})`);

		const opened = await openStreams(reader, app.url, specs);
		log(`realtime: ${opened.live} streams live in ${(opened.ms / 1000).toFixed(1)} s`);
		await sleep(3_000);
		const rss = before ? await settledRssKiB(app.pid, SETTLE_MS) : null;
		const perStream = (kib: number) => Number(((kib - before!.settled) / streams).toFixed(1));
		const memory: Record<string, number> =
			before && rss ? { 'KiB per stream': perStream(rss.settled), 'KiB per stream, just opened': perStream(rss.first) } : {};
		if (before && rss) {
			log(
				`realtime: server VmRSS ${(before.settled / 1024).toFixed(0)} MiB before the streams, ${(rss.first / 1024).toFixed(0)} MiB just after opening them ` +
					`(${perStream(rss.first)} KiB per stream), ${(rss.settled / 1024).toFixed(0)} MiB once idle and settled (${perStream(rss.settled)} KiB per stream` +
					`${rss.fell ? '' : `; not settled within ${SETTLE_MS / 1000} s`}; MiB every 2 s: ${rss.trace})`
			);
		} else {
			log(`realtime: memory per stream is measured from ${MEMORY_STREAMS.toLocaleString('en')} streams on`);
		}

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
		await sendAtRate({ count: Math.round(rate * WARM_UP_SECONDS), rate, pairs: streams / 2, senders, send, collect });
		await collecting;
		await sleep(1_000);
		const serverCpuBefore = cpuMs(app.pid);
		const databaseCpuBefore = descendantsCpuMs(app.databasePid);
		const machineBefore = machineBusyMs();
		const readerBefore = (await reader.send({ cmd: 'collect' }).then(gather)) as Extract<WorkerReply, { type: 'collected' }>;
		const ownBefore = process.cpuUsage();
		const run = await sendAtRate({
			count: total,
			rate,
			pairs: streams / 2,
			senders,
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
		const serverCpu = cpuMs(app.pid) - serverCpuBefore;
		const databaseCpu = descendantsCpuMs(app.databasePid) - databaseCpuBefore;
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
			(!measureMemory || memory['KiB per stream'] <= TARGET.kibPerStream);
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
				extra: { streams: opened.live, sent: sent.size, lost, duplicated, ...memory },
				target: `p95 ≤ ${TARGET.p95} ms, p99 ≤ ${TARGET.p99} ms, 0 lost, 0 duplicated${measureMemory ? `, ≤ ${TARGET.kibPerStream} KiB per stream` : ''}`,
				met
			},
			{ operation: 'send_message (RPC, sender side)', ...summarise(sendLatencies), rate: achieved }
		];
		return {
			title: `Realtime: ${streams} SSE streams, ${rate} sends/s for ${seconds} s (built app)`,
			note:
				`Built app (node build) on its embedded PostgreSQL; streams read in a separate process (raw http, lean parser); ` +
				`${senders} concurrent senders through the Postgres adapter, on a pool sized as the app's. ` +
				(before && rss
					? `Server VmRSS ${(before.settled / 1024).toFixed(0)} MiB before the streams, ${(rss.first / 1024).toFixed(0)} MiB just after opening them, ` +
						`${(rss.settled / 1024).toFixed(0)} MiB once idle and settled (KiB per stream counts this; both readings once settled). `
					: `Memory per stream is measured from ${MEMORY_STREAMS.toLocaleString('en')} streams on. `) +
				`Latency after ${WARM_UP_SECONDS} s of warm-up sends. CPU during the sends, as a share of one core: server ${pct(serverCpu)}, its PostgreSQL ${pct(databaseCpu)}, ` +
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
 * pair in a random direction, with at most `senders` in flight; a send that cannot start on time
 * starts as soon as one finishes. Calls `collect` about once a second.
 */
async function sendAtRate(options: {
	count: number;
	rate: number;
	pairs: number;
	senders: number;
	send: (sender: number, recipient: number) => Promise<unknown>;
	collect: () => void;
}): Promise<{ ms: number; failed: number; firstError?: string }> {
	const { count, rate, pairs, senders, send, collect } = options;
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
			while (launched < due && inFlight < senders) {
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
