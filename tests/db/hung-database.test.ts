// A database that hangs rather than refusing (frozen, a partition): a request gives up after the
// pool's query timeout with "unavailable", the connection that never got its answer is closed
// (a rollback would queue behind the statement still running), and the next request is served.
// Simulated by a lock the request waits on; the app's own timeouts are REQUEST_TIMEOUTS.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createPool, REQUEST_TIMEOUTS } from '../../src/lib/server/db/pool.ts';
import { asUser } from '../../src/lib/server/messaging/backend/request-scope.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { claimsFor, testPool } from '../support/database.ts';
import { marketplace, rejection, send } from '../support/messaging.ts';

const db = testPool();
const TIMEOUT_MS = 400;

describe('a database that stops answering', () => {
	it('a call waiting on it answers "unavailable" after the query timeout, closes its connection, and the next call is served', async () => {
		expect(REQUEST_TIMEOUTS.query_timeout).toBeGreaterThan(TIMEOUT_MS);
		const pool = createPool(inject('databaseUrl'), { ...REQUEST_TIMEOUTS, query_timeout: TIMEOUT_MS, max: 2 });
		const { buyer, seller } = await marketplace(db);
		const first = await send(buyer, seller, 'Hello');
		const stuck = await db.connect();
		try {
			await stuck.query('begin');
			await stuck.query('select from public.conversations where id = $1 for update', [first.conversation_id]);
			const api = postgresMessaging({ pool, claims: claimsFor(buyer.id) });
			const started = Date.now();
			const error = await rejection(api.sendMessage({ id: randomUUID(), body: 'Waiting', conversationId: first.conversation_id }));
			expect(error).toMatchObject({ code: 'unavailable', status: 503 });
			expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 5);
			await expect(asUser(pool, claimsFor(buyer.id), (client) => client.query('select pg_sleep(2)'))).rejects.toThrow('Query read timeout');
			// Neither connection went back to the pool to be handed out mid-statement.
			expect(pool.totalCount).toBe(0);
		} finally {
			await stuck.query('rollback');
			stuck.release();
		}
		const api = postgresMessaging({ pool, claims: claimsFor(buyer.id) });
		await expect(api.sendMessage({ id: randomUUID(), body: 'Served', conversationId: first.conversation_id })).resolves.toMatchObject({ body: 'Served' });
		await pool.end();
	});
});
