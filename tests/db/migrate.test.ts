import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, migrate, migrationFiles } from '../../src/lib/server/db/migrate.ts';
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

	it('the project migrations are all recorded in the test database', async () => {
		const files = migrationFiles(join(process.cwd(), 'supabase', 'migrations'));
		const { rows } = await admin.query('select version from supabase_migrations.schema_migrations order by version');
		expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
	});
});
