/**
 * `npm run worker`: email digests and housekeeping, on graphile-worker, beside the app server.
 *
 * It connects with DATABASE_URL in every mode (on Supabase, the project's connection string,
 * where it sends digests only: pg_cron does the housekeeping). In embedded mode it connects to
 * the cluster the app server runs (`npm run dev` or `npm start`, on BAZAAR_DB_PORT); it never
 * starts one itself, since a second postmaster must not open the same data folder. `npm run dev`
 * already runs a worker inside the dev server; more workers beside it share the one queue.
 * It migrates nothing of the app's schema: start the app once first.
 *
 * Ctrl-C (or SIGTERM) lets the jobs in hand finish, then stops.
 */
import pg from 'pg';
import { readConfig } from '../src/lib/server/config.ts';
import { startWorker } from '../src/lib/server/db/worker.ts';

const log = (line: string) => console.log(`[worker] ${line}`);

function databaseUrl(): string {
	const config = readConfig();
	if (config.databaseUrl) return config.databaseUrl;
	if (config.mode === 'supabase') {
		throw new Error("Set DATABASE_URL to the Supabase project's connection string (Project Settings → Database): the worker talks to PostgreSQL directly.");
	}
	if (config.ephemeral) throw new Error('BAZAAR_DB_EPHEMERAL=1 runs a throwaway cluster on a random port: give the worker its DATABASE_URL.');
	// The embedded cluster's fixed credentials (src/lib/server/db/embedded-cluster.ts), local connections only.
	return `postgresql://postgres:postgres@127.0.0.1:${config.dbPort}/postgres`;
}

async function reachable(url: string): Promise<void> {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
	client.on('error', () => {});
	try {
		await client.connect();
		const { rows } = await client.query(`select to_regprocedure('public.claim_digests(interval)') is not null as ready`);
		if (!rows[0].ready) throw new Error('the database has no digests schema yet: start the app once so it applies the migrations');
	} catch (error) {
		const embedded = !readConfig().databaseUrl;
		throw new Error(
			`Cannot use the database at ${new URL(url).host}: ${(error as Error).message}.` +
				(embedded ? ' In embedded mode start the app first (npm run dev or npm start), which runs PostgreSQL, or set DATABASE_URL.' : ''),
			{ cause: error }
		);
	} finally {
		await client.end().catch(() => {});
	}
}

async function main() {
	const config = readConfig();
	const url = databaseUrl();
	await reachable(url);
	const worker = await startWorker(config, url, log);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			log(`${signal}: finishing the jobs in hand`);
			void worker.stop().then(() => process.exit(0));
		});
	}
	await worker.done;
}

main().catch((error: Error) => {
	log(error.message);
	process.exit(1);
});
