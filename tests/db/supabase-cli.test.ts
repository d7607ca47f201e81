import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMessaging } from '../../src/lib/server/migrations/migrate-messaging.ts';
import { applyShim, migrate, migrationFiles, type MigrationFile } from '../../src/lib/server/migrations/runner.ts';
import { scratchDatabase, testPool } from '../support/database.ts';
import { schemaSnapshot } from '../support/schema-snapshot.ts';

/*
 * The path a Supabase user takes: the pinned Supabase CLI applies supabase/migrations with
 * `db push --db-url`, and our runner must agree with it on what is applied and on the schema
 * that results. Both run on fresh databases of the test cluster, each given the shim first, as
 * plain PostgreSQL needs. Every CLI command here reads our config.toml and fails on a value it
 * cannot parse; keys it does not know it ignores, hence the last test.
 *
 * The CLI works in a copy of supabase/ (config.toml and migrations), so nothing it writes
 * lands in the repository, and both runners see the same files even while someone adds one.
 * Its home (SUPABASE_HOME, else ~/.supabase) is in that copy too, and it stays off the network:
 * no telemetry, and no check for a newer release (which asks GitHub and writes
 * supabase/.temp/cli-latest).
 */

const repo = process.cwd();
const cli = join(repo, 'node_modules', '.bin', 'supabase');

const admin = testPool();
let work: string;
let migrations: string;
let files: MigrationFile[];
let pushed: Scratch;
let migrated: Scratch;

type Scratch = Awaited<ReturnType<typeof scratchDatabase>>;

async function supabase(args: string[]): Promise<string> {
	const env = {
		...process.env,
		SUPABASE_HOME: join(work, 'home'),
		SUPABASE_TELEMETRY_DISABLED: '1',
		SUPABASE_NO_UPDATE_NOTIFIER: '1'
	};
	const { stdout } = await promisify(execFile)(cli, args, { cwd: work, env, timeout: 60_000 });
	return stdout;
}

// The CLI insists on TLS unless the URL says otherwise, and the test cluster has none.
const plain = (url: string) => `${url}?sslmode=disable`;

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await use(client);
	} finally {
		await client.end();
	}
}

async function freshDatabase(): Promise<Scratch> {
	const db = await scratchDatabase(admin);
	await withClient(db.url, (client) => applyShim(client, join(repo, 'supabase', 'shim')));
	return db;
}

// Version and name only: the CLI stores a file's statements one per element, we store the file whole.
const history = (url: string) =>
	withClient(url, async (client) => (await client.query('select version, name from supabase_migrations.schema_migrations order by version')).rows);

async function migrationList(url: string): Promise<[local: string, remote: string][]> {
	const listed = JSON.parse(await supabase(['migration', 'list', '--db-url', plain(url), '--workdir', work, '--output-format', 'json']));
	return listed.migrations.map((m: { local: string; remote: string }) => [m.local, m.remote]);
}

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), 'bazaar-supabase-cli-'));
	cpSync(join(repo, 'supabase', 'config.toml'), join(work, 'supabase', 'config.toml'));
	cpSync(join(repo, 'supabase', 'migrations'), join(work, 'supabase', 'migrations'), { recursive: true });
	migrations = join(work, 'supabase', 'migrations');
	files = migrationFiles(migrations);
	[pushed, migrated] = await Promise.all([freshDatabase(), freshDatabase()]);
	await supabase(['db', 'push', '--db-url', plain(pushed.url), '--workdir', work, '--yes']);
	await withClient(migrated.url, (client) => migrate(client, migrations));
});

afterAll(async () => {
	await Promise.all([pushed?.drop(), migrated?.drop()]);
	if (work) rmSync(work, { recursive: true, force: true });
});

describe('the Supabase CLI and our migration runner', () => {
	it('supabase migration list shows every migration file applied, whichever runner applied it', async () => {
		const everyFile = files.map((file): [string, string] => [file.version, file.version]);
		const [afterPush, afterRunner] = await Promise.all([migrationList(pushed.url), migrationList(migrated.url)]);
		expect(afterPush).toEqual(everyFile);
		expect(afterRunner).toEqual(everyFile);
	});

	it('both record the same history, and our runner finds nothing left to apply after supabase db push', async () => {
		const everyFile = files.map((file) => ({ version: file.version, name: file.name }));
		expect(await history(pushed.url)).toEqual(everyFile);
		expect(await history(migrated.url)).toEqual(everyFile);
		expect(await withClient(pushed.url, (client) => migrate(client, migrations))).toEqual([]);
		// What a host calls at every start, shim included: nothing to apply either, and the
		// snapshot test below still finds the pushed schema equal to ours.
		expect(await migrateMessaging({ connectionString: pushed.url })).toEqual([]);
	});

	it('supabase db push and our runner build the same schema', async () => {
		const [byCli, byRunner] = await Promise.all([schemaSnapshot(pushed.url), schemaSnapshot(migrated.url)]);
		expect(byCli.relations.map((relation) => relation.name)).toContain('public.messages');
		expect(byCli).toEqual(byRunner);
	});

	it('supabase/config.toml uses only keys the CLI template has (the CLI ignores unknown keys silently)', async () => {
		const template = mkdtempSync(join(tmpdir(), 'bazaar-supabase-init-'));
		try {
			await supabase(['init', '--workdir', template]);
			const known = new Set(configKeys(readFileSync(join(template, 'supabase', 'config.toml'), 'utf8'), { commented: true }));
			const ours = configKeys(readFileSync(join(work, 'supabase', 'config.toml'), 'utf8'), { commented: false });
			expect(ours.filter((key) => !known.has(key))).toEqual([]);
		} finally {
			rmSync(template, { recursive: true, force: true });
		}
	});
});

/**
 * `table.key` for each assignment in a config.toml; with `commented`, also those the template
 * offers commented out (`# key = …` under `[table]` or `# [table]`). Enough TOML for the CLI's
 * template: one-line keys under [table] headers.
 */
function configKeys(toml: string, { commented }: { commented: boolean }): string[] {
	const keys: string[] = [];
	let table = '';
	for (const raw of toml.split('\n')) {
		const line = commented ? raw.replace(/^#\s*/, '') : raw;
		const header = /^\[([\w.-]+)\]\s*$/.exec(line);
		if (header) table = header[1];
		const key = /^([\w-]+)\s*=/.exec(line);
		if (key) keys.push(table ? `${table}.${key[1]}` : key[1]);
	}
	return keys;
}
