import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { isDatabaseUnavailable, MessagingError, UNAVAILABLE_MESSAGE } from '$lib/messaging/errors.js';
import { hideContactDetails } from './contact-details.js';

/** What contact_screening() answers: whether masking is on and, if so, the key to sign with. */
const Screening = z.object({ enabled: z.boolean(), key: z.string().min(32).nullable() });
type Screening = z.infer<typeof Screening>;

/** A text screened for contact details: the masked text and the signature the database checks. */
export interface ScreenedText {
	p_masked_body: string;
	p_screening: string;
}

/**
 * Screens what people write for contact details while the operator's contact masking is on
 * (public.messaging_settings.contact_masking). The database refuses an unsigned text while
 * masking is on, so the setting is asked at most every `maxAgeMs` and again at once when a
 * refusal says it changed.
 */
export interface ContactScreen {
	/** The screened text to send along, or null while masking is off. */
	screen(id: string, body: string): Promise<ScreenedText | null>;
	/** Forgets the setting: the next screen asks the database again. */
	refresh(): void;
}

/** The signature send_message and edit_message check: HMAC-SHA256 over "id\ntext\nmasked text". */
export function signScreenedText(key: string, id: string, body: string, masked: string): string {
	return createHmac('sha256', key).update(`${id.toLowerCase()}\n${body}\n${masked}`, 'utf8').digest('hex');
}

/** A screen over `load`, which calls public.contact_screening() as service_role and returns its JSON. */
export function contactScreen(load: () => Promise<unknown>, options: { maxAgeMs?: number } = {}): ContactScreen {
	const maxAgeMs = options.maxAgeMs ?? 10_000;
	let current: { at: number; screening: Promise<Screening> } | null = null;
	const setting = () => {
		if (!current || Date.now() - current.at > maxAgeMs) {
			const screening = load().then(
				(value) => Screening.parse(value),
				(error: unknown) => {
					// Said as every other call says it: the page retries, the form keeps what was written.
					throw isDatabaseUnavailable(error) ? new MessagingError('unavailable', UNAVAILABLE_MESSAGE) : error;
				}
			);
			// A failed read is not remembered: the next message asks again.
			screening.catch(() => (current = null));
			current = { at: Date.now(), screening };
		}
		return current.screening;
	};
	return {
		async screen(id, body) {
			const { enabled, key } = await setting();
			if (!enabled || !key) return null;
			const masked = hideContactDetails(body).text;
			return { p_masked_body: masked, p_screening: signScreenedText(key, id, body, masked) };
		},
		refresh() {
			current = null;
		}
	};
}

/**
 * Masking is on and this backend was made without a screen: the server is not set up for it, and
 * the member, who did use the marketplace's pages, is told so rather than to use them.
 */
function unscreenable(e: unknown): never {
	if (!(e instanceof MessagingError) || e.code !== 'screening_required') throw e;
	console.error(
		'[messaging] contact masking is on (messaging_settings.contact_masking), but this backend has no screen: pass screen: contactScreen(...) to postgresMessaging or supabaseMessaging (README, "Contact masking")'
	);
	throw new MessagingError('screening_required', 'Messages cannot be sent right now: this marketplace is not set up to check them for contact details.');
}

/**
 * Calls `send` with the screened text (null without a screen, or while masking is off). A
 * refusal for want of screening means the setting changed since it was last read: read it
 * again, once.
 */
export async function withScreening<T>(
	screen: ContactScreen | undefined,
	id: string,
	body: string,
	send: (screening: ScreenedText | null) => Promise<T>
): Promise<T> {
	if (!screen) return send(null).catch(unscreenable);
	try {
		return await send(await screen.screen(id, body));
	} catch (e) {
		if (!(e instanceof MessagingError) || e.code !== 'screening_required') throw e;
		screen.refresh();
		return send(await screen.screen(id, body));
	}
}
