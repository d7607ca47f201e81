import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMessaging } from '../../src/lib/server/migrations/migrate-messaging.ts';
import { ObsoleteMigrationsError, applyShim, migrationFiles } from '../../src/lib/server/migrations/runner.ts';
import { scratchDatabase, testPool } from '../support/database.ts';

/*
 * migrateMessaging is what a host on plain PostgreSQL calls at every start (and what the demo's
 * start calls): the shim, then the package's migrations, recorded where `supabase db push`
 * records them. tests/db/supabase-cli.test.ts runs it after the CLI; the host-app browser test
 * runs it from the packed package.
 */

const admin = testPool();
const files = migrationFiles(join(process.cwd(), 'supabase', 'migrations'));
const versions = (only: (name: string) => boolean = () => true) => files.filter((file) => only(file.name)).map((file) => file.version);

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<T>(text, values)).rows;
	} finally {
		await client.end();
	}
}

const history = async (url: string) =>
	(await query<{ version: string; name: string }>(url, 'select version, name from supabase_migrations.schema_migrations order by version')).map(
		(row) => `${row.version}_${row.name}`
	);

/** The history table as the Supabase CLI creates it (more columns than ours), with the rows given. */
async function cliHistory(url: string, rows: [version: string, name: string][]) {
	await query(
		url,
		`create schema if not exists supabase_migrations;
		 create table if not exists supabase_migrations.schema_migrations (
		   version text not null primary key, statements text[], name text,
		   created_by text, idempotency_key text unique, rollback text[])`
	);
	for (const [version, name] of rows) {
		await query(url, 'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [version, name, ['select 1']]);
	}
}

describe('migrateMessaging at every start', () => {
	let db: Awaited<ReturnType<typeof scratchDatabase>>;
	beforeAll(async () => {
		db = await scratchDatabase(admin);
	});
	afterAll(() => db?.drop());

	it('two starts at once on a fresh database (an app and its worker) apply the shim and each package file once', async () => {
		const runs = await Promise.all([migrateMessaging({ connectionString: db.url }), migrateMessaging({ connectionString: db.url })]);
		expect(runs.map((applied) => applied.length).sort((a, b) => a - b)).toEqual([0, files.length]);
		expect(runs.flat()).toEqual(versions());
		expect(await history(db.url)).toEqual(files.map((file) => `${file.version}_${file.name}`));
		const [shim] = await query<{ uid: string | null }>(db.url, 'select auth.uid() as uid');
		expect(shim).toEqual({ uid: null });
	});

	it('a later start applies nothing and leaves the host’s own migrations in the history alone', async () => {
		const pool = new pg.Pool({ connectionString: db.url, max: 1 });
		// pool.end() settles before its clients' sockets close, and the database is dropped (with
		// force) right after this test: a client still closing then hears the termination.
		pool.on('error', () => {});
		try {
			await cliHistory(db.url, [['20270101000000', 'host_listings_search']]);
			expect(await migrateMessaging({ pool })).toEqual([]);
			expect(await history(db.url)).toContain('20270101000000_host_listings_search');
		} finally {
			await pool.end();
		}
	});
});

describe('migrateMessaging refuses', () => {
	it('a history naming a messaging migration that no file carries, applying nothing', async () => {
		const db = await scratchDatabase(admin);
		try {
			await cliHistory(db.url, [['20270101000000', 'messaging_renamed_later']]);
			const failure = await migrateMessaging({ connectionString: db.url }).catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(ObsoleteMigrationsError);
			expect((failure as ObsoleteMigrationsError).obsolete).toEqual(['20270101000000_messaging_renamed_later']);
			expect(await query(db.url, `select tablename from pg_tables where schemaname = 'public'`)).toEqual([]);
		} finally {
			await db.drop();
		}
	});
});

describe('migrateMessaging for a host with its own marketplace', () => {
	it('marketplace: false applies the messaging files only, on the host’s own profiles and products', async () => {
		const db = await scratchDatabase(admin);
		try {
			// The host's tables: what the marketplace files make, applied as the host's own schema
			// (its catalogue's policies, the last marketplace file, stay the host's business).
			const client = new pg.Client({ connectionString: db.url });
			await client.connect();
			try {
				await applyShim(client, join(process.cwd(), 'supabase', 'shim'));
			} finally {
				await client.end();
			}
			for (const file of files.filter((f) => /marketplace/.test(f.name) && f.name !== 'marketplace_reserved_listings')) {
				await query(db.url, readFileSync(file.path, 'utf8'));
			}
			const applied = await migrateMessaging({ connectionString: db.url, marketplace: false });
			expect(applied).toEqual(versions((name) => !/marketplace/.test(name)));
			expect(await history(db.url)).toEqual(files.filter((file) => !/marketplace/.test(file.name)).map((file) => `${file.version}_${file.name}`));
			const [rpc] = await query(db.url, `select to_regprocedure('public.unread_total()') is not null as present`);
			expect(rpc).toEqual({ present: true });
		} finally {
			await db.drop();
		}
	});
});
