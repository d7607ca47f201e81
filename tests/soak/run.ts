/**
 * Nothing lost: `npm run soak` (full) or `--quick` (the one-minute version inside `npm test`).
 * Against the production build and an embedded PostgreSQL of its own, simulated members hold
 * live SSE streams while sends go through the app's form actions, each submitted twice with one
 * id, through stream cuts, sleeping and absent members, one kill -9 of the app and one
 * PostgreSQL restart. Then every member's view (built only from what reached it) is compared
 * with the database. Exits non-zero unless nothing was lost, duplicated or out of order.
 * `--seed N` replays a run's members, sends and fault sequence.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSoakApp, type SoakApp } from './app.ts';
import { startSoakDatabase, withClient, type SoakDatabase } from './cluster.ts';
import { FaultRunner, planFaults } from './faults.ts';
import { arrangeMarketplace } from './marketplace.ts';
import { MemberStream } from './member-stream.ts';
import { MemberView } from './member-view.ts';
import { parseOptions, seeded, sleep, type SoakOptions } from './options.ts';
import { Outbox, planSends } from './outbox.ts';
import { failures, printReport, resultFile, saveSummary, summarize } from './report.ts';
import { MemberSession } from './session.ts';
import { verify, waitForCounters } from './verify.ts';

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const log = (line: string) => console.log(`[soak ${seconds()} s] ${line}`);
const APP_LOG_COPY = 'test-results/soak-app.log';

let soakErrors = 0;
process.on('unhandledRejection', (error) => {
	soakErrors++;
	log(`soak bug, unhandled rejection: ${(error as Error)?.stack ?? error}`);
});

const runDir = mkdtempSync(join(tmpdir(), 'bazaar-soak-'));
let database: SoakDatabase | null = null;
let app: SoakApp | null = null;
let streams: MemberStream[] = [];
let faultRunner: FaultRunner | null = null;
let cleaning: Promise<void> | null = null;

/** Stops the streams, the app and PostgreSQL, keeps the app's log and deletes the run's folder. */
function cleanUp(): Promise<void> {
	cleaning ??= (async () => {
		faultRunner?.stop();
		for (const stream of streams) stream.stop();
		await app?.stop().catch((error: Error) => log(`stopping the app: ${error.message}`));
		if (app && existsSync(app.logFile)) {
			mkdirSync(resolve('test-results'), { recursive: true });
			copyFileSync(app.logFile, resolve(APP_LOG_COPY));
		}
		await database?.stop().catch((error: Error) => log(`stopping PostgreSQL: ${error.message}`));
		const staged = database?.dataDir();
		if (staged && !staged.startsWith(runDir)) rmSync(staged, { recursive: true, force: true });
		rmSync(runDir, { recursive: true, force: true });
	})();
	return cleaning;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
	process.once(signal, () => {
		log(`${signal}: cleaning up`);
		void cleanUp().finally(() => process.exit(code));
	});
}

