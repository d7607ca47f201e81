import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config.ts';

/** The embedded cluster's postmaster, as it runs now (a new process after each restart). */
export interface Postmaster {
	readonly child: ChildProcess;
	/** Fast shutdown, for good; resolves once the postmaster has exited. */
	stop(): Promise<void>;
}

/**
 * Starts the postmaster and keeps it running: one that dies by itself (killed, out of memory)
 * is started again, after 0.5 s and then up to 10 s apart while it fails (its orphaned
 * backends may hold its shared memory a moment longer). Before, the app answered "unavailable"
 * for good, and its log never said why. Resolves once it first accepts connections.
 */
export async function keepRunning(launch: () => ChildProcess, options: { url: string; logFile: string; log: (line: string) => void }): Promise<Postmaster> {
	const { url, logFile, log } = options;
	let child = launch();
	let exited = exitOf(child);
	await waitUntilReady(url, child, logFile);
	let stopping = false;
	let failures = 0;
	let timer: NodeJS.Timeout | undefined;

	const watch = (watched: ChildProcess) =>
		watched.once('exit', (code, signal) => {
			if (stopping || watched !== child) return;
			log(`PostgreSQL stopped by itself (${signal ?? `exit ${code}`}); starting it again. Its log: ${logFile}`);
			again();
		});
	const again = () => {
		timer = setTimeout(
			async () => {
				if (stopping) return;
				child = launch();
				exited = exitOf(child);
				try {
					await waitUntilReady(url, child, logFile);
					failures = 0;
					log('PostgreSQL is running again');
					watch(child);
				} catch (error) {
					failures++;
					log(`PostgreSQL did not start again (${(error as Error).message.split('\n')[0]}); trying again`);
					await stopPostmaster(child, exited);
					if (!stopping) again();
				}
			},
			Math.min(500 * 2 ** failures, 10_000)
		);
	};
	watch(child);

	return {
		get child() {
			return child;
		},
		async stop() {
			stopping = true;
			clearTimeout(timer);
			await stopPostmaster(child, exited);
		}
	};
}

const exitOf = (child: ChildProcess) => new Promise<void>((done) => child.once('exit', () => done()));

/**
 * A run killed with SIGKILL leaves its postmaster running (orphaned) or a stale
 * postmaster.pid behind. An orphan is shut down; a postmaster whose parent is
 * still alive belongs to another running app, and we refuse to touch it.
 */
export async function clearStalePostmaster(dataDir: string, log: (line: string) => void) {
	const pidFile = join(dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	if (!isPostgres(pid)) {
		rmSync(pidFile, { force: true });
		return;
	}
	const parent = parentOf(pid);
	if (parent !== undefined && parent !== process.pid && commandOf(parent).includes('node')) {
		throw new ConfigError(
			`The database in ${dataDir} is in use by another running app (process ${parent}). Stop it first, or set BAZAAR_DATA_DIR to use another folder.`
		);
	}
	log(`Stopping PostgreSQL ${pid} left running by an earlier run`);
	process.kill(pid, 'SIGINT');
	if (!(await waitForExit(pid, 15_000))) {
		process.kill(pid, 'SIGQUIT');
		await waitForExit(pid, 5_000);
	}
	rmSync(pidFile, { force: true });
}

function commandOf(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
	} catch {
		return '';
	}
}

function isPostgres(pid: number): boolean {
	return Number.isInteger(pid) && pid > 0 && commandOf(pid).includes('postgres');
}

function parentOf(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name may contain spaces and parentheses; fields resume after the last ')'.
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return undefined;
	}
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!isPostgres(pid)) return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return false;
}

async function stopPostmaster(child: ChildProcess, exited: Promise<void>) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill('SIGINT');
	const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
	if ((await Promise.race([exited, timeout])) === 'timeout') {
		child.kill('SIGQUIT');
		await exited;
	}
}

async function waitUntilReady(url: string, child: ChildProcess, logFile: string) {
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`PostgreSQL exited while starting. Last log lines:\n${tail(logFile)}`);
		}
		const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
		client.on('error', () => {});
		try {
			await client.connect();
			await client.query('select 1');
			await client.end();
			return;
		} catch {
			await client.end().catch(() => {});
			if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 30 s:\n${tail(logFile)}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}
}

function tail(file: string): string {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
	} catch {
		return '(no log)';
	}
}
