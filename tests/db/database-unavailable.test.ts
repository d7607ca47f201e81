// The database away: every RPC through either adapter fails with one user-facing error,
// `unavailable` (503, "Messages are unavailable right now. Try again in a moment."), never a raw network
// error or a 500; and the error classifier knows a lost connection from a refused request.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from '../../src/lib/messaging/errors.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { contactScreen } from '../../src/lib/server/messaging/contact/screen.ts';
import { supabaseMessaging } from '../../src/lib/server/messaging/backend/supabase.ts';
import { claimsFor, testPool } from '../support/database.ts';
import { createActor, rejection } from '../support/messaging.ts';

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('a database that cannot be reached', () => {
	it('makes the Postgres adapter answer "unavailable", for a signed-in user and a visitor alike', async () => {
		const pool = createPool(`postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/postgres`, { max: 2 });
		try {
			const error = await rejection(postgresMessaging({ pool, claims: claimsFor('11111111-1111-4111-8111-111111111111') }).unreadTotal());
			expect([error.code, error.status, error.message]).toEqual(['unavailable', 503, UNAVAILABLE_MESSAGE]);
			const visitor = await rejection(postgresMessaging({ pool, claims: null }).sellerResponseTime({ sellerId: '11111111-1111-4111-8111-111111111111' }));
			expect(visitor.code).toBe('unavailable');
		} finally {
			await pool.end();
		}
	});

	it('makes the Postgres adapter answer "unavailable" when the server ends the connection mid-request', async () => {
		const db = testPool();
		const actor = await createActor(db);
		const pool = createPool(new URL(String(db.options.connectionString)).toString(), { max: 1 });
		try {
			const messaging = postgresMessaging({ pool, claims: claimsFor(actor.id) });
			await messaging.unreadTotal();
			// The pool's one connection is terminated by the server, as a restart does.
			const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
			expect((await db.query('select pg_terminate_backend($1) as done', [rows[0].pid])).rows).toEqual([{ done: true }]);
			const outcome = await messaging.unreadTotal().then(
				(total) => ({ total }),
				(e: { code?: string }) => ({ code: e.code })
			);
			// Either the pool noticed and reconnected (the answer), or the request met the dead connection: never anything else.
			expect([{ total: 0 }, { code: 'unavailable' }]).toContainEqual(outcome);
			expect(await messaging.unreadTotal()).toBe(0);
		} finally {
			await pool.end();
		}
	});

	it('a connection the server ends while it is checked out fails its next query, and the process carries on', async () => {
		const db = testPool();
		const pool = createPool(new URL(String(db.options.connectionString)).toString(), { max: 1 });
		const client = await pool.connect();
		try {
			const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
			// 57P01 arrives on a client nobody is querying with: an 'error' event no pool listener hears,
			// which without a listener of its own ends the process (vitest reports it as an unhandled error).
			const ended = new Promise<void>((done) => client.once('end', () => done()));
			await db.query('select pg_terminate_backend($1)', [rows[0].pid]);
			await ended;
			await expect(client.query('select 1')).rejects.toThrow();
			client.release(true);
			expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
		} finally {
			await pool.end();
		}
	});

	it('a send whose contact screening cannot read its setting answers "unavailable" too, not a 500', async () => {
		const pool = createPool(`postgresql://postgres:postgres@127.0.0.1:${await closedPort()}/postgres`, { max: 1 });
		try {
			const screen = contactScreen(async () => (await pool.query('select public.contact_screening() as s')).rows[0].s);
			const messaging = postgresMessaging({ pool, claims: claimsFor('11111111-1111-4111-8111-111111111111'), screen });
			const error = await rejection(
				messaging.sendMessage({ id: crypto.randomUUID(), body: 'Hello', to: { otherUserId: '33333333-3333-4333-8333-333333333333', productId: null } })
			);
			expect([error.code, error.status, error.message]).toEqual(['unavailable', 503, UNAVAILABLE_MESSAGE]);
		} finally {
			await pool.end();
		}
	});

	it('makes the Supabase adapter answer "unavailable" when PostgREST cannot reach the database or cannot be reached', async () => {
		const down = (code: string, message: string) => ({ rpc: async () => ({ data: null, error: { code, message, details: '', hint: '', name: 'PostgrestError' } }) });
		for (const [code, message] of [
			['PGRST000', 'Could not connect with the database due to an incorrect db-uri or due to the PostgreSQL service not running.'],
			['PGRST001', 'Could not connect with the database due to an internal error.'],
			['', 'TypeError: fetch failed']
		]) {
			const error = await rejection(supabaseMessaging({ supabase: down(code, message) as never }).unreadTotal());
			expect(error.code, code).toBe('unavailable');
		}
	});

	it('tells connection failures from refusals', () => {
		const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
		expect(isDatabaseUnavailable(coded('ECONNREFUSED'))).toBe(true);
		expect(isDatabaseUnavailable(coded('57P01', 'terminating connection due to administrator command'))).toBe(true);
		expect(isDatabaseUnavailable(coded('08006'))).toBe(true);
		expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
		expect(isDatabaseUnavailable(new AggregateError([coded('ECONNREFUSED')]))).toBe(true);
		expect(isDatabaseUnavailable(coded('42501', 'permission denied for table messages'))).toBe(false);
		expect(isDatabaseUnavailable(coded('BZ001', 'You are sending messages too fast'))).toBe(false);
		expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
	});
});
