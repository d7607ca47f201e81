import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/lib/server/db/embedded-cluster.ts';

/**
 * The production build served as `npm start` serves it, on the soak's database: one process at a
 * time, killed with SIGKILL when the soak says so and started again on the same port. Its
 * output goes to one log file across restarts; an exit the soak did not cause is counted.
 */
export interface SoakApp {
	url: string;
	logFile: string;
	/** kill -9, then the same command again on the same port. */
	killAndRestart(): Promise<void>;
	/** Exits nobody asked for (each one is followed by a restart, as a supervisor would). */
	unexpectedExits(): number;
	/** Unhandled rejections and uncaught exceptions in the log so far. */
	crashesInLog(): string[];
	stop(): Promise<void>;
}

const CRASH = /unhandled ?rejection|uncaught ?exception|UnhandledPromiseRejection|ERR_UNHANDLED_REJECTION|Unhandled 'error' event/i;

export async function startSoakApp(options: { databaseUrl: string; runDir: string; log: (line: string) => void }): Promise<SoakApp> {
	// SOAK_BUILD names another copy of the build (as E2E_BUILD does for the e2e server), so a soak can run while build/ is rebuilt.
	const build = process.env.SOAK_BUILD || 'build';
	if (!existsSync(resolve(build, 'index.js'))) throw new Error(`No production build in ${build}/: run npm run build first.`);
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const logFile = join(options.runDir, 'app.log');
	const logStream: WriteStream = createWriteStream(logFile, { flags: 'a' });
	const env = {
		...process.env,
		DATABASE_URL: options.databaseUrl,
		PUBLIC_SUPABASE_URL: '',
		JWT_SECRET: randomBytes(48).toString('base64url'),
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: url,
		NODE_ENV: 'production',
		BAZAAR_SEED: '0',
		BAZAAR_DB_EPHEMERAL: '0',
		BAZAAR_DATA_DIR: join(options.runDir, 'app-data'),
		BAZAAR_ATTACHMENTS_DIR: join(options.runDir, 'attachments'),
		BODY_SIZE_LIMIT: process.env.BODY_SIZE_LIMIT ?? '11M'
	};
	let child: ChildProcess | null = null;
	let expectingExit = false;
	let unexpected = 0;
	let stopped = false;

	const launch = async (): Promise<void> => {
		if (stopped) return;
		const started = spawn(process.execPath, [build], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		child = started;
		started.stdout!.pipe(logStream, { end: false });
		started.stderr!.pipe(logStream, { end: false });
		started.once('exit', (code, signal) => {
			logStream.write(`[soak] app ${started.pid} exited (${signal ?? code})\n`);
			if (child !== started) return;
			child = null;
			if (expectingExit || stopped) return;
			unexpected++;
			options.log(`The app exited by itself (${signal ?? code}); starting it again in a second`);
			// As a supervisor would: again and again, a second apart (a failed start exits, and comes back here).
			setTimeout(() => {
				if (!stopped && child === null) void launch().catch((error: Error) => options.log(`Could not start the app again: ${error.message}`));
			}, 1_000);
		});
		await untilListening(started, url);
	};

	await launch();
	options.log(`App on ${url} (log ${logFile})`);
	return {
		url,
		logFile,
		async killAndRestart() {
			// After a crash the supervisor may be between two starts: wait for it (bounded).
			for (let waited = 0; !child && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
			const current = child as ChildProcess | null;
			if (stopped) return;
			if (!current) throw new Error('The app is not running');
			expectingExit = true;
			const gone = new Promise((r) => current.once('exit', r));
			current.kill('SIGKILL');
			await gone;
			expectingExit = false;
			await launch();
		},
		unexpectedExits: () => unexpected,
		crashesInLog: () => readFileSync(logFile, 'utf8').split('\n').filter((line) => CRASH.test(line)),
		async stop() {
			stopped = true;
			const current = child as ChildProcess | null;
			if (current) {
				const gone = new Promise((r) => current.once('exit', r));
				current.kill('SIGTERM');
				const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
				await gone;
				clearTimeout(timer);
			}
			await new Promise((r) => logStream.end(r));
		}
	};
}

/** Listening and answering: the first request also brings the runtime (pool, LISTEN) up. */
async function untilListening(child: ChildProcess, url: string): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The app exited while starting (${child.signalCode ?? child.exitCode})`);
		const ok = await fetch(`${url}/login`, { signal: AbortSignal.timeout(2_000) })
			.then((response) => response.status === 200)
			.catch(() => false);
		if (ok) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error('The app did not answer within 30 s');
}
