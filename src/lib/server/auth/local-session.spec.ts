import { afterEach, describe, expect, it, vi } from 'vitest';
import { signSessionToken, type SessionClaims } from './jwt';
import { rememberingVerifier } from './local-session';

const SECRET = 'a-secret-for-tests-that-is-long-enough';
const NOW = Date.UTC(2026, 11, 1);

function token(overrides: Partial<SessionClaims> = {}, secret = SECRET): string {
	const iat = Math.floor(NOW / 1000);
	return signSessionToken(
		{ sub: '11111111-1111-4111-8111-111111111111', role: 'authenticated', aud: 'authenticated', email: 'ana@example.com', iat, exp: iat + 60, ...overrides },
		secret
	);
}

describe('rememberingVerifier', () => {
	afterEach(() => vi.useRealTimers());

	it('accepts a token signed with the secret, and again from memory', () => {
		vi.useFakeTimers({ now: NOW });
		const verify = rememberingVerifier(SECRET);
		const first = verify(token());
		expect(first?.sub).toBe('11111111-1111-4111-8111-111111111111');
		expect(verify(token())).toBe(first);
	});

	it('refuses a remembered token once it has expired', () => {
		vi.useFakeTimers({ now: NOW });
		const verify = rememberingVerifier(SECRET);
		expect(verify(token())).not.toBeNull();
		vi.setSystemTime(NOW + 61_000);
		expect(verify(token())).toBeNull();
	});

	it('refuses a token signed with another secret, whatever it remembers', () => {
		vi.useFakeTimers({ now: NOW });
		const verify = rememberingVerifier(SECRET);
		expect(verify(token())).not.toBeNull();
		expect(verify(token({}, 'another-secret-that-is-long-enough-too'))).toBeNull();
	});

	it('still accepts a token it had to forget to make room', () => {
		vi.useFakeTimers({ now: NOW });
		const verify = rememberingVerifier(SECRET, 2);
		const tokens = [1, 2, 3].map((n) => token({ iat: Math.floor(NOW / 1000) - n }));
		for (const t of tokens) expect(verify(t)).not.toBeNull();
		expect(verify(tokens[0])).not.toBeNull();
	});

	it('hands out claims nobody can change', () => {
		vi.useFakeTimers({ now: NOW });
		const claims = rememberingVerifier(SECRET)(token());
		expect(Object.isFrozen(claims)).toBe(true);
	});
});
