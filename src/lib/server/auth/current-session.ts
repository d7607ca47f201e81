import type pg from 'pg';
import { readSessionToken, type SessionClaims } from './jwt';
import { ACCESS_TOKEN_SECONDS, refreshSession, sessionIsLive, type SignedSession } from './session-lifetime';

/** How long a session seen live is trusted without asking auth.sessions again (sign-outs elsewhere). */
export const LIVENESS_MS = 60_000;
/** Past half its life, a token is swapped for a fresh one, so an active member never meets an expired one. */
const REFRESH_AFTER_MS = (ACCESS_TOKEN_SECONDS * 1000) / 2;
/** How long requests sent with a token just refreshed keep getting its successor without asking again. */
const IN_FLIGHT_MS = 10_000;

export interface CurrentSessions {
	/** The session a cookie's token stands for, with the token to keep (a fresh one after a refresh); null once it has ended. */
	current(token: string): Promise<SignedSession | null>;
	/** Stops trusting a session this process ended (signed out, login removed): its next request, with any of its tokens, asks the database. */
	forget(sessionId: string): void;
}

/**
 * Reads session cookies as cheaply as a page allows. A browser sends the same token with every
 * request, so a token's checked signature is remembered; whether its session still lives is asked
 * of auth.sessions at most every LIVENESS_MS; a token past half its life is refreshed once, and
 * requests already in flight with the old token get the same new one. Maps keep at most `size`
 * entries, the oldest forgotten first.
 */
export function currentSessions(db: pg.Pool, secret: string, size = 10_000): CurrentSessions {
	const signed = new Map<string, SessionClaims>();
	const liveAt = new Map<string, number>();
	// Old token -> its refresh, kept only while requests sent with the old token may still arrive.
	const refreshes = new Map<string, { sessionId: string; fresh: Promise<SignedSession | null> }>();

	const remember = <K, V>(map: Map<K, V>, key: K, value: V) => {
		map.delete(key);
		if (map.size >= size) map.delete(map.keys().next().value!);
		map.set(key, value);
	};

	function claimsOf(token: string): SessionClaims | null {
		const known = signed.get(token);
		if (known) return known;
		const claims = readSessionToken(token, secret);
		// Shared by every request carrying the token: nobody may change it.
		if (claims) remember(signed, token, Object.freeze(claims));
		return claims;
	}

	async function refresh(token: string, claims: SessionClaims): Promise<SignedSession | null> {
		let pending = refreshes.get(token)?.fresh;
		if (!pending) {
			pending = refreshSession(db, secret, claims);
			remember(refreshes, token, { sessionId: claims.session_id, fresh: pending });
			// A failed attempt (database down) is forgotten at once, a done one after the requests in
			// flight with the old token had time to arrive: later, the old token asks the database again.
			pending.then(
				() => setTimeout(() => refreshes.delete(token), IN_FLIGHT_MS).unref(),
				() => refreshes.delete(token)
			);
		}
		const fresh = await pending;
		if (fresh) remember(liveAt, claims.session_id, Date.now());
		return fresh;
	}

	return {
		async current(token) {
			const claims = claimsOf(token);
			if (!claims) return null;
			const now = Date.now();
			const expiresIn = claims.exp * 1000 - now;
			if (expiresIn < REFRESH_AFTER_MS) {
				try {
					return await refresh(token, claims);
				} catch (error) {
					// The database is unreachable: a token still valid carries on; an expired one cannot.
					if (expiresIn > 0) return { token, claims };
					throw error;
				}
			}
			if (now - (liveAt.get(claims.session_id) ?? 0) > LIVENESS_MS) {
				// Unreachable database: the page says so; nobody is signed out for it.
				const live = await sessionIsLive(db, claims).catch(() => true);
				if (!live) return null;
				remember(liveAt, claims.session_id, now);
			}
			return { token, claims };
		},
		forget(sessionId) {
			liveAt.delete(sessionId);
			for (const [token, refresh] of refreshes) if (refresh.sessionId === sessionId) refreshes.delete(token);
		}
	};
}
