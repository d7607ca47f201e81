import type { Cookies, Handle } from '@sveltejs/kit';
import type { Runtime } from '../runtime';
import type { AuthAdapter } from './auth-adapter';
import { currentSessions, type CurrentSessions } from './current-session';
import type { SessionClaims } from './jwt';
import { existingLogins, passwordMatches, removeLogin, SESSION_COOKIE, signInWithPassword } from './local-auth';
import { endSession, SESSION_IDLE_SECONDS } from './session-lifetime';

/**
 * Plain-PostgreSQL mode: the signed, Supabase-shaped JWT in our HttpOnly cookie is the access
 * token of an auth.sessions row; it lives an hour and is swapped for a fresh one while the
 * session lives (see current-session.ts).
 */
export function localSession(runtime: Runtime): Handle {
	const sessions = currentSessions(runtime.pool!, runtime.sessionSecret!);
	return async ({ event, resolve }) => {
		const token = event.cookies.get(SESSION_COOKIE);
		const session = token ? await sessions.current(token) : null;
		if (token && !session) event.cookies.delete(SESSION_COOKIE, { path: '/' });
		if (session && session.token !== token) setSessionCookie(event.cookies, event.url, session.token);
		const claims = session?.claims ?? null;
		const user = claims ? { id: claims.sub, email: claims.email } : null;
		event.locals.claims = claims;
		event.locals.safeGetSession = async () =>
			user ? { session: { user, expiresAt: claims!.exp }, user } : { session: null, user: null };
		event.locals.auth = localAuth(runtime, event.cookies, event.url, claims, sessions);
		return resolve(event);
	};
}

/** The cookie outlives the token inside it, so an expired token can still be refreshed while its session lives. */
function setSessionCookie(cookies: Cookies, url: URL, token: string) {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: SESSION_IDLE_SECONDS
	});
}

function localAuth(runtime: Runtime, cookies: Cookies, url: URL, claims: SessionClaims | null, sessions: CurrentSessions): AuthAdapter {
	return {
		async signInWithPassword(email, password) {
			const signedIn = await signInWithPassword(runtime.pool!, runtime.sessionSecret!, email, password);
			if (!signedIn) return false;
			setSessionCookie(cookies, url, signedIn.token);
			return true;
		},
		async signOut() {
			cookies.delete(SESSION_COOKIE, { path: '/' });
			if (!claims) return;
			await endSession(runtime.pool!, claims.session_id);
			sessions.forget(claims.session_id);
			endStreams(runtime, claims.sub);
		},
		async verifyPassword(password) {
			return claims !== null && passwordMatches(runtime.pool!, claims.sub, password);
		},
		loginRemovalUnavailable: () => null,
		async removeLogin() {
			if (!claims) throw new Error('Nobody is signed in.');
			await removeLogin(runtime.pool!, claims.sub);
			sessions.forget(claims.session_id);
			endStreams(runtime, claims.sub);
		},
		existingLogins: (emails) => existingLogins(runtime.pool!, emails)
	};
}

/**
 * A stream is authorised once, when it opens: at sign-out this process ends the member's open
 * streams, and those of their other sessions reconnect with their own cookies and catch up.
 * (A process that did not see the sign-out ends its streams when their token expires.)
 */
function endStreams(runtime: Runtime, userId: string) {
	if (runtime.realtime.transport === 'sse') runtime.realtime.hub.end(userId);
}
