import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { claimsFor, scratchDatabase, sqlAs, testPool } from '../support/database.ts';
import { signInWithPassword } from '../../src/lib/server/auth/local-auth.ts';
import { readConfig } from '../../src/lib/server/config.ts';
import { prepareDatabase } from '../../src/lib/server/db/database.ts';
import { applyShim } from '../../src/lib/server/migrations/runner.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../src/lib/server/db/seed.ts';
import { asUser } from '../../src/lib/server/messaging/backend/request-scope.ts';

const db = testPool();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

/** A pool on a fresh database of the test cluster, dropped after the test. */
async function scratchPool(): Promise<{ url: string; pool: pg.Pool }> {
	const scratch = await scratchDatabase(db);
	const pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
	pool.on('error', () => {});
	cleanups.push(scratch.drop, () => pool.end());
	return { url: scratch.url, pool };
}

/** name -> type of each column, as format_type prints it. */
async function columns(pool: pg.Pool, table: string): Promise<Record<string, string>> {
	const { rows } = await pool.query<{ attname: string; type: string }>(
		`select attname, format_type(atttypid, atttypmod) as type from pg_attribute
		  where attrelid = $1::regclass and attnum > 0 and not attisdropped`,
		[table]
	);
	return Object.fromEntries(rows.map((r) => [r.attname, r.type]));
}

// Supabase Auth's names and types for the columns the seed and our code use, and those it
// requires non-null (from its migrations and a dump of a Supabase project's auth schema).
const SUPABASE_USERS = {
	instance_id: 'uuid',
	id: 'uuid',
	aud: 'character varying(255)',
	role: 'character varying(255)',
	email: 'character varying(255)',
	encrypted_password: 'character varying(255)',
	email_confirmed_at: 'timestamp with time zone',
	confirmation_token: 'character varying(255)',
	recovery_token: 'character varying(255)',
	email_change_token_new: 'character varying(255)',
	email_change: 'character varying(255)',
	email_change_token_current: 'character varying(255)',
	phone_change: 'text',
	phone_change_token: 'character varying(255)',
	reauthentication_token: 'character varying(255)',
	raw_app_meta_data: 'jsonb',
	raw_user_meta_data: 'jsonb',
	created_at: 'timestamp with time zone',
	updated_at: 'timestamp with time zone',
	is_sso_user: 'boolean',
	is_anonymous: 'boolean'
};
const SUPABASE_IDENTITIES = {
	provider_id: 'text',
	user_id: 'uuid',
	identity_data: 'jsonb',
	provider: 'text',
	last_sign_in_at: 'timestamp with time zone',
	created_at: 'timestamp with time zone',
	updated_at: 'timestamp with time zone',
	id: 'uuid'
};
const TOKEN_COLUMNS = [
	'confirmation_token',
	'recovery_token',
	'email_change_token_new',
	'email_change',
	'email_change_token_current',
	'phone_change',
	'phone_change_token',
	'reauthentication_token'
];

describe('Supabase shim', () => {
	it('auth.uid(), auth.role() and auth.jwt() follow the request claims', async () => {
		const id = '5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11';
		const [row] = await sqlAs(db, id, 'select auth.uid() as uid, auth.role() as role, auth.jwt() ->> $1 as email, current_user as who', ['email']);
		expect(row).toEqual({ uid: id, role: 'authenticated', email: `${id}@example.test`, who: 'authenticated' });
	});

	it('a visitor without a session is anon with no uid', async () => {
		const [row] = await sqlAs(db, null, 'select auth.uid() as uid, auth.role() as role, current_user as who');
		expect(row).toEqual({ uid: null, role: 'anon', who: 'anon' });
	});

	it('the claims do not outlive the transaction that set them', async () => {
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claimsFor('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11'))]);
			expect((await client.query('select auth.uid() as uid')).rows[0].uid).toBe('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11');
			await client.query('commit');
			expect((await client.query('select auth.uid() as uid, current_user as who')).rows[0]).toEqual({ uid: null, who: 'postgres' });
		} finally {
			client.release();
		}
	});

	it('a failing request leaves the pooled connection clean for the next one', async () => {
		await expect(
			asUser(db, claimsFor('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11'), (c) => c.query('select * from auth.users'))
		).rejects.toThrow('permission denied for table users');
		const rows = await Promise.all(Array.from({ length: 8 }, () => db.query('select current_user as who, auth.uid() as uid')));
		expect(rows.map((r) => r.rows[0])).toEqual(Array(8).fill({ who: 'postgres', uid: null }));
	});

	it('the API roles exist with Supabase-like powers', async () => {
		const { rows } = await db.query(
			`select rolname, rolcanlogin, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by 1`
		);
		expect(rows).toEqual([
			{ rolname: 'anon', rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'authenticated', rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'service_role', rolcanlogin: false, rolbypassrls: true }
		]);
	});
});

