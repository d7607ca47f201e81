import type { Message } from '../schemas';
import { timeKey } from '../timeline';

/**
 * How recent a copy of a message is, when that is known, on the user's event log: an event
 * carries the message as of its own id; a page read after the log stood at cursor C holds
 * everything up to C and perhaps more, so it counts as C + 0.5 (newer than event C, older than
 * event C + 1). Answers of the form actions have no age: they are judged by stamps alone.
 */
export const eventAge = (eventId: number) => eventId;
export const pageAge = (cursor: number) => cursor + 0.5;

/**
 * Whether an incoming copy is older than the one shown and must not replace it. Edits and
 * deletes carry stamps; reactions do not, so for them only the ages can tell a page loaded
 * before a reaction from the event that brought it.
 */
export function isStaleCopy(incoming: Message, incomingAge: number | undefined, current: Message, currentAge: number | undefined): boolean {
	if (stamp(incoming) < stamp(current)) return true;
	return incomingAge !== undefined && currentAge !== undefined && incomingAge < currentAge;
}

const stamp = (m: Message) => Math.max(m.edited_at ? timeKey(m.edited_at) : 0, m.deleted_at ? timeKey(m.deleted_at) : 0);

/**
 * The photos to show for a message: a message's photos never change after it is sent, they
 * only go when it is deleted. So a copy without them (one rendered before they were linked)
 * keeps the ones already shown.
 */
export function photosOf(incoming: Message, current: Message | undefined): Message['attachments'] {
	if (incoming.deleted_at !== null || incoming.attachments.length > 0 || !current) return incoming.attachments;
	return current.attachments;
}

/** A reply's quote of a message's text, as the messages view words it: its first 140 characters (code points, as left() counts), "Photo" for photos alone. */
export const quotedText = (body: string) => (body === '' ? 'Photo' : Array.from(body).slice(0, 140).join(''));

/**
 * How a reply quotes `quoted`, nothing once deleted: what a reply shows after an edit or a
 * deletion of the message it answers, without waiting for a reload.
 */
export function quoteOf(quoted: Message): Pick<Message, 'reply_to_preview' | 'reply_to_deleted'> {
	if (quoted.deleted_at !== null) return { reply_to_preview: '', reply_to_deleted: true };
	return { reply_to_preview: quotedText(quoted.body), reply_to_deleted: false };
}
