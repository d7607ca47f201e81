import type { SupabaseClient } from '@supabase/supabase-js';
import type { SessionClaims } from '$lib/server/auth/jwt';
import type { Catalogue } from '$lib/server/catalogue/catalogue';
import type { MessagingBackend } from '$lib/server/backend/messaging-backend';

declare global {
	namespace App {
		interface SessionUser {
			id: string;
			email: string;
		}
		interface Session {
			user: SessionUser;
			expiresAt: number;
		}
		interface Locals {
			user: SessionUser | null;
			session: Session | null;
			/** Validated session: in Supabase mode checked with the Auth server, not just read from the cookie. */
			safeGetSession(): Promise<{ session: Session | null; user: SessionUser | null }>;
			/** Supabase mode only. */
			supabase?: SupabaseClient;
			/** Plain-PostgreSQL modes only: the claims RPCs run with. */
			claims?: SessionClaims | null;
			catalogue: Catalogue;
			messaging: MessagingBackend;
		}
		interface PageData {
			user: SessionUser | null;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
