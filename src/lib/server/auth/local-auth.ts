import type pg from 'pg';
import { signSessionToken, type SessionClaims } from './jwt';

export const SESSION_COOKIE = 'bazaar-session';
export const SESSION_SECONDS = 60 * 60 * 24 * 7;

/** Checks the password against the bcrypt hash in auth.users; a signed session token when it matches. */
export async function signInWithPassword(
	db: pg.Pool,
	secret: string,
	email: string,
	password: string
): Promise<{ token: string; claims: SessionClaims } | null> {
	const { rows } = await db.query<{ id: string; email: string; ok: boolean }>(
		// An unknown email still costs one bcrypt round, so timing does not tell which emails exist.
		`select u.id, u.email,
		        extensions.crypt($2, coalesce(u.encrypted_password, extensions.gen_salt('bf', 8))) = u.encrypted_password as ok
		   from (values (1)) as one_row
		   left join auth.users u on u.email = lower($1)`,
		[email.trim(), password]
	);
	const user = rows[0];
	if (!user?.id || !user.ok) return null;
	const iat = Math.floor(Date.now() / 1000);
	const claims: SessionClaims = {
		sub: user.id,
		role: 'authenticated',
		aud: 'authenticated',
		email: user.email,
		iat,
		exp: iat + SESSION_SECONDS
	};
	return { token: signSessionToken(claims, secret), claims };
}
