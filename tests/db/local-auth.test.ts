import { describe, expect, it } from 'vitest';
import { verifySessionToken } from '../../src/lib/server/auth/jwt.ts';
import { existingLogins, removeLogin, signInWithPassword } from '../../src/lib/server/auth/local-auth.ts';
import { createUser } from '../support/factories.ts';
import { testPool } from '../support/database.ts';

const db = testPool();
const secret = 'test-secret-that-is-long-enough-for-hs256';

describe('password sign-in against auth.users', () => {
	it('the right password gives a signed token with Supabase-shaped claims', async () => {
		const user = await createUser(db);
		const result = await signInWithPassword(db, secret, user.email, 'password123');
		expect(result).not.toBeNull();
		const claims = verifySessionToken(result!.token, secret);
		expect(claims).toMatchObject({ sub: user.id, role: 'authenticated', aud: 'authenticated', email: user.email });
		expect(claims!.exp - claims!.iat).toBe(3600);
		const { rows } = await db.query(
			`select user_id, not_after > now() + interval '29 days' and not_after < now() + interval '31 days' as month from auth.sessions where id = $1`,
			[claims!.session_id]
		);
		expect(rows).toEqual([{ user_id: user.id, month: true }]);
	});

	it('accepts the email in any case and with surrounding spaces', async () => {
		const user = await createUser(db);
		expect(await signInWithPassword(db, secret, `  ${user.email.toUpperCase()} `, 'password123')).not.toBeNull();
	});

	it('a wrong password, an unknown email and an empty password are all refused', async () => {
		const user = await createUser(db);
		expect(await signInWithPassword(db, secret, user.email, 'password124')).toBeNull();
		expect(await signInWithPassword(db, secret, 'nobody@example.test', 'password123')).toBeNull();
		expect(await signInWithPassword(db, secret, user.email, '')).toBeNull();
		const { rows } = await db.query('select count(*)::int as n from auth.sessions where user_id = $1', [user.id]);
		expect(rows[0].n).toBe(0);
	});

	it('a token signed with another secret, tampered with or expired is not a session', async () => {
		const user = await createUser(db);
		const { token } = (await signInWithPassword(db, secret, user.email, 'password123'))!;
		expect(verifySessionToken(token, 'another-secret-that-is-long-enough-too')).toBeNull();
		const [header, payload, signature] = token.split('.');
		const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: crypto.randomUUID() })).toString('base64url');
		expect(verifySessionToken(`${header}.${forged}.${signature}`, secret)).toBeNull();
		expect(verifySessionToken(token, secret, Date.now() + 3601 * 1000)).toBeNull();
	});
});

describe('which logins exist (the demo login page lists only these)', () => {
	it('answers the emails that have a login, in the order asked, and forgets a login this server removes at once', async () => {
		const [first, second] = [await createUser(db), await createUser(db)];
		const asked = [second.email, 'nobody-here@example.test', first.email];
		expect(await existingLogins(db, asked)).toEqual([second.email, first.email]);
		await removeLogin(db, second.id);
		expect(await existingLogins(db, asked)).toEqual([first.email]);
	});
});
