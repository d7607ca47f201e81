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

/** Whether `password` is this user's, against the bcrypt hash in auth.users. Makes no session. */
export async function passwordMatches(db: pg.Pool, userId: string, password: string): Promise<boolean> {
	const { rows } = await db.query<{ ok: boolean | null }>(
		'select extensions.crypt($2, u.encrypted_password) = u.encrypted_password as ok from auth.users u where u.id = $1',
		[userId, password]
	);
	return rows[0]?.ok === true;
}

/**
 * Removes a login: its auth.users row (auth.identities go with it). The database's trigger
 * erases the account in the same transaction (messaging_account_data), which is already done
 * when the member deleted it themself; the profile stays as "Deleted user".
 */
export async function removeLogin(db: pg.Pool, userId: string): Promise<void> {
	await db.query('delete from auth.users where id = $1', [userId]);
}
