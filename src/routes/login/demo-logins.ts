import type { AuthAdapter } from '$lib/server/auth/auth-adapter';
import { DEMO_LOGINS } from '$lib/server/db/seed';

export type DemoLogin = (typeof DEMO_LOGINS)[number];

/** The seed's logins that still exist, where the seed ran (null elsewhere): a member may have deleted theirs. */
export async function demoLoginsLeft(seeded: boolean, auth: AuthAdapter): Promise<DemoLogin[] | null> {
	if (!seeded) return null;
	const existing = await auth.existingLogins(DEMO_LOGINS.map((login) => login.email));
	return DEMO_LOGINS.filter((login) => existing.includes(login.email));
}
