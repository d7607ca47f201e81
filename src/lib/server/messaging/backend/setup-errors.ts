/**
 * A database the host has not set up for messaging answers "function ... does not exist" or
 * "role ... does not exist", which reads like a bug in the module. This names the missing step
 * (README, "Use it in your marketplace", step 4); null for any other error.
 */
export function setupErrorFrom(error: { code?: string; message?: string }): Error | null {
	const said = error.message ?? '';
	// undefined function, table or schema; PostgREST's "not in the schema cache".
	if (error.code === '42883' || error.code === '42P01' || error.code === '3F000' || error.code === 'PGRST202') {
		return new Error(
			`Bazaar Messaging's migrations are not applied to this database, or are older than the package (${said}; ${error.code}). Apply them: README, "Use it in your marketplace", step 4.`,
			{ cause: error }
		);
	}
	if (error.code === '22023' && /^role ".*" does not exist/.test(said)) {
		return new Error(`This database lacks the roles Supabase provides (${said}): on plain PostgreSQL apply the shim before the migrations. README, "Use it in your marketplace", step 4.`, { cause: error });
	}
	return null;
}