describe('Supabase Auth tables in the shim, and the demo logins', () => {
	it('auth.users and auth.identities have Supabase Auth’s columns and types', async () => {
		expect(await columns(db, 'auth.users')).toEqual(SUPABASE_USERS);
		expect(await columns(db, 'auth.identities')).toEqual(SUPABASE_IDENTITIES);
		const { rows } = await db.query(
			`select conname from pg_constraint where conrelid = 'auth.identities'::regclass and contype in ('p', 'u', 'f') order by 1`
		);
		expect(rows.map((r) => r.conname)).toEqual(['identities_pkey', 'identities_provider_id_provider_unique', 'identities_user_id_fkey']);
	});

	it('the shim brings an auth.users made by an earlier shim up to Supabase’s columns, keeping its rows, and a second run changes nothing', async () => {
		const { pool } = await scratchPool();
		await pool.query(`
			create schema auth;
			create table auth.users (
			  id uuid primary key default gen_random_uuid(),
			  email text unique,
			  encrypted_password text,
			  raw_user_meta_data jsonb not null default '{}'::jsonb,
			  created_at timestamptz not null default now()
			);
			insert into auth.users (id, email, encrypted_password) values ('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11', 'old@example.test', 'hash');`);
		const shim = join(readConfig({}).supabaseDir, 'shim');
		const client = await pool.connect();
		try {
			await applyShim(client, shim);
			const shaped = { users: await columns(pool, 'auth.users'), identities: await columns(pool, 'auth.identities') };
			expect(shaped).toEqual({ users: SUPABASE_USERS, identities: SUPABASE_IDENTITIES });
			await applyShim(client, shim);
			expect({ users: await columns(pool, 'auth.users'), identities: await columns(pool, 'auth.identities') }).toEqual(shaped);
		} finally {
			client.release();
		}
		const { rows } = await pool.query(
			'select email, encrypted_password, email_change_token_current, is_sso_user, is_anonymous from auth.users'
		);
		expect(rows).toEqual([
			{ email: 'old@example.test', encrypted_password: 'hash', email_change_token_current: '', is_sso_user: false, is_anonymous: false }
		]);
	});

	it('the seed inserts complete Supabase Auth rows and identities, its logins sign in, and seeding again changes nothing', async () => {
		const { url, pool } = await scratchPool();
		await prepareDatabase(readConfig({ DATABASE_URL: url, BAZAAR_SEED: '1' }));

		const emails = DEMO_LOGINS.map((login) => login.email);
		const { rows: users } = await pool.query(
			`select u.email, u.instance_id, u.aud, u.role, u.email_confirmed_at is not null as confirmed,
			        u.updated_at is not null as updated, u.raw_app_meta_data, ${TOKEN_COLUMNS.map((c) => `u.${c}`).join(', ')}
			   from auth.users u where u.email = any($1) order by u.email`,
			[emails]
		);
		expect(users).toEqual(
			[...emails].sort().map((email) => ({
				email,
				instance_id: '00000000-0000-0000-0000-000000000000',
				aud: 'authenticated',
				role: 'authenticated',
				confirmed: true,
				updated: true,
				raw_app_meta_data: { provider: 'email', providers: ['email'] },
				...Object.fromEntries(TOKEN_COLUMNS.map((column) => [column, '']))
			}))
		);
		const { rows: identities } = await pool.query(
			`select u.email, i.provider, i.provider_id = u.id::text as provider_id_is_user_id, i.identity_data,
			        i.last_sign_in_at is not null and i.created_at is not null and i.updated_at is not null as timestamps
			   from auth.identities i join auth.users u on u.id = i.user_id where u.email = any($1) order by u.email`,
			[emails]
		);
		expect(identities).toEqual(
			users.map((user) => ({
				email: user.email,
				provider: 'email',
				provider_id_is_user_id: true,
				identity_data: { sub: expect.any(String), email: user.email, email_verified: true, phone_verified: false },
				timestamps: true
			}))
		);
		for (const email of emails) {
			expect(await signInWithPassword(pool, 'test-secret-that-is-long-enough-for-hs256', email, DEMO_PASSWORD)).not.toBeNull();
		}

		const everything = async () => {
			const { rows } = await pool.query(`
				select (select jsonb_agg(to_jsonb(u) order by u.id) from auth.users u) as users,
				       (select jsonb_agg(to_jsonb(i) order by i.id) from auth.identities i) as identities,
				       (select jsonb_agg(to_jsonb(p) order by p.id) from public.profiles p) as profiles,
				       (select jsonb_agg(to_jsonb(p) order by p.id) from public.products p) as products,
				       (select jsonb_agg(to_jsonb(c) order by c.id) from public.conversations c) as conversations,
				       (select jsonb_agg(to_jsonb(m) order by m.conversation_id, m.user_id) from public.conversation_members m) as members,
				       (select jsonb_agg(to_jsonb(m) - 'search' order by m.id) from public.messages m) as messages,
				       (select jsonb_agg(to_jsonb(e) order by e.user_id, e.id) from public.messaging_events e) as events`);
			return rows[0];
		};
		const before = await everything();
		expect(before.messages).toHaveLength(4);
		await prepareDatabase(readConfig({ DATABASE_URL: url, BAZAAR_SEED: '1' }));
		expect(await everything()).toEqual(before);

		// With contact masking on (a run with BAZAAR_CONTACT_MASKING=on before): send_message refuses
		// unscreened text then, and the next start failed in the seed. It still changes nothing, and masking stays on.
		await pool.query('update public.messaging_settings set contact_masking = true');
		await prepareDatabase(readConfig({ DATABASE_URL: url, BAZAAR_SEED: '1' }));
		expect(await everything()).toEqual(before);
		expect((await pool.query('select contact_masking from public.messaging_settings')).rows).toEqual([{ contact_masking: true }]);
	});

	it('a demo member who deleted their account stays deleted, and the next start seeds the rest', async () => {
		const { url, pool } = await scratchPool();
		await prepareDatabase(readConfig({ DATABASE_URL: url, BAZAAR_SEED: '1' }));
		const ana = (await pool.query<{ id: string }>(`select id from auth.users where email = 'ana@example.com'`)).rows[0].id;
		// As the account page does it: erase_my_account as Ana, then her login goes.
		await asUser(pool, claimsFor(ana), (client) => client.query('select public.erase_my_account()'));
		await pool.query('delete from auth.users where id = $1', [ana]);

		// The next start failed here: the seed made her login again, and its profile clashed with the one left saying she left.
		await prepareDatabase(readConfig({ DATABASE_URL: url, BAZAAR_SEED: '1' }));
		expect((await pool.query(`select email from auth.users where email = any($1) order by email`, [DEMO_LOGINS.map((l) => l.email)])).rows).toEqual([
			{ email: 'ben@example.com' },
			{ email: 'lee@example.com' },
			{ email: 'sam@example.com' }
		]);
		expect(await signInWithPassword(pool, 'test-secret-that-is-long-enough-for-hs256', 'ana@example.com', DEMO_PASSWORD)).toBeNull();
	});
});
