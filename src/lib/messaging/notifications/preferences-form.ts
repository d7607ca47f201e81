import { z } from 'zod';

/**
 * The settings form as the browser posts it: a checkbox is sent as "on" when ticked and not at
 * all when not, so a missing field means off. Because of that, the form names itself (`form`)
 * and nothing else may come with it: any other post is refused rather than read as "all off".
 */
export const PreferencesFormInput = z
	.object({
		form: z.literal('preferences'),
		email_digests: z.literal('on').optional(),
		browser_notifications: z.literal('on').optional(),
		// The boxes ticked or unticked on the page (comma-separated), when script says which: only
		// those are saved, so a page that had not yet heard a change made elsewhere to the other box
		// does not put it back. Without script the form is saved whole, as it shows.
		only: z
			.string()
			.regex(/^(email_digests|browser_notifications)(,(email_digests|browser_notifications))?$/)
			.optional()
	})
	.strict()
	.transform((form) => {
		const saves = (box: 'email_digests' | 'browser_notifications') => !form.only || form.only.split(',').includes(box);
		return {
			emailDigests: saves('email_digests') ? form.email_digests === 'on' : undefined,
			browserNotifications: saves('browser_notifications') ? form.browser_notifications === 'on' : undefined
		};
	});

/** What the `savePreferences` action answers, as the settings component receives it. */
export type PreferencesFormResult = { saved: boolean; message?: string } | null | undefined;
