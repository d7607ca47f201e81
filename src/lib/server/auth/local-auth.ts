import type pg from 'pg';
import { accessToken, SESSION_MAX_SECONDS, type SignedSession } from './session-lifetime';

export const SESSION_COOKIE = 'bazaar-session';

/**
 * Checks the password against the bcrypt hash in auth.users; when it matches, starts a session
 * (an auth.sessions row, as Supabase Auth keeps one) and returns its first access token.
 */
export async function signInWithPassword(db: pg.Pool, secret: string, email: string, password: string): Promise<SignedSession | null> {
	const { rows } = await db.query<{ id: string | null; email: string; session_id: string | null }>(
		// An unknown email still costs one bcrypt round, so timing does not tell which emails exist.
		`with attempt as (
		   select u.id, u.email,
		          extensions.crypt($2, coalesce(u.encrypted_password, extensions.gen_salt('bf', 8))) = u.encrypted_password as ok
		     from (values (1)) as one_row
		     left join auth.users u on u.email = lower($1)
		 ), started as (
		   insert into auth.sessions (user_id, not_after, refreshed_at)
		   select id, now() + make_interval(secs => $3), now() at time zone 'utc' from attempt where ok
		   returning id
		 )
		 select attempt.id, attempt.email, started.id as session_id from attempt left join started on true`,
		[email.trim(), password, SESSION_MAX_SECONDS]
	);
	const user = rows[0];
	if (!user?.id || !user.session_id) return null;
	return accessToken(secret, { id: user.id, email: user.email }, user.session_id);
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
 * Removes a login: its auth.users row (auth.identities and auth.sessions go with it). The database's trigger
 * erases the account in the same transaction (messaging_account_data), which is already done
 * when the member deleted it themself; the profile stays as "Deleted user".
 */
export async function removeLogin(db: pg.Pool, userId: string): Promise<void> {
	await db.query('delete from auth.users where id = $1', [userId]);
	loginsSeen.clear();
}

// Asked by every signed-out /login of the demo, so answered from memory: a removal on this server
// clears it at once, one on another server shows here within a minute.
const LOGINS_SEEN_MS = 60_000;
const loginsSeen = new Map<string, { at: number; existing: string[] }>();

/** Which of these emails have a login. */
export async function existingLogins(db: pg.Pool, emails: readonly string[]): Promise<string[]> {
	const key = emails.join('\n');
	const seen = loginsSeen.get(key);
	if (seen && Date.now() - seen.at < LOGINS_SEEN_MS) return seen.existing;
	const { rows } = await db.query<{ email: string }>('select email from auth.users where email = any($1)', [emails]);
	const found = new Set(rows.map((row) => row.email));
	const existing = emails.filter((email) => found.has(email));
	loginsSeen.set(key, { at: Date.now(), existing });
	return existing;
}
