import type { Cookies, Handle } from '@sveltejs/kit';
import type { Runtime } from '../runtime';
import type { AuthAdapter } from './auth-adapter';
import { verifySessionToken } from './jwt';
import { SESSION_COOKIE, SESSION_SECONDS, signInWithPassword } from './local-auth';

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
		event.locals.auth = localAuth(runtime, event.cookies, event.url);
		return resolve(event);
	};
}

function localAuth(runtime: Runtime, cookies: Cookies, url: URL): AuthAdapter {
	return {
		async signInWithPassword(email, password) {
			const signedIn = await signInWithPassword(runtime.pool!, runtime.sessionSecret!, email, password);
			if (!signedIn) return false;
			cookies.set(SESSION_COOKIE, signedIn.token, {
				path: '/',
				httpOnly: true,
				sameSite: 'lax',
				secure: url.protocol === 'https:',
				maxAge: SESSION_SECONDS
			});
			return true;
		},
		async signOut() {
			cookies.delete(SESSION_COOKIE, { path: '/' });
		}
	};
}
