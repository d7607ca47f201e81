import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/lib/server/config.ts';
import { prepareDatabase } from '../../src/lib/server/db/database.ts';
import { MigrationError, ObsoleteMigrationsError, migrate, migrationFiles } from '../../src/lib/server/migrations/runner.ts';
import { scratchDatabase, testPool } from '../support/database.ts';

const admin = testPool();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

async function scratchClient() {
	const db = await scratchDatabase(admin);
	const client = new pg.Client({ connectionString: db.url });
	await client.connect();
	cleanups.push(db.drop, () => client.end());
	return client;
}

function migrationsDir(files: Record<string, string>): string {
	const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
	for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
	return dir;
}

/** History rows as the Supabase CLI writes them, in its own table (which has more columns than ours). */
async function recordApplied(client: pg.ClientBase, rows: [version: string, name: string][]) {
	await client.query(`
		create schema if not exists supabase_migrations;
		create table if not exists supabase_migrations.schema_migrations (
		  version text not null primary key, statements text[], name text,
		  created_by text, idempotency_key text unique, rollback text[]
		)`);
	for (const [version, name] of rows) {
		await client.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
			version,
			name,
			['select 1']
		]);
	}
}

const publicTables = async (client: pg.ClientBase) =>
	(await client.query(`select tablename from pg_tables where schemaname = 'public' order by 1`)).rows.map((r) => r.tablename);

