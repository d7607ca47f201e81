import type { AuthAdapter } from '$lib/server/auth/auth-adapter';

/** The seed's members (supabase/seed.sql), all with the password `password123`. */
export const DEMO_LOGINS = [
	{ email: 'ana@example.com', role: 'buyer' },
	{ email: 'ben@example.com', role: 'buyer' },
	{ email: 'sam@example.com', role: 'seller' },
	{ email: 'lee@example.com', role: 'seller' }
] as const;

export type DemoLogin = (typeof DEMO_LOGINS)[number];

/** The seed's logins that still exist, where the seed ran (null elsewhere): a member may have deleted theirs. */
export async function demoLoginsLeft(seeded: boolean, auth: AuthAdapter): Promise<DemoLogin[] | null> {
	if (!seeded) return null;
	const existing = await auth.existingLogins(DEMO_LOGINS.map((login) => login.email));
	return DEMO_LOGINS.filter((login) => existing.includes(login.email));
}
