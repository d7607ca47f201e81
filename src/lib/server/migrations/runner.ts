import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

export interface MigrationFile {
	version: string;
	name: string;
	path: string;
}

export class MigrationError extends Error {
	constructor(
		readonly file: string,
		readonly cause: Error
	) {
		super(`Migration ${file} failed and was rolled back: ${cause.message}${lineOf(cause)}`);
	}
}

function lineOf(error: Error & { position?: string; sql?: string }): string {
	if (!error.position || !error.sql) return '';
	return ` (line ${error.sql.slice(0, Number(error.position)).split('\n').length})`;
}

/** Supabase CLI file names: `<14-digit version>_<name>.sql`. Anything else is a mistake worth stopping for. */
export function migrationFiles(dir: string): MigrationFile[] {
	return readdirSync(dir)
		.filter((file) => file.endsWith('.sql'))
		.sort()
		.map((file) => {
			const match = /^(\d{14})_([\w-]+)\.sql$/.exec(file);
			if (!match) throw new Error(`${file}: migration files are named <YYYYMMDDHHMMSS>_<name>.sql`);
			return { version: match[1], name: match[2], path: join(dir, file) };
		});
}

// The migrations were re-cut by concern once, before their first release: every version
// below this one belongs to files that were replaced then.
const RECUT = { version: '20261205000000', date: '2026-12-05' };

/**
 * The history lists versions that no file in the folder carries: the database was migrated
 * with files since deleted or renamed, and applying the folder on top of it would build a
 * schema nobody wrote. Nothing is applied; only a fresh database fixes it.
 */
export class ObsoleteMigrationsError extends Error {
	/** `<version>_<name>` of each applied migration without a file, oldest first. */
	readonly obsolete: string[];

	constructor(applied: AppliedMigration[], reset: string) {
		const obsolete = applied.map((row) => (row.name ? `${row.version}_${row.name}` : row.version));
		const why = applied.every((row) => row.version < RECUT.version)
			? `The migrations were re-cut on ${RECUT.date}; a database migrated before that cannot be upgraded in place.`
			: 'An applied migration file was renamed or deleted, so this database cannot be upgraded in place.';
		super(`This database was migrated with migration files that no longer exist (${obsolete.join(', ')}). ${why} ${reset}`);
		this.obsolete = obsolete;
	}
}

export interface MigrateOptions {
	/** What to do to start from a fresh database in this setup, said to the person running it. */
	reset?: string;
	/** The files to apply (default all). The others are left out, yet their history rows are not obsolete. */
	apply?: (file: MigrationFile) => boolean;
	/**
	 * The history rows this folder answers for (default all). A database shared with other
	 * migrations (a host's own, applied by the Supabase CLI) holds rows no file here carries,
	 * and those are not a sign of a renamed or deleted file.
	 */
	owns?: (row: AppliedMigration) => boolean;
}

export interface AppliedMigration {
	version: string;
	name: string | null;
}

// The table `supabase db push` reads and writes, so both runners agree on what is applied.
const HISTORY_DDL = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
)`;

// Any fixed number works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK = 7_361_002_113;

/**
 * Applies every file not yet recorded, in file-name order, each in its own transaction
 * with its history row. Concurrent runners serialise on an advisory lock. Returns the
 * versions applied now. Refuses, applying nothing, a database whose history holds versions
 * no file has among the rows it `owns` (ObsoleteMigrationsError); rows for files that exist,
 * whoever wrote them (this runner or the Supabase CLI), are simply applied migrations.
 */
export async function migrate(client: pg.ClientBase, dir: string, options: MigrateOptions = {}): Promise<string[]> {
	const files = migrationFiles(dir);
	const { apply = () => true, owns = () => true } = options;
	// Before the history's DDL: two processes starting on a fresh database (an app and its
	// worker) would otherwise both create its schema, and one would fail on the catalog's unique index.
	await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
	try {
		await client.query(HISTORY_DDL);
		const { rows } = await client.query<AppliedMigration>('select version, name from supabase_migrations.schema_migrations order by version');
		const known = new Set(files.map((file) => file.version));
		const obsolete = rows.filter((row) => !known.has(row.version) && owns(row));
		if (obsolete.length > 0) {
			throw new ObsoleteMigrationsError(obsolete, options.reset ?? 'Drop and recreate the database, then start again.');
		}
		const applied = new Set(rows.map((row) => row.version));
		const done: string[] = [];
		for (const file of files) {
			if (applied.has(file.version) || !apply(file)) continue;
			const sql = readFileSync(file.path, 'utf8');
			try {
				await client.query('begin');
				await client.query(sql);
				await client.query(
					'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
					[file.version, file.name, [sql]]
				);
				await client.query('commit');
			} catch (error) {
				await client.query('rollback');
				Object.assign(error as object, { sql });
				throw new MigrationError(`${file.version}_${file.name}.sql`, error as Error);
			}
			done.push(file.version);
		}
		return done;
	} finally {
		await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
	}
}

/** The shim's files, in order; each is idempotent and runs at every start on plain PostgreSQL. */
export async function applyShim(client: pg.ClientBase, dir: string): Promise<void> {
	const { rows } = await client.query(`select 1 from pg_roles where rolname = 'supabase_auth_admin'`);
	if (rows.length > 0) return; // a Supabase database has the real thing
	await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
	try {
		for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
			await client.query(readFileSync(join(dir, file), 'utf8'));
		}
	} finally {
		await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
	}
}
