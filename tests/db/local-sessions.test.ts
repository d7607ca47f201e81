import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { currentSessions } from '../../src/lib/server/auth/current-session.ts';
import { signInWithPassword, removeLogin } from '../../src/lib/server/auth/local-auth.ts';
import { accessToken, endSession, type SignedSession } from '../../src/lib/server/auth/session-lifetime.ts';
import { createUser, type TestUser } from '../support/factories.ts';
import { testPool } from '../support/database.ts';

const db = testPool();
const secret = 'test-secret-that-is-long-enough-for-hs256';
const MINUTE = 60_000;

async function signedIn(): Promise<{ user: TestUser; session: SignedSession }> {
	const user = await createUser(db);
	const session = await signInWithPassword(db, secret, user.email, 'password123');
	if (!session) throw new Error('sign-in failed');
	return { user, session };
}

/** The same session's token as it was issued `agoMs` earlier. */
const issuedAgo = ({ user, session }: { user: TestUser; session: SignedSession }, agoMs: number) =>
	accessToken(secret, user, session.claims.session_id, Date.now() - agoMs).token;

describe('local sessions: one-hour tokens of an auth.sessions row', () => {
	const dead = new pg.Pool({ connectionString: 'postgres://postgres:postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
	dead.on('error', () => {});
	afterAll(() => dead.end());

	it('a fresh token is the session, as it is, without a new cookie', async () => {
		const member = await signedIn();
		const current = await currentSessions(db, secret).current(member.session.token);
		expect(current?.token).toBe(member.session.token);
		expect(current?.claims.sub).toBe(member.user.id);
	});

	it('past half its life a token is swapped for a fresh one, once for the requests in flight together', async () => {
		const member = await signedIn();
		const old = issuedAgo(member, 40 * MINUTE);
		const sessions = currentSessions(db, secret);
		const [a, b] = await Promise.all([sessions.current(old), sessions.current(old)]);
		expect(a?.token).not.toBe(old);
		expect(b?.token).toBe(a?.token);
		expect(a!.claims.exp * 1000 - Date.now()).toBeGreaterThan(59 * MINUTE);
		expect(a!.claims.session_id).toBe(member.session.claims.session_id);
	});

	it('an expired token is refreshed while its session lives: a member back after a day stays signed in', async () => {
		const member = await signedIn();
		const current = await currentSessions(db, secret).current(issuedAgo(member, 24 * 60 * MINUTE));
		expect(current?.claims.sub).toBe(member.user.id);
		expect(current!.claims.exp * 1000).toBeGreaterThan(Date.now());
	});

	it('signing out ends the session: its tokens, fresh or old, are refused by this process and any other', async () => {
		const member = await signedIn();
		const here = currentSessions(db, secret);
		const elsewhere = currentSessions(db, secret);
		expect(await here.current(member.session.token)).not.toBeNull();
		await endSession(db, member.session.claims.session_id);
		here.forget(member.session.claims.session_id);
		expect(await here.current(member.session.token)).toBeNull();
		expect(await elsewhere.current(member.session.token)).toBeNull();
		expect(await elsewhere.current(issuedAgo(member, 2 * 60 * MINUTE))).toBeNull();
	});

	it('an old token refreshed just before signing out is refused after it, not handed its fresh successor', async () => {
		const member = await signedIn();
		const sessions = currentSessions(db, secret);
		const old = issuedAgo(member, 40 * MINUTE);
		expect(await sessions.current(old)).not.toBeNull();
		await endSession(db, member.session.claims.session_id);
		sessions.forget(member.session.claims.session_id);
		expect(await sessions.current(old)).toBeNull();
	});

	it('another process notices a sign-out within its liveness window, not later', async () => {
		const member = await signedIn();
		const elsewhere = currentSessions(db, secret);
		expect(await elsewhere.current(member.session.token)).not.toBeNull();
		await endSession(db, member.session.claims.session_id);
		// Trusted from its last look, for at most LIVENESS_MS; forget() stands for that time passing.
		expect(await elsewhere.current(member.session.token)).not.toBeNull();
		elsewhere.forget(member.session.claims.session_id);
		expect(await elsewhere.current(member.session.token)).toBeNull();
	});

	it('a session unused for 7 days ends, and so does one past its 30 days, however active', async () => {
		const idle = await signedIn();
		await db.query(`update auth.sessions set refreshed_at = (now() at time zone 'utc') - interval '8 days' where id = $1`, [idle.session.claims.session_id]);
		expect(await currentSessions(db, secret).current(issuedAgo(idle, 2 * 60 * MINUTE))).toBeNull();
		expect(await currentSessions(db, secret).current(idle.session.token)).toBeNull();

		const old = await signedIn();
		await db.query(`update auth.sessions set not_after = now() - interval '1 second' where id = $1`, [old.session.claims.session_id]);
		expect(await currentSessions(db, secret).current(issuedAgo(old, 40 * MINUTE))).toBeNull();
		expect(await currentSessions(db, secret).current(old.session.token)).toBeNull();
	});

	it('removing the login ends its sessions', async () => {
		const member = await signedIn();
		await removeLogin(db, member.user.id);
		expect(await currentSessions(db, secret).current(member.session.token)).toBeNull();
	});

	it('a token signed with another secret, or for another user’s session, is nobody', async () => {
		const member = await signedIn();
		const other = await signedIn();
		expect(await currentSessions(db, 'another-secret-that-is-long-enough-too').current(member.session.token)).toBeNull();
		const borrowed = accessToken(secret, other.user, member.session.claims.session_id).token;
		expect(await currentSessions(db, secret).current(borrowed)).toBeNull();
		const borrowedOld = accessToken(secret, other.user, member.session.claims.session_id, Date.now() - 2 * 60 * MINUTE).token;
		expect(await currentSessions(db, secret).current(borrowedOld)).toBeNull();
	});

	it('while the database is unreachable, a valid token carries on and an expired one fails loudly instead of signing out', async () => {
		const member = await signedIn();
		const sessions = currentSessions(dead, secret);
		expect((await sessions.current(member.session.token))?.claims.sub).toBe(member.user.id);
		expect((await sessions.current(issuedAgo(member, 40 * MINUTE)))?.claims.sub).toBe(member.user.id);
		await expect(sessions.current(issuedAgo(member, 2 * 60 * MINUTE))).rejects.toThrow();
	});
});
