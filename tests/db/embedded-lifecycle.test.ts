import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from '../../src/lib/server/db/embedded-cluster.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-lifecycle-'));
const children: ChildProcess[] = [];
afterAll(async () => {
	await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
	// As root under a 0700 temp folder the cluster is staged elsewhere; LOCATION says where.
	const staged = join(dataDir, 'postgres', 'LOCATION');
	if (existsSync(staged)) rmSync(readFileSync(staged, 'utf8').trim(), { recursive: true, force: true });
	rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the database the way `npm run dev` does, in a child process we can kill. */
async function startApp(): Promise<{ child: ChildProcess; url: string; postmasterPid: number }> {
	const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/run-database.ts'], {
		env: { ...process.env, BAZAAR_DATA_DIR: dataDir, BAZAAR_DB_PORT: '0', BAZAAR_SEED: '0', DATABASE_URL: '', PUBLIC_SUPABASE_URL: '' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	children.push(child);
	let output = '';
	const started = await new Promise<{ url: string; dataDir: string }>((resolve, reject) => {
		child.stdout!.on('data', (chunk) => {
			output += chunk;
			const line = output.split('\n').find((l) => l.startsWith('{'));
			if (line) resolve(JSON.parse(line));
		});
		child.stderr!.on('data', (chunk) => (output += chunk));
		child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
	});
	const postmasterPid = Number(readFileSync(join(started.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	return { child, url: started.url, postmasterPid };
}

/** Running, not a zombie: an orphan that exited stays a zombie until some ancestor reaps it. */
const alive = (pid: number) => {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
};

async function query(url: string, sql: string) {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(sql)).rows;
	} finally {
		await client.end();
	}
}

async function waitFor(condition: () => boolean, ms: number) {
	const deadline = Date.now() + ms;
	while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
	return condition();
}

describe('embedded PostgreSQL lifecycle', () => {
	it('a run killed with SIGKILL leaves an orphan that the next start shuts down, keeping the data', async () => {
		const first = await startApp();
		await query(first.url, 'create table survived (id int); insert into survived values (42)');
		first.child.kill('SIGKILL');
		await new Promise((r) => first.child.once('exit', r));
		expect(alive(first.postmasterPid)).toBe(true);

		const second = await startApp();
		expect(alive(first.postmasterPid)).toBe(false);
		expect(await query(second.url, 'select id from survived')).toEqual([{ id: 42 }]);

		second.child.kill('SIGTERM');
		const code = await new Promise((r) => second.child.once('exit', r));
		expect(code).toBe(143);
		expect(await waitFor(() => !alive(second.postmasterPid), 5000)).toBe(true);
	}, 60_000);

	it('deleting the data folder starts an empty database, also where the cluster is kept elsewhere (as root)', async () => {
		const first = await startApp();
		await query(first.url, 'create table left_behind (id int)');
		first.child.kill('SIGTERM');
		await new Promise((r) => first.child.once('exit', r));
		expect(await waitFor(() => !alive(first.postmasterPid), 5000)).toBe(true);
		// What the README says to do; a staged cluster's LOCATION goes with the folder.
		rmSync(dataDir, { recursive: true, force: true });
		mkdirSync(dataDir, { mode: 0o700 });

		const second = await startApp();
		expect(await query(second.url, `select to_regclass('public.left_behind') as found`)).toEqual([{ found: null }]);
		second.child.kill('SIGTERM');
		await new Promise((r) => second.child.once('exit', r));
	}, 90_000);

	it('a PostgreSQL killed under a running app is started again, with its data, and the log says so', async () => {
		const lines: string[] = [];
		const cluster = await startCluster({ ephemeral: true, log: (line) => lines.push(line) });
		try {
			await query(cluster.url, 'create table survived (id int); insert into survived values (7)');
			// A throwaway cluster commits without waiting for its log (synchronous_commit=off): on disk first.
			await query(cluster.url, 'checkpoint');
			const pidOf = () => Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			const killed = pidOf();
			process.kill(killed, 'SIGKILL');
			expect(await waitFor(() => !alive(killed), 5000)).toBe(true);
			// Before, nothing started it again: the app answered "unavailable" for good.
			const answers = async () => query(cluster.url, 'select id from survived').catch(() => null);
			const deadline = Date.now() + 30_000;
			let rows = await answers();
			while (!rows && Date.now() < deadline) rows = await new Promise((r) => setTimeout(r, 250)).then(answers);
			expect(rows).toEqual([{ id: 7 }]);
			expect(pidOf()).not.toBe(killed);
			expect(lines.some((line) => line.startsWith('PostgreSQL stopped by itself (SIGKILL); starting it again'))).toBe(true);
			// The watcher polls for readiness, so its line may come a poll after the first answer.
			expect(await waitFor(() => lines.includes('PostgreSQL is running again'), 5000)).toBe(true);
		} finally {
			await cluster.stop();
		}
		expect(existsSync(cluster.dataDir)).toBe(false);
	}, 60_000);

	it('SIGINT stops the app and its PostgreSQL, leaving no server process', async () => {
		const app = await startApp();
		app.child.kill('SIGINT');
		expect(await new Promise((r) => app.child.once('exit', r))).toBe(130);
		expect(alive(app.postmasterPid)).toBe(false);
	}, 60_000);
});
