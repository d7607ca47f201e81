/**
 * What a host's hooks must put on `locals` for the messages page, its actions and endpoints (the
 * README's "Use it in your marketplace", step 3), checked where a request first needs it. A hook
 * left out or misspelt is the host's setup mistake: the log names the missing piece instead of a
 * TypeError deep in a load, and a signed-in member is never told to sign in.
 */
export function checkMessagingLocals(locals: App.Locals, options: { realtime?: boolean } = {}): void {
	const missing = [
		locals.user === undefined && 'user (the signed-in user as { id }, or null)',
		!locals.messaging && 'messaging (postgresMessaging or supabaseMessaging, per request)',
		options.realtime && !locals.messagingRealtime && 'messagingRealtime (startPostgresRealtime once per process, or the Supabase transport)'
	].filter((piece): piece is string => typeof piece === 'string');
	if (missing.length) {
		throw new Error(`Bazaar Messaging is not set up: hooks.server.ts must set event.locals.${missing.join(' and event.locals.')}. See the README, "Use it in your marketplace", step 3.`);
	}
}
