import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestEvent } from '@sveltejs/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthAdapter } from './auth-adapter';
import { supabaseSession } from './supabase-session';

/**
 * Deleting an account in Supabase mode, against a stand-in for Supabase Auth: the password is
 * checked by a sign-in on a throwaway client whose session is then revoked (the member's own
 * session untouched), and the login is removed through the Admin API with the service-role key;
 * without the key nothing is attempted.
 */

const ME = '11111111-1111-4111-8111-111111111111';
const EMAIL = 'ana@example.com';
const PASSWORD = 'password123';
const ANON_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.anon-key-for-tests.signature';
const SERVICE_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.service-role-key-for-tests.signature';
const now = () => Math.floor(Date.now() / 1000);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Call {
	method: string;
	path: string;
	apikey: string | undefined;
	bearer: string | undefined;
	body: Record<string, unknown> | null;
}

interface StandInAuth {
	url: string;
	calls: Call[];
	close(): Promise<void>;
}

function es256Token(key: KeyObject, kid: string): string {
	const iat = now();
	const payload = { sub: ME, email: EMAIL, aud: 'authenticated', role: 'authenticated', session_id: randomUUID(), iat, exp: iat + 3600 };
	const input = `${encode({ alg: 'ES256', kid, typ: 'JWT' })}.${encode(payload)}`;
	return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

async function standInAuth(): Promise<StandInAuth & { token: () => string }> {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const kid = randomUUID();
	const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', key_ops: ['verify'], ext: true };
	const token = () => es256Token(privateKey, kid);
	const calls: Call[] = [];
	const server: Server = createServer(async (req, res) => {
		let raw = '';
		for await (const chunk of req) raw += chunk;
		const url = new URL(req.url ?? '/', 'http://stand-in');
		const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
		if (url.pathname !== '/auth/v1/.well-known/jwks.json') {
			const bearer = req.headers.authorization?.replace(/^Bearer /, '');
			calls.push({ method: req.method ?? '', path: url.pathname + url.search, apikey: req.headers.apikey as string | undefined, bearer, body });
		}
		const answer = (status: number, value?: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(value === undefined ? '' : JSON.stringify(value));
		};
		if (url.pathname === '/auth/v1/.well-known/jwks.json') return answer(200, { keys: [jwk] });
		if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'password') {
			if (body?.email !== EMAIL || body?.password !== PASSWORD) {
				return answer(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
			}
			const user = { id: ME, aud: 'authenticated', role: 'authenticated', email: EMAIL, app_metadata: {}, user_metadata: {} };
			return answer(200, { access_token: token(), token_type: 'bearer', expires_in: 3600, expires_at: now() + 3600, refresh_token: 'probe-refresh', user });
		}
		if (url.pathname === '/auth/v1/logout') return answer(204);
		if (url.pathname === `/auth/v1/admin/users/${ME}`) {
			if (req.headers.authorization !== `Bearer ${SERVICE_KEY}`) return answer(403, { code: 403, msg: 'User not allowed' });
			// supabase-js reads the user before it deletes them (to answer with it).
			return answer(200, req.method === 'GET' ? { id: ME, aud: 'authenticated', email: EMAIL, app_metadata: {}, user_metadata: {} } : {});
		}
		answer(404, { code: 404, msg: `no ${req.method} ${url.pathname} in this stand-in` });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		calls,
		token,
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

/** The signed-in member's auth adapter, from one request through the handle. */
async function adapter(auth: StandInAuth & { token: () => string }, serviceRoleKey: string | undefined): Promise<AuthAdapter> {
	const accessToken = auth.token();
	const session = {
		access_token: accessToken,
		token_type: 'bearer',
		expires_in: 3600,
		expires_at: now() + 3600,
		refresh_token: 'member-refresh',
		user: { id: ME, aud: 'authenticated', role: 'authenticated', email: EMAIL, app_metadata: {}, user_metadata: {} }
	};
	const jar = new Map([['sb-127-auth-token', `base64-${encode(session)}`]]);
	const event = {
		cookies: { getAll: () => [...jar].map(([name, value]) => ({ name, value })), set: (name: string, value: string) => jar.set(name, value) },
		locals: {}
	} as unknown as RequestEvent;
	let found: AuthAdapter | undefined;
	await supabaseSession({ url: auth.url, anonKey: ANON_KEY }, serviceRoleKey)({
		event,
		resolve: async (resolved) => {
			found = resolved.locals.auth;
			return new Response();
		}
	});
	return found!;
}

describe('deleting an account in Supabase mode', () => {
	let auth: Awaited<ReturnType<typeof standInAuth>>;
	beforeEach(async () => {
		auth = await standInAuth();
	});
	afterEach(() => auth.close());

	it('checks the password with a sign-in of its own, which it revokes at once', async () => {
		const account = await adapter(auth, SERVICE_KEY);
		expect(await account.verifyPassword('not it')).toBe(false);
		expect(await account.verifyPassword(PASSWORD)).toBe(true);
		expect(auth.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
			'POST /auth/v1/token?grant_type=password',
			'POST /auth/v1/token?grant_type=password',
			'POST /auth/v1/logout?scope=local'
		]);
		// The sign-ins use the anon key; the revoked session is the probe's, not the member's.
		expect(auth.calls[1]).toMatchObject({ apikey: ANON_KEY, body: { email: EMAIL, password: PASSWORD } });
		expect(auth.calls[2].bearer).not.toBe(undefined);
	});

	it('removes the login through the Admin API with the service-role key', async () => {
		const account = await adapter(auth, SERVICE_KEY);
		expect(account.loginRemovalUnavailable()).toBeNull();
		await account.removeLogin();
		expect(auth.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /auth/v1/admin/users/${ME}`, `DELETE /auth/v1/admin/users/${ME}`]);
		expect(auth.calls[1]).toMatchObject({ apikey: SERVICE_KEY, bearer: SERVICE_KEY, body: { should_soft_delete: false } });
	});

	it('without the service-role key it says why and removes nothing', async () => {
		const account = await adapter(auth, undefined);
		expect(account.loginRemovalUnavailable()).toMatch(/SUPABASE_SERVICE_ROLE_KEY/);
		await expect(account.removeLogin()).rejects.toThrow(/SUPABASE_SERVICE_ROLE_KEY/);
		expect(auth.calls).toEqual([]);
	});
});
