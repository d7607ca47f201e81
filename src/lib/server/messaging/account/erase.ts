import { fail, redirect, type RequestEvent, type ServerLoadEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { formActions, formFields, UNREADABLE_FORM } from '../form.js';
import { FailureWindow, waitInMinutes } from './failure-window.js';

/**
 * What deleting an account needs from the host's sign-in, which messaging does not own: the
 * password checked again, the login removed for good, the session ended.
 */
export interface AccountLogin {
	/** Why this server cannot remove logins (on Supabase it needs the service-role key); null when it can. */
	loginRemovalUnavailable(): string | null;
	/** Whether this is the signed-in member's password. Starts no session where the mode allows. */
	verifyPassword(password: string): Promise<boolean>;
	/** Removes the signed-in member's login (auth.users), for good. */
	removeLogin(): Promise<void>;
	signOut(): Promise<void>;
}

export interface DeleteAccountPageData {
	signedIn: boolean;
	/** Set when this server cannot delete accounts: the page explains and offers no form. */
	unavailable: string | null;
	/** The account was just deleted (the page the deletion redirects to). */
	deleted: boolean;
}

const PasswordAgain = z.object({
	password: z.string({ error: 'Enter your password to confirm.' }).min(1, 'Enter your password to confirm.').max(200, 'That is not your password. Nothing was deleted.')
});

const WRONG_PASSWORD = 'That is not your password. Nothing was deleted.';

/**
 * Wrong passwords per member, as sign-in counts them: a session alone (a borrowed laptop, a stolen
 * cookie) must not be enough to guess the password and erase the account.
 */
const wrongPasswords = new FailureWindow({ limit: 5 });

/**
 * The "Delete my account" page's load and its one action, for `export const { load, actions } =
 * deleteAccountPage({ login: (locals) => locals.auth })`. The action checks the password again,
 * then erases the account (`eraseMyAccount`, one transaction), removes the login and ends the
 * session, and redirects to this page with `?deleted`. Where the login cannot be removed it
 * refuses before erasing anything; a wrong password erases nothing.
 */
export function deleteAccountPage(options: { login: (locals: App.Locals) => AccountLogin }) {
	const { login } = options;
	return {
		async load({ locals, url }: ServerLoadEvent): Promise<DeleteAccountPageData> {
			return {
				signedIn: locals.user !== null,
				unavailable: locals.user ? login(locals).loginRemovalUnavailable() : null,
				deleted: !locals.user && url.searchParams.has('deleted')
			};
		},
		actions: formActions({
			async default({ locals, request, url }: RequestEvent) {
				if (!locals.user) return fail(401, { message: 'Sign in to delete your account.' });
				const form = await formFields(request);
				if (!form) return fail(400, { message: UNREADABLE_FORM });
				const parsed = PasswordAgain.safeParse({ password: form.password ?? '' });
				if (!parsed.success) return fail(400, { message: parsed.error.issues[0].message });
				const account = login(locals);
				const unavailable = account.loginRemovalUnavailable();
				if (unavailable) return fail(503, { message: unavailable });
				const member = locals.user.id;
				const wait = wrongPasswords.waitMs(member);
				if (wait > 0) {
					const minutes = waitInMinutes(wait);
					return fail(429, { message: `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}. Nothing was deleted.` });
				}
				if (!(await account.verifyPassword(parsed.data.password))) {
					wrongPasswords.failed(member);
					return fail(400, { message: WRONG_PASSWORD });
				}
				wrongPasswords.cleared(member);

				await locals.messaging.eraseMyAccount();
				try {
					await account.removeLogin();
				} catch (e) {
					// Erased, so this account can do nothing more; trying again repeats only the removal.
					console.error('[account] the login of an erased account could not be removed:', e);
					return fail(502, { message: 'Your messages and profile were erased, but your login could not be removed. Please try again.' });
				}
				await account.signOut();
				// A new request, without the session: this one still carries the member who is gone.
				redirect(303, `${url.pathname}?deleted`);
			}
		})
	};
}
