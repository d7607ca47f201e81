import type pg from 'pg';

/**
 * `client.query` through pg's callback form, settled into a promise of our own.
 *
 * Through pg's promise form (pg 8.23 on node 20), most of what a query allocated outlived V8's
 * young generation: it was promoted and freed only by full collections. A thread page read
 * 2,000 times in a row spent 265 to 274 ms in GC pauses (scavenges of 6 to 7 ms, 4 to 7
 * mark-compacts); through this function, 35 to 48 ms (scavenges of 1 to 1.5 ms, none). Those
 * pauses were the adapter's slowest calls. pg's pool.query already uses the callback form.
 */
export function clientQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
	client: pg.ClientBase,
	query: string | pg.QueryConfig,
	values?: unknown[]
): Promise<pg.QueryResult<R>> {
	return new Promise((resolve, reject) =>
		client.query<R>(typeof query === 'string' ? { text: query, values } : query, (error, result) => (error ? reject(error) : resolve(result)))
	);
}
