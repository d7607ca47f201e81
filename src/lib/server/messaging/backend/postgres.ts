import pg from 'pg';
import { isDatabaseUnavailable, messagingErrorFrom, MessagingError, UNAVAILABLE_MESSAGE } from '$lib/messaging/errors';
import type { RequestClaims } from './request-scope';
import { rpcMessagingBackend, type BackendOptions, type MessagingBackend, type RpcCall } from './messaging-backend';

const FUNCTION_NAME = /^[a-z_]+$/;
const ARGUMENT_NAME = /^p_[a-z_]+$/;

/** An argument as an SQL literal; PostgreSQL types it from the function's parameter. */
function literal(value: unknown): string {
	if (value === null || value === undefined) return 'null';
	if (typeof value === 'boolean') return String(value);
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new MessagingError('invalid_input', 'Some of what was sent is not valid.');
		return String(value);
	}
	if (typeof value === 'string') {
		// A query string cannot carry NUL, and no text of ours may contain it.
		if (value.includes('\0')) throw new MessagingError('invalid_input', 'Text cannot contain NUL characters.');
		return pg.escapeLiteral(value);
	}
	if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
		// An array literal of quoted elements ({"a","b"}); the parameter's type (uuid[]) parses it.
		return literal(`{${value.map((item: string) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
	}
	throw new Error(`Not an RPC argument value: ${typeof value}`);
}

/**
 * Calls an RPC as PostgREST would: one transaction with the user's claims and role set, a
 * named-argument call, and the result as JSON (rows aggregated into an array, as PostgREST
 * returns them), so both adapters hand the same shapes to the same parsers.
 *
 * One round trip: the claims, the role and the call travel as one simple-protocol message,
 * which PostgreSQL runs as one implicit transaction (the settings are transaction-local, and
 * an error rolls everything back). The arguments are therefore literals, not parameters;
 * names are checked and values escaped.
 */
export function postgresRpc(pool: pg.Pool, claims: RequestClaims | null): RpcCall {
	return async (name, args, shape) => {
		// The types allow only generated names, but a cast gets past types, and these names become SQL.
		if (!FUNCTION_NAME.test(name)) throw new Error(`Not an RPC name: ${name}`);
		const named: [string, unknown][] = Object.entries(args);
		for (const [arg] of named) if (!ARGUMENT_NAME.test(arg)) throw new Error(`Not an RPC argument: ${arg}`);
		const call = `public.${name}(${named.map(([arg, value]) => `${arg} => ${literal(value)}`).join(', ')})`;
		const select =
			// json, as PostgREST builds it: jsonb would parse and sort every row's keys only to print them again.
			shape === 'rows' ? `select coalesce(json_agg(r), '[]'::json) as result from ${call} r` : `select to_json(${call}) as result`;
		// Signed out, the call runs as anon, as PostgREST runs it: only what anon is granted answers.
		const sql = `select set_config('request.jwt.claims', ${literal(JSON.stringify(claims ?? { role: 'anon' }))}, true), set_config('role', '${claims ? 'authenticated' : 'anon'}', true); ${select}`;
		const client = await pool.connect().catch((error: unknown) => {
			throw isDatabaseUnavailable(error) ? new MessagingError('unavailable', UNAVAILABLE_MESSAGE) : error;
		});
		let broken: Error | undefined;
		try {
			const results = (await client.query(sql)) as unknown as pg.QueryResult<{ result: unknown }>[];
			return results[1].rows[0].result;
		} catch (error) {
			// A connection that failed mid-query is not given back to the pool.
			if (!(error as pg.DatabaseError).code || isDatabaseUnavailable(error)) broken = error as Error;
			if (isDatabaseUnavailable(error)) throw new MessagingError('unavailable', UNAVAILABLE_MESSAGE);
			throw messagingErrorFrom(error as pg.DatabaseError) ?? error;
		} finally {
			client.release(broken);
		}
	};
}

/** The contract over plain PostgreSQL, as the user whose verified claims are given (null: signed out). */
export function postgresMessaging(options: { pool: pg.Pool; claims: RequestClaims | null } & BackendOptions): MessagingBackend {
	return rpcMessagingBackend(postgresRpc(options.pool, options.claims), options);
}
