import { clockTime } from './relative-time';
import type { ThreadMessage } from './state/thread.svelte';

type Byline = Pick<ThreadMessage, 'sender_display_name' | 'created_at' | 'edited_at' | 'deleted_at' | 'body' | 'attachments' | 'status'>;

/**
 * What a screen reader says before a message's text: who sent it, when, and what became of it,
 * "Lee Seller, 14:02, edited:". The bubble shows a name only at the start of a run and a time only
 * at its end, and its state in small print: heard without them, a message said nobody's words.
 * `seen`: the other member has read up to this one of mine.
 */
export function messageByline(message: Byline, { mine, seen }: { mine: boolean; seen: boolean }): string {
	const deleted = message.deleted_at !== null;
	const parts = [mine ? 'You' : message.sender_display_name, clockTime(message.created_at)];
	const photos = message.attachments.length;
	if (photos > 0) parts.push(photos === 1 ? '1 photo' : `${photos} photos`);
	if (message.edited_at && !deleted) parts.push('edited');
	if (message.status === 'sending') parts.push('sending');
	else if (message.status === 'failed') parts.push('not sent');
	else if (mine && seen) parts.push('seen');
	// As the bubble shows it: a deleted message says so, and a message of photos alone has no text.
	const text = deleted || message.body !== '' || photos === 0;
	return parts.join(', ') + (text ? ':' : '');
}
