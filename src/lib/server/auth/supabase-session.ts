import { createServerClient } from '@supabase/ssr';
import WebSocket from 'ws';
import { z } from 'zod';
import type { Handle } from '@sveltejs/kit';
import type { Database } from '$lib/database.types';

/** What the app takes from a verified access token; Supabase Auth puts more in it. */
const Claims = z.object({ sub: z.uuid(), email: z.string().optional(), exp: z.number().int() });

/** Supabase's SvelteKit guide: a per-request client reading and writing the auth cookies. */
export function supabaseSession({ url, anonKey }: { url: string; anonKey: string }): Handle {
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
			}
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
