import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** The claims Supabase Auth puts in its access tokens, so SQL reads them the same way in both modes. */
export const SessionClaims = z.object({
	sub: z.uuid(),
	role: z.literal('authenticated'),
	aud: z.literal('authenticated'),
	email: z.email(),
	/** The auth.sessions row the token belongs to; the server refreshes tokens only while it lives. */
	session_id: z.uuid(),
	iat: z.number().int(),
	exp: z.number().int()
});
export type SessionClaims = z.infer<typeof SessionClaims>;

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function signature(input: string, secret: string): string {
	return createHmac('sha256', secret).update(input).digest('base64url');
}

export function signSessionToken(claims: SessionClaims, secret: string): string {
	const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
	return `${body}.${signature(body, secret)}`;
}

/** The claims of a token we signed that has not expired; null for anything else. */
export function verifySessionToken(token: string, secret: string, now = Date.now()): SessionClaims | null {
	const claims = readSessionToken(token, secret);
	return claims && claims.exp * 1000 > now ? claims : null;
}

/** The claims of a token we signed, expired or not (a refresh needs the expired ones); null for anything else. */
export function readSessionToken(token: string, secret: string): SessionClaims | null {
	const parts = token.split('.');
	if (parts.length !== 3 || parts[0] !== HEADER) return null;
	const expected = Buffer.from(signature(`${parts[0]}.${parts[1]}`, secret));
	const given = Buffer.from(parts[2]);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
	let payload: unknown;
	try {
		payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		return null;
	}
	const claims = SessionClaims.safeParse(payload);
	return claims.success ? claims.data : null;
}
