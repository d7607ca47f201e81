import { createServerClient } from '@supabase/ssr';
import WebSocket from 'ws';
import type { Handle } from '@sveltejs/kit';
import type { Runtime } from '../runtime';

/** Supabase's SvelteKit guide, as is: a per-request client reading and writing the auth cookies. */
export function supabaseSession(runtime: Runtime): Handle {
	const { url, anonKey } = runtime.config.supabase!;
	return async ({ event, resolve }) => {
		const supabase = createServerClient(url, anonKey, {
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
			const {
				data: { session }
			} = await supabase.auth.getSession();
			if (!session) return { session: null, user: null };
			// getSession() only reads the cookie; getUser() asks the Auth server whether the JWT is still good.
			const {
				data: { user },
				error
			} = await supabase.auth.getUser();
			if (error || !user) return { session: null, user: null };
			const sessionUser = { id: user.id, email: user.email ?? '' };
			return { session: { user: sessionUser, expiresAt: session.expires_at ?? 0 }, user: sessionUser };
		};
		return resolve(event, {
			filterSerializedResponseHeaders: (name) => name === 'content-range' || name === 'x-supabase-api-version'
		});
	};
}
