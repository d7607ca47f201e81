import { error, fail, redirect, type RequestEvent, type ServerLoadEvent } from '@sveltejs/kit';
import { MessagingError } from '../../messaging/errors.js';
import { PreferencesFormInput } from '../../messaging/notifications/preferences-form.js';
import type { MessagingPreferences } from '../../messaging/schemas/index.js';
import { formActions, formFields } from './form.js';

/**
 * A member's settings page (`/account` in the demo): their digest and notification
 * preferences. For `export { load, actions }` in a `+page.server.ts` under a layout that loads
 * `loadMessagingSession`, whose session then reloads with what was saved.
 */
export async function load({ locals, url }: ServerLoadEvent): Promise<{ preferences: MessagingPreferences }> {
	if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
	return { preferences: await locals.messaging.getPreferences() };
}

export const actions = formActions({
	/** Both toggles at once, as the form shows them: an unticked box is off. */
	savePreferences: async ({ request, locals }: RequestEvent) => {
		if (!locals.user) error(401, { message: 'Sign in to change your settings.' });
		const parsed = PreferencesFormInput.safeParse((await formFields(request)) ?? undefined);
		if (!parsed.success) return fail(400, { saved: false, message: 'These settings could not be read. Reload the page and try again.' });
		try {
			const preferences = await locals.messaging.setPreferences(parsed.data);
			return { saved: true, preferences };
		} catch (e) {
			if (e instanceof MessagingError) return fail(e.status, { saved: false, message: e.message });
			throw e;
		}
	}
});
