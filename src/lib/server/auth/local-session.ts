import type { Cookies, Handle } from '@sveltejs/kit';
import type { Runtime } from '../runtime';
import type { AuthAdapter } from './auth-adapter';
import { verifySessionToken, type SessionClaims } from './jwt';
import { passwordMatches, removeLogin, SESSION_COOKIE, SESSION_SECONDS, signInWithPassword } from './local-auth';

/** Plain-PostgreSQL mode: the signed, Supabase-shaped JWT in our HttpOnly cookie is the session. */
export function localSession(runtime: Runtime): Handle {
	const remembered = rememberingVerifier(runtime.sessionSecret!);
	// Logins this process removed: their tokens stay valid signatures until they expire, and would
	// otherwise still look signed in here (every RPC refuses them; see current_user_id).
	const removed = new Set<string>();
	const verify = (token: string) => {
		const claims = remembered(token);
		return claims && !removed.has(claims.sub) ? claims : null;
	};
	return async ({ event, resolve }) => {
		const token = event.cookies.get(SESSION_COOKIE);
		const claims = token ? verify(token) : null;
		if (token && !claims) event.cookies.delete(SESSION_COOKIE, { path: '/' });
		const user = claims ? { id: claims.sub, email: claims.email } : null;
		event.locals.claims = claims;
		event.locals.safeGetSession = async () =>
			user ? { session: { user, expiresAt: claims!.exp }, user } : { session: null, user: null };
		event.locals.auth = localAuth(runtime, event.cookies, event.url, claims, removed);
		return resolve(event);
	};
}

/**
 * verifySessionToken, remembering the tokens it accepted: a browser sends the same token with
 * every request, and checking its signature and parsing its claims was a visible share of what
 * a page costs. Expiry is still checked each time. Only valid tokens are remembered (making
 * one takes a sign-in), at most `size` of them, the oldest forgotten first.
 */
export function rememberingVerifier(secret: string, size = 10_000): (token: string) => SessionClaims | null {
	const accepted = new Map<string, SessionClaims>();
	return (token) => {
		const known = accepted.get(token);
		if (known) {
			if (known.exp * 1000 > Date.now()) return known;
			accepted.delete(token);
			return null;
		}
		const claims = verifySessionToken(token, secret);
		if (claims) {
			if (accepted.size >= size) accepted.delete(accepted.keys().next().value!);
			// Shared by every request carrying the token: nobody may change it.
			accepted.set(token, Object.freeze(claims));
		}
		return claims;
	};
}

function localAuth(runtime: Runtime, cookies: Cookies, url: URL, claims: SessionClaims | null, removed: Set<string>): AuthAdapter {
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
		},
		async verifyPassword(password) {
			return claims !== null && passwordMatches(runtime.pool!, claims.sub, password);
		},
		loginRemovalUnavailable: () => null,
		async removeLogin() {
			if (!claims) throw new Error('Nobody is signed in.');
			await removeLogin(runtime.pool!, claims.sub);
			removed.add(claims.sub);
		}
	};
}
