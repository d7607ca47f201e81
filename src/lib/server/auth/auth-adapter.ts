/** Signing in and out, whichever mode the app runs in; routes call this and never branch on the mode. */
export interface AuthAdapter {
	/** false for a wrong email or password. */
	signInWithPassword(email: string, password: string): Promise<boolean>;
	signOut(): Promise<void>;
}
