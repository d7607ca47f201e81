import type { Database } from '$lib/database.types.js';

type Functions = Database['public']['Functions'];

/** The functions of the public schema, as `npm run types` found them in the migrations. */
export type RpcName = keyof Functions & string;

/**
 * The function's named arguments. PostgreSQL passes null to any of them (`set_muted` needs it
 * to unmute), but the generated Args type cannot say so, so null is added here; not to the
 * index signature that stands for "no arguments", which must stay empty.
 */
export type RpcArgs<Name extends RpcName> = {
	[Arg in keyof Functions[Name]['Args']]: Functions[Name]['Args'][Arg] | (string extends Arg ? never : null);
};

/** Set-returning functions come out of the generator as arrays of rows. */
export type RpcShape<Name extends RpcName> = Functions[Name]['Returns'] extends unknown[] ? 'rows' : 'value';

/**
 * Calls one RPC with named arguments and returns its JSON result: the function's value, or
 * an array of rows for set-returning functions. Throws MessagingError for user errors.
 * Names, arguments and shape are checked against the generated types; the result stays
 * unknown because every caller parses it with zod.
 */
export type RpcCall = <Name extends RpcName>(name: Name, args: RpcArgs<Name>, shape: RpcShape<Name>) => Promise<unknown>;
