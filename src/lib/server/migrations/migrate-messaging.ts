import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { applyShim, migrate, type AppliedMigration, type MigrationFile } from './runner.js';

export interface MigrateMessagingOptions {
	/** The database, as its owner: the shim creates roles and an extension, the migrations tables and functions. */
	connectionString?: string;
	/** Or a pool to borrow one connection from (it stays open). */
	pool?: pg.Pool;
	/**
	 * Also apply the `*_marketplace*` files (default true): the profiles and products a new
	 * project needs. false for a host whose own tables already carry what the messaging
	 * migrations expect (README, "The migrations").
	 */
	marketplace?: boolean;
	/** The folder holding `shim/` and `migrations/`: by default the installed package's `supabase/`. */
	supabaseDir?: string;
	/** What to do to start from a fresh database, said when one cannot be migrated. */
	reset?: string;
}

const MARKETPLACE = /marketplace/;
// The package ships `*messaging*.sql` and `*marketplace*.sql`: a history row named so, that no
// file carries, is from an older cut of these files. Rows of a host's own migrations are not ours to judge.
const OURS = /messaging|marketplace/;

/**
 * Brings a database up to date with the package's schema: on plain PostgreSQL the shim first
 * (what Supabase provides: the API roles, `auth.users`, `auth.uid()`; skipped on Supabase), then
 * each migration not yet recorded in `supabase_migrations.schema_migrations`, in order, each in
 * its own transaction. That is the table `supabase db push` keeps, so files either applied count
 * once. Safe at every start and from several processes at once (they take turns); returns the
 * versions applied now. Refuses, applying nothing, a history that names a messaging or
 * marketplace migration no file here carries (ObsoleteMigrationsError), and rolls back the one
 * file that fails (MigrationError).
 */
export async function migrateMessaging(options: MigrateMessagingOptions): Promise<string[]> {
	const supabaseDir = options.supabaseDir ?? packageSupabaseDir();
	const withMarketplace = options.marketplace ?? true;
	const run = async (client: pg.ClientBase) => {
		await applyShim(client, join(supabaseDir, 'shim'));
		return migrate(client, join(supabaseDir, 'migrations'), {
			reset: options.reset,
			apply: (file: MigrationFile) => withMarketplace || !MARKETPLACE.test(file.name),
			owns: (row: AppliedMigration) => OURS.test(row.name ?? '')
		});
	};
	if (options.pool) {
		const client = await options.pool.connect();
		try {
			return await run(client);
		} finally {
			client.release();
		}
	}
	if (!options.connectionString) throw new TypeError('migrateMessaging needs a connectionString or a pool');
	const client = new pg.Client({ connectionString: options.connectionString });
	// A connection dropped mid-run fails the query in flight; the event itself needs no handler's action.
	client.on('error', () => {});
	await client.connect();
	try {
		return await run(client);
	} finally {
		await client.end().catch(() => {});
	}
}

/**
 * The package finds itself by name (Node's self-reference): from dist/ when installed, from a
 * host's bundled server build through the host's node_modules, from src/ in this repository.
 * A path relative to this file would break once a host's build has moved the code.
 */
function packageSupabaseDir(): string {
	return join(dirname(createRequire(import.meta.url).resolve('bazaar-messaging/package.json')), 'supabase');
}