async function soak(options: SoakOptions): Promise<number> {
	log(`${options.quick ? 'quick' : 'full'} run, seed ${options.seed} (replay with --seed ${options.seed})`);
	const random = seeded(options.seed);
	database = await startSoakDatabase(runDir, (line) => log(`[db] ${line}`));
	const db = database;
	const market = await withClient(db.url, (client) => arrangeMarketplace(client, random, options));
	log(`PostgreSQL on ${db.url.replace(/:[^:@/]*@/, ':***@')}: ${market.members.length} members, ${market.conversations.length} conversations`);
	app = await startSoakApp({ databaseUrl: db.url, runDir, log });
	const server = app;

	const sessions = new Map(market.members.map((m) => [m.id, new MemberSession(server.url, m.email)]));
	await inBatches([...sessions.values()], 8, (session) => session.signIn());
	log(`${sessions.size} members signed in`);
	streams = market.members.map(
		(member) =>
			new MemberStream(member, sessions.get(member.id)!, new MemberView(), {
				origin: server.url,
				// Half reconnect as EventSource does (Last-Event-ID), half as the app's realtime service (sync, then ?cursor=).
				browserLike: member.index % 2 === 1,
				log
			})
	);
	for (const stream of streams) stream.start();
	await until(() => streams.every((s) => s.open), 30_000, 'every stream open');
	log(`${streams.length} streams open`);

	const plan = planSends(random, market.conversations, options.sends);
	const outbox = new Outbox(sessions, { inFlight: options.inFlight, deadlineMs: options.sendDeadlineMs });
	const faults = (faultRunner = new FaultRunner(planFaults(random, options), streams, random, {
		sleepMs: options.sleepMs,
		kill: () => server.killAndRestart(),
		restartPostgres: () => db.restart(options.postgresDownMs),
		log
	}));
	// Room at the end for the members to catch up, the checks and the clean-up.
	const stopSendingAt = started + options.budgetMs - options.settleMs - (options.quick ? 3_000 : 20_000);
	// Faults strike at a share of the sends, or of the time left for them if that comes first.
	const sendingFrom = Date.now();
	const progress = () => Math.max(outbox.finished / plan.length, (Date.now() - sendingFrom) / (stopSendingAt - sendingFrom));
	let sendsDone = false;
	const report = setInterval(() => {
		const c = outbox.counts;
		log(`${outbox.finished}/${plan.length} sends done, ${c.acknowledged} acknowledged, ${c.attempts} requests, ${faults.counts.cuts} cuts`);
	}, options.quick ? 5_000 : 15_000);
	const sending = outbox.run(plan, () => Date.now() > stopSendingAt || cleaning !== null).finally(() => (sendsDone = true));
	await Promise.all([sending, faults.run(progress, () => sendsDone)]);
	clearInterval(report);
	if (outbox.counts.sent < plan.length) log(`time budget reached: ${outbox.counts.sent} of ${plan.length} sends started`);
	log(`sends finished: ${outbox.counts.acknowledged} of ${outbox.counts.sent} acknowledged; waiting for every member to catch up`);

	const behind = await withClient(db.url, (client) => waitForCounters(client, streams, options.settleMs));
	log(behind === 0 ? 'every member reached its counter' : `${behind} members still behind their counter`);
	// Tabs opened again with a cursor the log cannot serve: the stream answers resync, and their
	// views come from page loads (inbox and history endpoints) alone; they are checked like the rest.
	const reloaded = market.members
		.filter((m) => m.conversations.length > 0)
		.slice(0, options.quick ? 2 : 6)
		.map(
			(member) =>
				new MemberStream(member, sessions.get(member.id)!, new MemberView(), {
					origin: server.url,
					browserLike: member.index % 2 === 0,
					cursor: 1e12,
					log
				})
		);
	for (const tab of reloaded) tab.start();
	streams.push(...reloaded);
	await until(() => reloaded.every((tab) => tab.view.counts.pageLoads > 0 || tab.pageLoadFailures > 0), 30_000, 'reloaded tabs loaded');
	const verdict = await withClient(db.url, (client) => verify(client, outbox, streams));
	for (const stream of streams) stream.stop();
	const summary = summarize({
		members: market.members.length,
		conversations: market.conversations.length,
		outbox: outbox.counts,
		views: streams.map((s) => s.view.counts),
		streams: streams.map((s) => s.counts),
		faults: faults.counts,
		verdict,
		appCrashes: server.crashesInLog().length,
		unexpectedExits: server.unexpectedExits(),
		soakErrors,
		seconds: Math.round((Date.now() - started) / 1000),
		seed: options.seed,
		quick: options.quick
	});
	printReport(summary, [...outbox.problems, ...verdict.problems, ...server.crashesInLog()], console.log);
	saveSummary(summary);
	const failed = failures(summary);
	if (failed.length > 0) {
		console.log(`SOAK FAILED (seed ${options.seed}): ${failed.join('; ')}. App log: ${APP_LOG_COPY}`);
		return 1;
	}
	console.log(`SOAK PASSED in ${summary.seconds} s (seed ${options.seed}); written to ${resultFile(options.quick)}`);
	return 0;
}

async function inBatches<T>(items: T[], concurrency: number, each: (item: T) => Promise<void>) {
	let next = 0;
	await Promise.all(Array.from({ length: concurrency }, async () => {
		while (next < items.length) await each(items[next++]);
	}));
}

async function until(done: () => boolean, timeoutMs: number, what: string) {
	const deadline = Date.now() + timeoutMs;
	while (!done()) {
		if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs / 1000} s: ${what}`);
		await sleep(50);
	}
}

let code = 1;
try {
	code = await soak(parseOptions(process.argv.slice(2)));
} catch (error) {
	console.error(`SOAK FAILED: ${(error as Error).stack ?? error}`);
	code = 1;
} finally {
	await cleanUp();
}
process.exit(code);
