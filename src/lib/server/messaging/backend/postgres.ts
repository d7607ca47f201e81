import type pg from 'pg';
import { messagingErrorFrom, MessagingError } from '$lib/messaging/errors';
import { asUser, type RequestClaims } from './request-scope';
import { rpcMessagingBackend, type MessagingBackend, type RpcCall } from './messaging-backend';

const FUNCTION_NAME = /^[a-z_]+$/;
const ARGUMENT_NAME = /^p_[a-z_]+$/;

/**
 * Calls an RPC as PostgREST would: one transaction with the user's claims and role set, a
 * named-argument call, and the result as JSON (rows aggregated into an array, as PostgREST
 * returns them), so both adapters hand the same shapes to the same parsers.
 */
export function postgresRpc(pool: pg.Pool, claims: RequestClaims | null): RpcCall {
	return async (name, args, shape) => {
		if (!claims) throw new MessagingError('not_authenticated', 'Sign in to use messages.');
		if (!FUNCTION_NAME.test(name)) throw new Error(`Not an RPC name: ${name}`);
		const names = Object.keys(args);
		for (const arg of names) if (!ARGUMENT_NAME.test(arg)) throw new Error(`Not an RPC argument: ${arg}`);
		const call = `public.${name}(${names.map((arg, i) => `${arg} => $${i + 1}`).join(', ')})`;
		const sql =
			shape === 'rows'
				? `select coalesce(jsonb_agg(r), '[]'::jsonb) as result from ${call} r`
				: `select to_jsonb(${call}) as result`;
		try {
			return await asUser(pool, claims, async (client) => (await client.query(sql, Object.values(args))).rows[0].result);
		} catch (error) {
			throw messagingErrorFrom(error as pg.DatabaseError) ?? error;
		}
	};
}

/** The contract over plain PostgreSQL, as the user whose verified claims are given (null: signed out). */
export function postgresMessaging(options: { pool: pg.Pool; claims: RequestClaims | null }): MessagingBackend {
	return rpcMessagingBackend(postgresRpc(options.pool, options.claims));
}
