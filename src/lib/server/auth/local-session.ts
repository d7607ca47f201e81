import type { Handle } from '@sveltejs/kit';
import type { Runtime } from '../runtime';
import { verifySessionToken } from './jwt';
import { SESSION_COOKIE } from './local-auth';

/** Plain-PostgreSQL mode: the signed, Supabase-shaped JWT in our HttpOnly cookie is the session. */
export function localSession(runtime: Runtime): Handle {
	const secret = runtime.sessionSecret!;
	return async ({ event, resolve }) => {
		const token = event.cookies.get(SESSION_COOKIE);
		const claims = token ? verifySessionToken(token, secret) : null;
		if (token && !claims) event.cookies.delete(SESSION_COOKIE, { path: '/' });
		const user = claims ? { id: claims.sub, email: claims.email } : null;
		event.locals.claims = claims;
		event.locals.safeGetSession = async () =>
			user ? { session: { user, expiresAt: claims!.exp }, user } : { session: null, user: null };
		return resolve(event);
	};
}
