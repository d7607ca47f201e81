// clientQuery answers as pg's promise form would: the result (one per statement for a message of
// several), the values bound, a named statement prepared once, and PostgreSQL's error with its code.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { clientQuery } from '../../src/lib/server/messaging/backend/client-query.ts';
import { testPool } from '../support/database.ts';

describe('clientQuery', () => {
	const db = testPool();

	async function withClient<T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		const client = await db.connect();
		try {
			return await use(client);
		} finally {
			client.release();
		}
	}

	it('answers a message of several statements with one result each, in order', async () => {
		const results = (await withClient((client) => clientQuery(client, 'select 1 as a; select 2 as b'))) as unknown as pg.QueryResult[];
		expect(results.map((result) => result.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]]);
	});

	it('binds values, and runs a named statement again with new ones', async () => {
		const rows = await withClient(async (client) => {
			const named = { name: 'client_query_test', text: 'select $1::int * 2 as doubled' };
			const first = await clientQuery<{ doubled: number }>(client, { ...named, values: [3] });
			const second = await clientQuery<{ doubled: number }>(client, { ...named, values: [5] });
			const plain = await clientQuery<{ sum: number }>(client, 'select $1::int + $2::int as sum', [2, 40]);
			return [first.rows[0].doubled, second.rows[0].doubled, plain.rows[0].sum];
		});
		expect(rows).toEqual([6, 10, 42]);
	});

	it("rejects with PostgreSQL's error, and the connection answers the next query", async () => {
		await withClient(async (client) => {
			await expect(clientQuery(client, 'select 1 / 0')).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
			expect((await clientQuery<{ ok: boolean }>(client, 'select true as ok')).rows).toEqual([{ ok: true }]);
		});
	});
});
