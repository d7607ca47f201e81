import type { PostgrestError } from '@supabase/supabase-js';
import type { Database } from '$lib/database.types.js';
import { MessagingError, messagingErrorFrom, NUL_IN_TEXT, UNAVAILABLE_MESSAGE } from '$lib/messaging/errors.js';
import { CONFLICT_ATTEMPTS, isConflictRollback } from './conflict-rollbacks.js';
import { rpcMessagingBackend, SESSION_START, type BackendOptions, type MessagingBackend, type RpcCall, type RpcName } from './messaging-backend.js';
import { setupErrorFrom } from './setup-errors.js';

type Functions = Database['public']['Functions'];

/**
 * What the adapter needs of a supabase-js client: `rpc` over these migrations' functions. A
 * client typed with our generated `Database`, with a host's own generated types that include
 * our migrations (`supabase gen types`), or untyped, all fit.
 */
export interface MessagingRpcClient {
	rpc<Name extends RpcName>(name: Name, args: Functions[Name]['Args']): PromiseLike<{ data: unknown; error: PostgrestError | null }>;
}

/**
 * Calls the same RPCs through PostgREST (`POST /rest/v1/rpc/<name>`) with the user's session. A
 * call made after a session start waits for its answer, so a page's reads follow its cursor.
 */
export function supabaseRpc(supabase: MessagingRpcClient): RpcCall {
	let starting: Promise<unknown> | null = null;
	const call: RpcCall = async (name, args) => {
		// Refused here, as the Postgres adapter refuses it: PostgREST's reading of the arguments
		// fails on \u0000 with an error (22P05) that says nothing to the person.
		if (Object.values(args).some((value) => typeof value === 'string' && value.includes('\0'))) throw new MessagingError('invalid_input', NUL_IN_TEXT);
		// RpcArgs adds the null every PostgreSQL argument accepts and the generated Args leave out.
		const answer = () => supabase.rpc(name, args as Functions[typeof name]['Args']);
		let { data, error } = await answer();
		for (let attempt = 2; attempt <= CONFLICT_ATTEMPTS && isConflictRollback(error?.code); attempt++) ({ data, error } = await answer());
		// PGRST000-002: PostgREST cannot reach the database (or its schema cache); '' with "fetch failed": nor us PostgREST.
		if (error && (/^PGRST00[012]$/.test(error.code) || (!error.code && /fetch failed/i.test(error.message)))) {
			throw new MessagingError('unavailable', UNAVAILABLE_MESSAGE);
		}
		if (error) throw messagingErrorFrom(error) ?? setupErrorFrom(error) ?? new Error(`${name}: ${error.message} (${error.code})`);
		return data;
	};
	return async (name, args, shape) => {
		if (name === SESSION_START) {
			const start = call(name, args, shape);
			starting = start;
			return start;
		}
		if (starting) await starting.catch(() => {});
		return call(name, args, shape);
	};
}

/** The contract over Supabase: the same RPCs through PostgREST, with the request's session. */
export function supabaseMessaging(options: { supabase: MessagingRpcClient } & BackendOptions): MessagingBackend {
	return rpcMessagingBackend(supabaseRpc(options.supabase), options);
}
