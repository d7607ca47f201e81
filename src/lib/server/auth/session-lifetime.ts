import type pg from 'pg';
import { signSessionToken, type SessionClaims } from './jwt';

/** As Supabase Auth's default JWT expiry: a stolen token is worth an hour at most. */
export const ACCESS_TOKEN_SECONDS = 60 * 60;
/** A session unused this long ends: the next visit signs in again. */
export const SESSION_IDLE_SECONDS = 7 * 24 * 60 * 60;
/** And no session outlives this, however often it is used. */
export const SESSION_MAX_SECONDS = 30 * 24 * 60 * 60;

export interface SignedSession {
	token: string;
	claims: SessionClaims;
}

/** A fresh access token for a live session. */
export function accessToken(
	secret: string,
	user: { id: string; email: string },
	sessionId: string,
	now = Date.now()
): SignedSession {
	const iat = Math.floor(now / 1000);
	const claims: SessionClaims = {
		sub: user.id,
		role: 'authenticated',
		aud: 'authenticated',
		email: user.email,
		session_id: sessionId,
		iat,
		exp: iat + ACCESS_TOKEN_SECONDS
	};
	return { token: signSessionToken(claims, secret), claims };
}

// refreshed_at is a timestamp without time zone in Supabase's table, kept in UTC.
const LIVE = `s.id = $1 and s.user_id = $2
	 and (s.not_after is null or s.not_after > now())
	 and coalesce(s.refreshed_at, s.created_at at time zone 'utc') > (now() at time zone 'utc') - make_interval(secs => ${SESSION_IDLE_SECONDS})`;

/**
 * A new access token for the session the (possibly expired) claims name, while its auth.sessions
 * row lives: not signed out, not idle for SESSION_IDLE_SECONDS, not past not_after. Marks the
 * session used. Null once the session has ended.
 */
export async function refreshSession(db: pg.Pool, secret: string, claims: SessionClaims): Promise<SignedSession | null> {
	const { rows } = await db.query<{ email: string }>(
		`update auth.sessions s set refreshed_at = now() at time zone 'utc', updated_at = now()
		   from auth.users u
		  where u.id = s.user_id and ${LIVE}
		 returning u.email`,
		[claims.session_id, claims.sub]
	);
	return rows[0] ? accessToken(secret, { id: claims.sub, email: rows[0].email }, claims.session_id) : null;
}

/** Whether the session is still live (see refreshSession), without marking it used. */
export async function sessionIsLive(db: pg.Pool, claims: SessionClaims): Promise<boolean> {
	const { rows } = await db.query(`select from auth.sessions s where ${LIVE}`, [claims.session_id, claims.sub]);
	return rows.length > 0;
}

/** Signing out: the session's row goes, so no token of it is refreshed or accepted again. */
export async function endSession(db: pg.Pool, sessionId: string): Promise<void> {
	await db.query('delete from auth.sessions where id = $1', [sessionId]);
}
