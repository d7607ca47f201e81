import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort, startCluster, type RunningCluster } from '../../src/lib/server/db/embedded-cluster.ts';
import { applyShim, migrate } from '../../src/lib/server/migrations/runner.ts';
import { seed } from '../../src/lib/server/db/seed.ts';

/**
 * The soak's own PostgreSQL: a durable cluster (not ephemeral) in the run's temporary folder,
 * so it can be stopped and started again on the same data and port, as an operator's restart
 * would. Migrated and seeded the way the app's prepareDatabase does it.
 */
export interface SoakDatabase {
	url: string;
	/** Where the data lives (the cluster may stage it elsewhere when the postgres user cannot reach the run folder). */
	dataDir(): string;
	/** Stops PostgreSQL (fast shutdown: sessions are cut), waits downMs, starts it again on the same folder and port. */
	restart(downMs: number): Promise<void>;
	stop(): Promise<void>;
}

export async function startSoakDatabase(runDir: string, log: (line: string) => void): Promise<SoakDatabase> {
	// The server runs as `postgres` when we are root: it must be able to enter the run folder.
	chmodSync(runDir, 0o755);
	const dataDir = join(runDir, 'postgres');
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const port = await freePort();
	let cluster: RunningCluster | null = await startCluster({ dataDir, port, log });
	const url = cluster.url;
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	try {
		await client.connect();
		const supabaseDir = resolve('supabase');
		await applyShim(client, join(supabaseDir, 'shim'));
		await migrate(client, join(supabaseDir, 'migrations'), { reset: `delete ${runDir} and run the soak again` });
		await seed(client, supabaseDir);
	} finally {
		await client.end().catch(() => {});
	}
	const realDataDir = cluster.dataDir;
	let stopped = false;
	let starting: Promise<RunningCluster> | null = null;
	return {
		url,
		dataDir: () => realDataDir,
		async restart(downMs) {
			await cluster?.stop();
			cluster = null;
			await new Promise((r) => setTimeout(r, downMs));
			// A clean-up during the pause wins: no cluster is started behind its back.
			if (stopped) return;
			starting = startCluster({ dataDir, port, log });
			cluster = await starting.finally(() => (starting = null));
		},
		async stop() {
			stopped = true;
			await starting?.catch(() => {});
			await cluster?.stop();
			cluster = null;
		}
	};
}

/** A short-lived superuser connection for arranging and checking data. */
export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	await client.connect();
	try {
		return await use(client);
	} finally {
		await client.end().catch(() => {});
	}
}
