import { createServerClient } from '@supabase/ssr';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { z } from 'zod';
import type { Handle } from '@sveltejs/kit';
import type { Database } from '$lib/database.types';
import { readConfig } from '../config';

/** What the app takes from a verified access token; Supabase Auth puts more in it. */
const Claims = z.object({ sub: z.uuid(), email: z.string().optional(), exp: z.number().int() });

/** A client of its own for one server-side call: no cookies, nothing kept, nothing refreshed. */
function standaloneClient(url: string, key: string) {
	return createClient<Database>(url, key, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		// Node 20 has no native WebSocket, and supabase-js refuses to start without one (this client never opens one).
		realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket }
	});
}

const NO_SERVICE_ROLE =
	'This marketplace cannot delete accounts yet: its server needs the SUPABASE_SERVICE_ROLE_KEY setting to remove a login. Nothing was deleted; ask the marketplace to delete your account.';

/**
 * Supabase's SvelteKit guide: a per-request client reading and writing the auth cookies.
 * `serviceRoleKey` (SUPABASE_SERVICE_ROLE_KEY; server only) lets the server remove a login when
 * its member deletes their account; without it the account page says so and deletes nothing.
 */
export function supabaseSession({ url, anonKey }: { url: string; anonKey: string }, serviceRoleKey = readConfig().supabaseServiceRoleKey): Handle {
	return async ({ event, resolve }) => {
		const supabase = createServerClient<Database>(url, anonKey, {
			// Node 20 has no native WebSocket, and supabase-js refuses to start without one.
			realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
			cookies: {
				getAll: () => event.cookies.getAll(),
				setAll: (cookies) => {
					// path '/' so the session reaches every route, as SvelteKit otherwise scopes cookies to the current path.
					for (const { name, value, options } of cookies) event.cookies.set(name, value, { ...options, path: '/' });
				}
			}
		});
		event.locals.supabase = supabase;
		event.locals.auth = {
			async signInWithPassword(email, password) {
				return !(await supabase.auth.signInWithPassword({ email, password })).error;
			},
			async signOut() {
				await supabase.auth.signOut();
			},
			async verifyPassword(password) {
				const { user } = await event.locals.safeGetSession();
				if (!user?.email) return false;
				// Auth has no "check this password": a sign-in on a throwaway client, whose session is then revoked.
				const probe = standaloneClient(url, anonKey);
				const { data, error } = await probe.auth.signInWithPassword({ email: user.email, password });
				if (error || data.user?.id !== user.id) return false;
				await probe.auth.signOut({ scope: 'local' });
				return true;
			},
			loginRemovalUnavailable: () => (serviceRoleKey ? null : NO_SERVICE_ROLE),
			async removeLogin() {
				const { user } = await event.locals.safeGetSession();
				if (!user) throw new Error('Nobody is signed in.');
				if (!serviceRoleKey) throw new Error(NO_SERVICE_ROLE);
				// Deleting the auth.users row runs the database's trigger, which erases the account (already done).
				const { error } = await standaloneClient(url, serviceRoleKey).auth.admin.deleteUser(user.id);
				if (error) throw new Error(`deleteUser: ${error.message}`);
			},
			existingLogins: async (emails) => [...emails]
		};
		event.locals.safeGetSession = async () => {
			// The cookie alone proves nothing: getClaims() verifies the access token's signature (after
			// refreshing it when it is about to expire). With asymmetric signing keys it checks against
			// the project's JWKS, fetched once and cached, so a request costs no call to Auth; with
			// legacy HS256 keys it asks Auth instead. Like PostgREST, it accepts a token until it
			// expires even if its session was signed out elsewhere in the meantime.
			const { data, error } = await supabase.auth.getClaims();
			const claims = Claims.safeParse(data?.claims);
			if (error || !claims.success) return { session: null, user: null };
			const user = { id: claims.data.sub, email: claims.data.email ?? '' };
			return { session: { user, expiresAt: claims.data.exp }, user };
		};
		return resolve(event, {
			filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
		});
	};
}
