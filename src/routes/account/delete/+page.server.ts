import { deleteAccountPage } from '$lib/server';

/** "Delete my account": the password again, then the account erased, the login removed and the session ended. */
export const { load, actions } = deleteAccountPage({ login: (locals) => locals.auth });
