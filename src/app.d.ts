import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$lib/database.types';
import type { AuthAdapter } from '$lib/server/auth/auth-adapter';
import type { SessionClaims } from '$lib/server/auth/jwt';
import type { Catalogue } from '$lib/server/catalogue/catalogue';
import type { AttachmentStore, MessagingBackend, MessagingRealtime } from '$lib/server';

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
			/** Validated session: in Supabase mode the access token's signature is verified, not just read from the cookie. */
			safeGetSession(): Promise<{ session: Session | null; user: SessionUser | null }>;
			/** Supabase mode only. */
			supabase?: SupabaseClient<Database>;
			/** Plain-PostgreSQL modes only: the claims RPCs run with. */
			claims?: SessionClaims | null;
			auth: AuthAdapter;
			catalogue: Catalogue;
			messaging: MessagingBackend;
			messagingRealtime: MessagingRealtime;
			/** Where photos are kept: a folder under the data directory, or Supabase Storage as the signed-in user. */
			messagingAttachments: AttachmentStore;
		}
		interface PageData {
			user: SessionUser | null;
		}
		interface Error {
			message: string;
			/** The database could not be reached: the error page loads the page again by itself. */
			retry?: boolean;
		}
	}
}

export {};
