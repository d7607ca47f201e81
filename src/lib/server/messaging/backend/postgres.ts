import pg from 'pg';
import { isDatabaseUnavailable, messagingErrorFrom, MessagingError, NUL_IN_TEXT, UNAVAILABLE_MESSAGE } from '$lib/messaging/errors.js';
import { clientQuery } from './client-query.js';
import { CONFLICT_ATTEMPTS, isConflictRollback } from './conflict-rollbacks.js';
import type { RequestClaims } from './request-scope.js';
import { setupErrorFrom } from './setup-errors.js';
import { sqlText } from './sql-text.js';
import { rpcMessagingBackend, SESSION_START, type BackendOptions, type MessagingBackend, type RpcCall } from './messaging-backend.js';

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
		if (value.includes('\0')) throw new MessagingError('invalid_input', NUL_IN_TEXT);
		return sqlText(value);
	}
	if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
		// An array literal of quoted elements ({"a","b"}); the parameter's type (uuid[]) parses it.
		return literal(`{${value.map((item: string) => `"${item.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
	}
	throw new Error(`Not an RPC argument value: ${typeof value}`);
}

/** One RPC call as a SELECT of its JSON result. */
function selectOf(name: string, args: object, shape: 'rows' | 'value'): string {
	// The types allow only generated names, but a cast gets past types, and these names become SQL.
	if (!FUNCTION_NAME.test(name)) throw new Error(`Not an RPC name: ${name}`);
	const named: [string, unknown][] = Object.entries(args);
	for (const [arg] of named) if (!ARGUMENT_NAME.test(arg)) throw new Error(`Not an RPC argument: ${arg}`);
	const call = `public.${name}(${named.map(([arg, value]) => `${arg} => ${literal(value)}`).join(', ')})`;
	// json, as PostgREST builds it: jsonb would parse and sort every row's keys only to print them again.
	return shape === 'rows' ? `select coalesce(json_agg(r), '[]'::json) as result from ${call} r` : `select to_json(${call}) as result`;
}

/** RPCs that change nothing, so they may share a transaction with the calls beside them. */
const BATCHED_READS: ReadonlySet<string> = new Set([
	'list_conversation_previews',
	'open_conversation',
	'list_messages',
	'list_quick_replies',
	'unread_total',
	'search_messages',
	'search_conversations',
	'get_messaging_preferences',
	'seller_response_time',
	'my_deal_on_listing',
	'block_between'
]);

interface Pending {
	select: string;
	resolve: (result: unknown) => void;
	reject: (error: unknown) => void;
	/**
	 * A session start: what was asked after it runs after it, even alone. It records the member as
	 * seen, one upsert of their own row, so it may lead a batch of reads: they take no locks to wait on.
	 */
	leads?: boolean;
}

// Module functions, not closures of each backend: a live event stream keeps its backend's sync
// call for hours, and with it whatever that call's closure holds.
async function run(pool: pg.Pool, settings: string, selects: string[]): Promise<unknown[]> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await runOnce(pool, settings, selects);
		} catch (error) {
			if (attempt === CONFLICT_ATTEMPTS || !isConflictRollback((error as pg.DatabaseError).code)) throw error;
		}
	}
}

async function runOnce(pool: pg.Pool, settings: string, selects: string[]): Promise<unknown[]> {
	const client = await pool.connect().catch((error: unknown) => {
		throw isDatabaseUnavailable(error) ? new MessagingError('unavailable', UNAVAILABLE_MESSAGE) : error;
	});
	let broken: Error | undefined;
	try {
		const results = (await clientQuery(client, [settings, ...selects].join('; '))) as unknown as pg.QueryResult<{ result: unknown }>[];
		return results.slice(1).map((result) => result.rows[0].result);
	} catch (error) {
		// A connection that failed mid-query is not given back to the pool.
		if (!(error as pg.DatabaseError).code || isDatabaseUnavailable(error)) broken = error as Error;
		if (isDatabaseUnavailable(error)) throw new MessagingError('unavailable', UNAVAILABLE_MESSAGE);
		throw messagingErrorFrom(error as pg.DatabaseError) ?? setupErrorFrom(error as pg.DatabaseError) ?? error;
	} finally {
		client.release(broken);
	}
}

async function flush(pool: pg.Pool, settings: string, batch: Pending[]) {
	if (batch.length > 1) {
		try {
			const results = await run(pool, settings, batch.map((pending) => pending.select));
			batch.forEach((pending, i) => pending.resolve(results[i]));
			return;
		} catch (error) {
			if (error instanceof MessagingError && error.code === 'unavailable') {
				for (const pending of batch) pending.reject(error);
				return;
			}
			// Which statement failed is not said: each call alone, on its own connection.
		}
	}
	const alone = (pending: Pending) =>
		run(pool, settings, [pending.select]).then(
			([result]) => pending.resolve(result),
			(error: unknown) => pending.reject(error)
		);
	const start = batch.findIndex((pending) => pending.leads);
	await Promise.all(batch.slice(0, start + 1).map(alone));
	await Promise.all(batch.slice(start + 1).map(alone));
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
 *
 * Reads a request makes together (a page's inbox, thread and quick replies) share that round
 * trip: those made in the same tick travel as one message, each its own statement. On this
 * machine class a round trip's system calls cost more than the SQL. If the message fails, each
 * read runs again alone, so every call gets exactly its own answer or error. Writes always go
 * alone: in one transaction with other calls they would hold their locks longer, and two such
 * transactions can deadlock.
 *
 * A call made after a session start runs after it: in the same message while that is still
 * being gathered, else once the session start is answered. So a page's reads follow its cursor
 * in one round trip.
 */
export function postgresRpc(pool: pg.Pool, claims: RequestClaims | null): RpcCall {
	// Signed out, the call runs as anon, as PostgREST runs it: only what anon is granted answers.
	const settings = `select set_config('request.jwt.claims', ${literal(JSON.stringify(claims ?? { role: 'anon' }))}, true), set_config('role', '${claims ? 'authenticated' : 'anon'}', true)`;
	let waiting: Pending[] | null = null;
	// A session start sent and not yet answered.
	let starting: Promise<unknown> | null = null;

	function send(name: string, pending: Pending) {
		if (!BATCHED_READS.has(name) && !pending.leads) {
			run(pool, settings, [pending.select]).then(([result]) => pending.resolve(result), pending.reject);
			return;
		}
		if (!waiting) {
			const batch: Pending[] = (waiting = []);
			queueMicrotask(() => {
				waiting = null;
				const flushed = flush(pool, settings, batch);
				if (!batch.some((pending) => pending.leads)) return;
				starting = flushed;
				void flushed.finally(() => {
					if (starting === flushed) starting = null;
				});
			});
		}
		waiting.push(pending);
	}

	return (name, args, shape) =>
		new Promise((resolve, reject) => {
			const pending: Pending = { select: selectOf(name, args, shape), resolve, reject, leads: name === SESSION_START };
			if (starting && !waiting?.some((queued) => queued.leads)) {
				const after = () => send(name, pending);
				starting.then(after, after);
			} else {
				send(name, pending);
			}
		});
}

/** The contract over plain PostgreSQL, as the user whose verified claims are given (null: signed out). */
export function postgresMessaging(options: { pool: pg.Pool; claims: RequestClaims | null } & BackendOptions): MessagingBackend {
	return rpcMessagingBackend(postgresRpc(options.pool, options.claims), options);
}
