import type pg from 'pg';
import { clientQuery } from './client-query.js';

/**
 * What RPCs read through auth.uid() and auth.jwt(): the verified user's id as `sub`, with the
 * role PostgREST would switch to. A host app builds these from its own session.
 */
export interface RequestClaims {
	sub: string;
	role: 'authenticated';
	[claim: string]: unknown;
}

/**
 * Runs `work` in one transaction as PostgREST runs a request: the JWT claims in
 * `request.jwt.claims` and the role switched to `authenticated` (or `anon`), both local
 * to the transaction. Row-level security therefore applies exactly as on Supabase.
 */
export async function asUser<T>(
	pool: pg.Pool,
	claims: RequestClaims | null,
	work: (client: pg.PoolClient) => Promise<T>
): Promise<T> {
	const client = await pool.connect();
	let broken: Error | undefined;
	try {
		await clientQuery(client, 'begin');
		await clientQuery(client, `select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)`, [
			JSON.stringify(claims ?? { role: 'anon' }),
			claims ? 'authenticated' : 'anon'
		]);
		const result = await work(client);
		await clientQuery(client, 'commit');
		return result;
	} catch (error) {
		// A connection whose answer never came (timed out, cut) is closed, which ends its transaction:
		// a rollback would queue behind the statement still running.
		if ((error as Error).message === 'Query read timeout') broken = error as Error;
		else await clientQuery(client, 'rollback').catch((rollbackError: Error) => (broken = rollbackError));
		throw error;
	} finally {
		client.release(broken);
	}
}
