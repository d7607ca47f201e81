/** Signing in and out, whichever mode the app runs in; routes call this and never branch on the mode. */
export interface AuthAdapter {
	/** false for a wrong email or password. */
	signInWithPassword(email: string, password: string): Promise<boolean>;
	signOut(): Promise<void>;
	/** Whether this is the signed-in user's password (deleting the account asks for it again); false when signed out. */
	verifyPassword(password: string): Promise<boolean>;
	/** Why this server cannot remove logins (Supabase mode without SUPABASE_SERVICE_ROLE_KEY); null when it can. */
	loginRemovalUnavailable(): string | null;
	/** Removes the signed-in user's login (their auth.users row); the database erases their account with it. */
	removeLogin(): Promise<void>;
	/** Which of these emails can sign in. Supabase Auth lists its users only to the service role, so without that key it answers all of them. */
	existingLogins(emails: readonly string[]): Promise<string[]>;
}
