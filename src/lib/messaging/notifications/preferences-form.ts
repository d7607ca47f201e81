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
		browser_notifications: z.literal('on').optional()
	})
	.strict()
	.transform((form) => ({ emailDigests: form.email_digests === 'on', browserNotifications: form.browser_notifications === 'on' }));

/** What the `savePreferences` action answers, as the settings component receives it. */
export type PreferencesFormResult = { saved: boolean; message?: string } | null | undefined;