describe('migration runner', () => {
	it('applies files in name order, records them like the Supabase CLI, and applies nothing on a re-run', async () => {
		const client = await scratchClient();
		const dir = migrationsDir({
			'20260101000002_add_column.sql': 'alter table things add column colour text;',
			'20260101000001_create_things.sql': 'create table things (id int primary key);'
		});
		expect(await migrate(client, dir)).toEqual(['20260101000001', '20260101000002']);
		expect(await migrate(client, dir)).toEqual([]);
		const { rows } = await client.query(
			'select version, name, statements from supabase_migrations.schema_migrations order by version'
		);
		expect(rows).toEqual([
			{ version: '20260101000001', name: 'create_things', statements: ['create table things (id int primary key);'] },
			{ version: '20260101000002', name: 'add_column', statements: ['alter table things add column colour text;'] }
		]);
		const columns = await client.query(`select column_name from information_schema.columns where table_name = 'things' order by 1`);
		expect(columns.rows.map((r) => r.column_name)).toEqual(['colour', 'id']);
	});

	it('rolls back a failing migration and names the file, the error and the line', async () => {
		const client = await scratchClient();
		const dir = migrationsDir({
			'20260101000001_ok.sql': 'create table kept (id int);',
			'20260101000002_broken.sql': 'create table half (id int);\ninsert into half values (1);\nselect * from missing_table;',
			'20260101000003_after.sql': 'create table never (id int);'
		});
		const failure = await migrate(client, dir).catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(MigrationError);
		expect((failure as Error).message).toBe(
			'Migration 20260101000002_broken.sql failed and was rolled back: relation "missing_table" does not exist (line 3)'
		);
		const tables = await client.query(`select tablename from pg_tables where schemaname = 'public' order by 1`);
		expect(tables.rows.map((r) => r.tablename)).toEqual(['kept']);
		const history = await client.query('select version from supabase_migrations.schema_migrations');
		expect(history.rows.map((r) => r.version)).toEqual(['20260101000001']);
	});

	it('refuses a file that is not named <version>_<name>.sql', () => {
		const dir = migrationsDir({ 'create_things.sql': 'select 1;' });
		expect(() => migrationFiles(dir)).toThrow('create_things.sql: migration files are named <YYYYMMDDHHMMSS>_<name>.sql');
	});

	it('refuses a database migrated before the re-cut, applies nothing and says how to start over', async () => {
		const client = await scratchClient();
		const dir = migrationsDir({ '20261205000100_create_things.sql': 'create table things (id int primary key);' });
		await recordApplied(client, [
			['20261124000100', 'marketplace'],
			['20261124000200', 'messaging_schema']
		]);
		const failure = await migrate(client, dir, { reset: 'Delete the data directory (/srv/data/postgres) and run npm run dev again.' }).catch(
			(error: unknown) => error
		);
		expect(failure).toBeInstanceOf(ObsoleteMigrationsError);
		expect((failure as Error).message).toBe(
			'This database was migrated with migration files that no longer exist (20261124000100_marketplace, 20261124000200_messaging_schema). ' +
				'The migrations were re-cut on 2026-12-05; a database migrated before that cannot be upgraded in place. ' +
				'Delete the data directory (/srv/data/postgres) and run npm run dev again.'
		);
		expect(await publicTables(client)).toEqual([]);
	});

	it('refuses a database whose applied migration file was later renamed or deleted', async () => {
		const client = await scratchClient();
		const dir = migrationsDir({ '20270101000001_create_things.sql': 'create table things (id int primary key);' });
		await recordApplied(client, [['20270101000002', 'gone']]);
		await expect(migrate(client, dir)).rejects.toThrow(
			'This database was migrated with migration files that no longer exist (20270101000002_gone). ' +
				'An applied migration file was renamed or deleted, so this database cannot be upgraded in place. ' +
				'Drop and recreate the database, then start again.'
		);
	});

	it('history rows the Supabase CLI wrote for files that exist count as applied, not as obsolete', async () => {
		const client = await scratchClient();
		const dir = migrationsDir({
			'20260101000001_create_things.sql': 'create table things (id int primary key);',
			'20260101000002_create_others.sql': 'create table others (id int primary key);'
		});
		await recordApplied(client, [['20260101000001', 'create_things']]);
		expect(await migrate(client, dir)).toEqual(['20260101000002']);
		expect(await publicTables(client)).toEqual(['others']);
	});

	it('a DATABASE_URL database migrated before the re-cut fails to start, saying to drop and recreate that database', async () => {
		const db = await scratchDatabase(admin);
		cleanups.push(db.drop);
		const client = new pg.Client({ connectionString: db.url });
		await client.connect();
		try {
			await recordApplied(client, [['20261124000100', 'marketplace']]);
		} finally {
			await client.end();
		}
		const { hostname, port, pathname } = new URL(db.url);
		const name = pathname.slice(1);
		await expect(prepareDatabase(readConfig({ DATABASE_URL: db.url, BAZAAR_SEED: '0' }))).rejects.toThrow(
			'This database was migrated with migration files that no longer exist (20261124000100_marketplace). ' +
				'The migrations were re-cut on 2026-12-05; a database migrated before that cannot be upgraded in place. ' +
				`This is the DATABASE_URL database "${name}" on ${hostname}:${port}: drop and recreate it ` +
				`(connected to another database: drop database "${name}" with (force); create database "${name}";), then start the app again.`
		);
	});

	it('an embedded database migrated before the re-cut fails to start, naming the data directory to delete', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'bazaar-recut-'));
		cleanups.push(async () => {
			// As root under a 0700 temp folder the cluster is staged elsewhere; LOCATION says where.
			const staged = join(dataDir, 'postgres', 'LOCATION');
			if (existsSync(staged)) rmSync(readFileSync(staged, 'utf8').trim(), { recursive: true, force: true });
			rmSync(dataDir, { recursive: true, force: true });
		});
		const config = readConfig({ BAZAAR_DATA_DIR: dataDir, BAZAAR_DB_PORT: '0', BAZAAR_SEED: '0' });
		const first = await prepareDatabase(config);
		const clusterDir = first.cluster!.dataDir;
		try {
			const client = new pg.Client({ connectionString: first.url });
			await client.connect();
			try {
				await recordApplied(client, [['20261124000100', 'marketplace']]);
			} finally {
				await client.end();
			}
		} finally {
			await first.cluster!.stop();
		}
		const failure = await prepareDatabase(config).then(
			(started) => started.cluster?.stop(), // started after all: stop it, and fail below
			(error: unknown) => error
		);
		expect((failure as Error | undefined)?.message).toBe(
			'This database was migrated with migration files that no longer exist (20261124000100_marketplace). ' +
				'The migrations were re-cut on 2026-12-05; a database migrated before that cannot be upgraded in place. ' +
				`Delete the data directory (${clusterDir}) and run npm run dev again, which starts from a fresh database.`
		);
	}, 60_000);

	it('the project migrations are all recorded in the test database', async () => {
		const files = migrationFiles(join(process.cwd(), 'supabase', 'migrations'));
		const { rows } = await admin.query('select version from supabase_migrations.schema_migrations order by version');
		expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
	});
});
