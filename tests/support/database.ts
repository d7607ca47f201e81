import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { SessionClaims } from '../../src/lib/server/auth/jwt.ts';
import { migrateMessaging } from '../../src/lib/server/migrations/migrate-messaging.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { asUser } from '../../src/lib/server/messaging/backend/request-scope.ts';

/** A pool on the run's throwaway database, closed after the file's tests. */
export function testPool(): pg.Pool {
	const pool = createPool(inject('databaseUrl'), { max: 6 });
	afterAll(() => pool.end());
	return pool;
}

export function claimsFor(userId: string, email = `${userId}@example.test`): SessionClaims {
	const iat = Math.floor(Date.now() / 1000);
	// The database reads only sub and role; the session is the server's business (tests/db/local-sessions).
	return { sub: userId, role: 'authenticated', aud: 'authenticated', email, session_id: userId, iat, exp: iat + 3600 };
}

/** Runs SQL exactly as a signed-in user's request would (claims + role authenticated). */
export function sqlAs<T extends pg.QueryResultRow = Record<string, unknown>>(
	pool: pg.Pool,
	userId: string | null,
	text: string,
	values: unknown[] = []
): Promise<T[]> {
	return asUser(pool, userId ? claimsFor(userId) : null, async (client) => (await client.query<T>(text, values)).rows);
}

/**
 * How many times `text`, run as a signed-in user's request would run it, called the function `fn`
 * (as a regprocedure: 'private.render_event(public.messaging_events, integer)'): PostgreSQL's own
 * count, kept in the backend until it reports it, so read before and after. Rolled back.
 */
export function functionCallsAs(pool: pg.Pool, userId: string, fn: string, text: string, values: unknown[] = []): Promise<number> {
	return countedAs(pool, userId, 'pg_stat_get_xact_function_calls($1::regprocedure)', fn, text, values);
}

/** How many scans of `table` (sequential or by an index) `text` made, counted as functionCallsAs counts. */
export function tableScansAs(pool: pg.Pool, userId: string, table: string, text: string, values: unknown[] = []): Promise<number> {
	return countedAs(pool, userId, '(select t.seq_scan + coalesce(t.idx_scan, 0) from pg_stat_xact_all_tables t where t.relid = $1::regclass)', table, text, values);
}

async function countedAs(pool: pg.Pool, userId: string, counter: string, of: string, text: string, values: unknown[]): Promise<number> {
	const client = await pool.connect();
	const count = async () => Number((await client.query<{ n: string | null }>(`select ${counter} as n`, [of])).rows[0].n ?? 0);
	try {
		await client.query('begin');
		// A superuser's setting: before the role changes.
		await client.query(`set local track_functions = 'all'`);
		const before = await count();
		await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [JSON.stringify(claimsFor(userId))]);
		await client.query(text, values);
		await client.query('reset role');
		return (await count()) - before;
	} finally {
		await client.query('rollback');
		client.release();
	}
}

/** A fresh, empty database on the same cluster, for tests that need a schema of their own. */
export async function scratchDatabase(admin: pg.Pool): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `scratch_${Math.random().toString(36).slice(2, 10)}`;
	await admin.query(`create database ${name}`);
	const url = new URL(inject('databaseUrl'));
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		drop: async () => {
			// A pool's end() resolves before its connections have closed, and a forced drop in between
			// terminates them: the FATAL reached a client still closing as an uncaught error. Wait for
			// them (two seconds at most); force only what is left.
			for (let wait = 0; wait < 100; wait++) {
				const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
				if (rows[0].n === 0) break;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			await admin.query(`drop database if exists ${name} with (force)`);
		}
	};
}

/**
 * A fresh database with the shim and every migration applied, for tests that change what the
 * whole database shares (the messaging settings) or need a data set of their own; dropped after
 * the file's tests.
 */
export async function migratedScratchDatabase(admin: pg.Pool): Promise<{ url: string; drop(): Promise<void> }> {
	const scratch = await scratchDatabase(admin);
	await migrateMessaging({ connectionString: scratch.url });
	return scratch;
}
