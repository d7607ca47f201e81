import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.ts';
import { migrateMessaging } from '../migrations/migrate-messaging.ts';
import { startCluster, type RunningCluster } from './embedded-cluster.ts';
import { seed } from './seed.ts';

export interface Database {
	url: string;
	cluster?: RunningCluster;
	/** Migration versions applied by this start. */
	applied: string[];
}

/** Applies the shim and the migrations to the database at `url`; returns the versions applied. */
export type MigrateDatabase = (url: string, reset: string) => Promise<string[]>;

/**
 * Brings the database up to date: starts the embedded cluster when no DATABASE_URL is
 * given, then applies the shim, the migrations and the seed. Not used in Supabase mode,
 * where `supabase db push` owns the schema. By default it migrates with the runner the package
 * gives hosts, so every demo start and test database goes through it; the host-app fixture
 * passes the packed package's own.
 */
export async function prepareDatabase(
	config: Config,
	log: (line: string) => void = () => {},
	migrate: MigrateDatabase = (url, reset) => migrateMessaging({ connectionString: url, supabaseDir: config.supabaseDir, reset })
): Promise<Database> {
	let cluster: RunningCluster | undefined;
	if (!config.databaseUrl) {
		cluster = await startCluster({
			dataDir: join(config.dataDir, 'postgres'),
			port: config.ephemeral ? 0 : config.dbPort,
			ephemeral: config.ephemeral,
			log
		});
		stopOnSignals(cluster);
		// A throwaway cluster's port is picked at start: say where to reach it (psql, a test's SQL).
		if (config.ephemeral) log(`Throwaway PostgreSQL at ${cluster.url}`);
	}
	const url = config.databaseUrl ?? cluster!.url;
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	try {
		const applied = await migrate(url, resetAdvice(url, cluster));
		await client.connect();
		if (config.seed) await seed(client, config.supabaseDir);
		return { url, cluster, applied };
	} catch (error) {
		await cluster?.stop();
		throw error;
	} finally {
		await client.end().catch(() => {});
	}
}

/** How to start over from an empty database, for this mode; said when a database cannot be migrated. */
function resetAdvice(url: string, cluster: RunningCluster | undefined): string {
	if (cluster) {
		return `Delete the data directory (${cluster.dataDir}) and run npm run dev again, which starts from a fresh database.`;
	}
	const { hostname, port, pathname } = new URL(url);
	const name = decodeURIComponent(pathname.slice(1)) || 'postgres';
	return (
		`This is the DATABASE_URL database "${name}" on ${hostname}:${port || 5432}: drop and recreate it ` +
		`(connected to another database: drop database "${name}" with (force); create database "${name}";), then start the app again.`
	);
}

const SHARED = Symbol.for('bazaar-messaging.database');
type Shared = typeof globalThis & { [SHARED]?: Promise<Database> };

/**
 * One database per process. Vite loads the dev plugin and the app's hooks as separate
 * module instances, so the memo lives on globalThis where both find it.
 */
export function ensureDatabase(config: Config, log?: (line: string) => void): Promise<Database> {
	const shared = globalThis as Shared;
	shared[SHARED] ??= prepareDatabase(config, log).catch((error) => {
		delete shared[SHARED];
		throw error;
	});
	return shared[SHARED];
}

/** Ctrl-C, `kill` and hang-ups stop PostgreSQL before the process goes, so no server is left behind. */
function stopOnSignals(cluster: RunningCluster) {
	const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
	for (const [signal, code] of Object.entries(codes)) {
		process.once(signal, () => {
			cluster.stop().finally(() => process.exit(code));
		});
	}
}
