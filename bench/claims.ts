import type { SessionClaims } from '../src/lib/server/auth/jwt.ts';

/**
 * Session claims as the app's sign-in issues them, for calling the adapter directly. The database
 * reads only sub and role; a token sent to the server must name a live auth.sessions row instead.
 */
export function claimsFor(userId: string, sessionId = userId): SessionClaims {
	const iat = Math.floor(Date.now() / 1000);
	return { sub: userId, role: 'authenticated', aud: 'authenticated', email: `${userId}@example.test`, session_id: sessionId, iat, exp: iat + 3600 };
}
