import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { authGuard } from '$lib/server/auth/guard';
import { localSession } from '$lib/server/auth/local-session';
import { postgresCatalogue } from '$lib/server/catalogue/postgres-catalogue';
import { supabaseCatalogue } from '$lib/server/catalogue/supabase-catalogue';
import { isDatabaseUnavailable, MessagingError } from '$lib';
import { formOriginGuard, postgresMessaging, supabaseAttachmentStore, supabaseMessaging, viewerTimeZone } from '$lib/server';
import { ConfigError, readConfig, stopForConfig } from '$lib/server/config';
import { markUnavailable, unavailableMessage, unavailableResponse, unavailableStatus } from '$lib/server/db/unavailable';
import { runtime } from '$lib/server/runtime';
import { securityHeaders } from '$lib/server/security/headers';

let sessionHandle: Handle | undefined;
let headersHandle: Handle | undefined;

/**
 * A database that cannot be reached at start does not stop the server: it answers "unavailable,
 * retrying" and tries again with each request until the database answers (any other failure,
 * such as a missing JWT_SECRET or a migration that does not apply, still stops it).
 */
export const init: ServerInit = async () => {
	try {
		headersHandle = securityHeaders({ supabaseUrl: readConfig().supabase?.url });
		await runtime();
	} catch (error) {
		if (error instanceof ConfigError) stopForConfig(error);
		if (!isDatabaseUnavailable(error)) throw error;
		console.warn(`[db] cannot reach the database (${(error as Error).message}); answering "unavailable" until it does`);
	}
};

async function sessionFor(): Promise<Handle> {
	const rt = await runtime();
	// supabase-js is loaded only in Supabase mode: plain-PostgreSQL mode has no use for it.
	return rt.config.mode === 'supabase'
		? (await import('$lib/server/auth/supabase-session')).supabaseSession(rt.config.supabase!)
		: localSession(rt);
}

const session: Handle = async (input) => {
	try {
		sessionHandle ??= await sessionFor();
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		return unavailableResponse(input.event);
	}
	return sessionHandle(input);
};
const headers: Handle = (input) => headersHandle!(input);

const backends: Handle = async ({ event, resolve }) => {
	const rt = await runtime();
	const { supabase, claims = null } = event.locals;
	event.locals.catalogue = supabase ? supabaseCatalogue(supabase) : postgresCatalogue(rt.pool!, claims);
	const screen = rt.contactScreen;
	event.locals.messaging = supabase ? supabaseMessaging({ supabase, screen }) : postgresMessaging({ pool: rt.pool!, claims, screen });
	event.locals.messagingRealtime = rt.realtime;
	// Supabase mode stores and signs as the signed-in user, so the storage.objects policies apply.
	event.locals.messagingAttachments = supabase ? supabaseAttachmentStore({ supabase, admin: rt.supabaseAdmin }) : rt.attachments!;
	return resolve(event);
};

const unavailable: Handle = async ({ event, resolve }) => unavailableStatus(event, await resolve(event));

export const handle = sequence(unavailable, formOriginGuard(), headers, session, authGuard, backends, viewerTimeZone());

function refusal(status: number, method: string, url: URL, routeId: string | null): string | undefined {
	// A POST to a page that exists found no action: none by that name, or none named at all.
	if (status === 404) return method === 'POST' && (url.search.startsWith('?/') || routeId !== null) ? 'This form has no such action.' : 'There is no page at this address.';
	if (status === 405) return `This address does not take ${method} requests.`;
	if (status === 413) return 'That is too large to send.';
	if (status === 415) return 'Send this as a form (application/x-www-form-urlencoded or multipart/form-data).';
}

/**
 * Unexpected errors: a database that cannot be reached gets a sentence and a page that retries
 * by itself (not a stack trace, not "Internal Error"); anything else is logged and stays vague.
 */
export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (isDatabaseUnavailable(error) || (error instanceof MessagingError && error.code === 'unavailable')) {
		markUnavailable(event);
		console.warn(`[db] unavailable while serving ${event.url.pathname}`);
		return { message: unavailableMessage(event), retry: true };
	}
	// SvelteKit's own refusals (no such page or action, a body that is no form): the visitor's
	// mistake, said in a sentence, and nothing for the log.
	if (status < 500) return { message: refusal(status, event.request.method, event.url, event.route.id) ?? message };
	console.error(error);
	return { message: 'Something went wrong. Try again in a moment.' };
};
