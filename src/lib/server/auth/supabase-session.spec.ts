import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestEvent } from '@sveltejs/kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supabaseSession } from './supabase-session';

/**
 * The Supabase session handle against a stand-in for Supabase Auth: it publishes an ES256 public
 * key at /auth/v1/.well-known/jwks.json as projects with asymmetric signing keys do, answers
 * /auth/v1/user for legacy HS256 tokens, refuses refresh tokens, and counts every request.
 */

const ME = '11111111-1111-4111-8111-111111111111';
const EMAIL = 'ana@example.com';
const ANON_KEY = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.anon-key-for-tests.signature';
const LEGACY_SECRET = 'the-project-jwt-secret-of-a-legacy-project';
const now = () => Math.floor(Date.now() / 1000);

interface StandInAuth {
	url: string;
	kid: string;
	key: KeyObject;
	requests: { jwks: number; user: number; refresh: number };
	close(): Promise<void>;
}

async function standInAuth(): Promise<StandInAuth> {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	// A fresh kid per server: supabase-js caches the JWKS per process, by kid.
	const kid = randomUUID();
	const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig', key_ops: ['verify'], ext: true };
	const requests = { jwks: 0, user: 0, refresh: 0 };
	const server: Server = createServer((req, res) => {
		const answer = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
		if (path === '/auth/v1/.well-known/jwks.json') {
			requests.jwks += 1;
			return answer(200, { keys: [jwk] });
		}
		if (path === '/auth/v1/user') {
			requests.user += 1;
			const claims = verifyLegacy(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
			if (!claims) return answer(403, { code: 403, error_code: 'bad_jwt', msg: 'invalid JWT: token signature is invalid' });
			return answer(200, { id: claims.sub, aud: 'authenticated', role: 'authenticated', email: claims.email, app_metadata: {}, user_metadata: {} });
		}
		if (path === '/auth/v1/token') {
			requests.refresh += 1;
			return answer(400, { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' });
		}
		answer(404, { code: 404, msg: `no ${path} in this stand-in` });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		kid,
		key: privateKey,
		requests,
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(overrides: Record<string, unknown> = {}) {
	const iat = now();
	return { sub: ME, email: EMAIL, aud: 'authenticated', role: 'authenticated', session_id: randomUUID(), aal: 'aal1', iat, exp: iat + 3600, ...overrides };
}

/** An access token as Auth signs it with an asymmetric key: ES256, raw r||s signature, kid in the header. */
function es256Token(payload: object, key: KeyObject, kid: string): string {
	const input = `${encode({ alg: 'ES256', kid, typ: 'JWT' })}.${encode(payload)}`;
	return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** An access token of a project still on the legacy shared secret. */
function hs256Token(payload: object, secret = LEGACY_SECRET): string {
	const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
	return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function verifyLegacy(token: string): { sub: string; email: string } | null {
	const [header, payload, signature] = token.split('.');
	if (createHmac('sha256', LEGACY_SECRET).update(`${header}.${payload}`).digest('base64url') !== signature) return null;
	const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString());
	return parsed.exp > now() ? parsed : null;
}

// supabase-js names the cookie sb-<first label of the project host>-auth-token: sb-<project-ref>-auth-token
// on https://<project-ref>.supabase.co, sb-127-auth-token here.
const AUTH_COOKIE = 'sb-127-auth-token';
/** @supabase/ssr's MAX_CHUNK_SIZE: longer values are split into name.0, name.1, ... */
const CHUNK = 3180;

/** The session as @supabase/ssr stores it: 'base64-' + base64url(JSON), chunked when too long for one cookie. */
function sessionCookies(accessToken: string, options: { expiresAt?: number; metadata?: object } = {}) {
	const { exp } = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
	const expiresAt = options.expiresAt ?? exp;
	const session = {
		access_token: accessToken,
		token_type: 'bearer',
		expires_in: expiresAt - now(),
		expires_at: expiresAt,
		refresh_token: 'a-refresh-token',
		user: { id: ME, aud: 'authenticated', role: 'authenticated', email: EMAIL, app_metadata: {}, user_metadata: options.metadata ?? {} }
	};
	// base64url and the prefix need no URI escaping, so the escaped length is the length.
	const value = `base64-${encode(session)}`;
	if (value.length <= CHUNK) return [{ name: AUTH_COOKIE, value }];
	const chunks = [];
	for (let i = 0; i * CHUNK < value.length; i++) chunks.push({ name: `${AUTH_COOKIE}.${i}`, value: value.slice(i * CHUNK, (i + 1) * CHUNK) });
	return chunks;
}

type SafeSession = Awaited<ReturnType<App.Locals['safeGetSession']>>;

/** One request through the handle, with a RequestEvent reduced to what it touches; resolves to what safeGetSession said. */
async function request(auth: StandInAuth, cookies: { name: string; value: string }[]): Promise<SafeSession> {
	const jar = new Map(cookies.map(({ name, value }) => [name, value]));
	const event = {
		cookies: {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			set: (name: string, value: string) => jar.set(name, value)
		},
		locals: {}
	} as unknown as RequestEvent;
	let result: SafeSession | undefined;
	await supabaseSession({ url: auth.url, anonKey: ANON_KEY })({
		event,
		resolve: async (resolved) => {
			result = await resolved.locals.safeGetSession();
			return new Response();
		}
	});
	return result!;
}

const signedOut = { session: null, user: null };

describe('supabaseSession', () => {
	let auth: StandInAuth;
	beforeEach(async () => {
		auth = await standInAuth();
	});
	afterEach(async () => {
		vi.restoreAllMocks();
		await auth.close();
	});

	it('an ES256 token verifies against the JWKS, fetched once for many requests, and never asks Auth', async () => {
		const token = claims();
		const cookies = sessionCookies(es256Token(token, auth.key, auth.kid));

		for (let i = 0; i < 5; i++) {
			expect(await request(auth, cookies)).toStrictEqual({
				session: { user: { id: ME, email: EMAIL }, expiresAt: token.exp },
				user: { id: ME, email: EMAIL }
			});
		}
		expect(auth.requests).toStrictEqual({ jwks: 1, user: 0, refresh: 0 });
	});

	it('a session too big for one cookie is read back from its chunks', async () => {
		const cookies = sessionCookies(es256Token(claims(), auth.key, auth.kid), { metadata: { bio: 'x'.repeat(4000) } });
		expect(cookies.map(({ name }) => name)).toStrictEqual([`${AUTH_COOKIE}.0`, `${AUTH_COOKIE}.1`]);

		expect((await request(auth, cookies)).user).toStrictEqual({ id: ME, email: EMAIL });
	});

	it('a token signed with another key, under the project key id, gives no user', async () => {
		const { privateKey: forger } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

		expect(await request(auth, sessionCookies(es256Token(claims(), forger, auth.kid)))).toStrictEqual(signedOut);
		expect(auth.requests.user).toBe(0);
	});

	it('an expired token gives no user when Auth refuses to refresh it', async () => {
		const expired = claims({ iat: now() - 7200, exp: now() - 3600 });
		// auth-js logs the refused refresh; here it is expected.
		vi.spyOn(console, 'error').mockImplementation(() => {});

		expect(await request(auth, sessionCookies(es256Token(expired, auth.key, auth.kid)))).toStrictEqual(signedOut);
		expect(auth.requests.refresh).toBe(1);
	});

	it('an expired token gives no user even when the cookie claims a later expiry', async () => {
		const expired = claims({ iat: now() - 7200, exp: now() - 3600 });
		const cookies = sessionCookies(es256Token(expired, auth.key, auth.kid), { expiresAt: now() + 3600 });

		expect(await request(auth, cookies)).toStrictEqual(signedOut);
		expect(auth.requests).toStrictEqual({ jwks: 0, user: 0, refresh: 0 });
	});

	it('no cookie gives no user and no request', async () => {
		expect(await request(auth, [])).toStrictEqual(signedOut);
		expect(auth.requests).toStrictEqual({ jwks: 0, user: 0, refresh: 0 });
	});

	it('a legacy HS256 token is checked by Auth itself, once per request', async () => {
		const token = claims();
		const cookies = sessionCookies(hs256Token(token));

		expect((await request(auth, cookies)).session).toStrictEqual({ user: { id: ME, email: EMAIL }, expiresAt: token.exp });
		expect((await request(auth, cookies)).user).toStrictEqual({ id: ME, email: EMAIL });
		expect(auth.requests).toStrictEqual({ jwks: 0, user: 2, refresh: 0 });
	});

	it('a legacy HS256 token Auth does not accept gives no user', async () => {
		expect(await request(auth, sessionCookies(hs256Token(claims(), 'not-the-project-secret')))).toStrictEqual(signedOut);
		expect(auth.requests.user).toBe(1);
	});
});
