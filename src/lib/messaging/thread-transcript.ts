import { offerCard, type DealEnding } from './offers/offer-card';
import { systemText } from './offers/system-text';
import { clockTime } from './relative-time';
import type { Message, UserSummary } from './schemas';

/** Who copies the thread, and what the thread around a card says of it (see supersededCards, endedDeals). */
export interface TranscriptViewer {
	me: string;
	other: Pick<UserSummary, 'id' | 'display_name'>;
	superseded?: ReadonlySet<string>;
	ended?: ReadonlyMap<string, DealEnding>;
}

/**
 * A message as a copied thread gives it: who wrote it and when, then what it says,
 * "Sam Seller, 14:02: Is it still available?", "You, 14:05 (edited): Yes". Copied as the screen
 * shows it, a thread named its writer only at the start of a run and never the reader, and put
 * each run's time (and "edited") after it, where it read as the next message's: the reader's own
 * messages came out as the other member's. Notices and offer cards are their sentence after the
 * time, as their sentence names who did what; a still-sending copy is copied as sent.
 */
export function transcriptLine(message: Message & { status?: string }, viewer: TranscriptViewer): string {
	const time = clockTime(message.created_at);
	if (message.kind === 'system') return `${time}: ${systemText(message, viewer)}`;
	if (message.kind === 'offer') {
		const card = offerCard(message, { ...viewer, superseded: viewer.superseded?.has(message.id), ended: viewer.ended?.get(message.id) });
		if (card) return `${time}: ${card.byline} ${card.amount} (${card.state})`;
	}
	const deleted = message.deleted_at !== null;
	const notes: string[] = [];
	if (message.edited_at && !deleted) notes.push('edited');
	if (message.status === 'failed') notes.push('not sent');
	const who = `${message.sender_id === viewer.me ? 'You' : message.sender_display_name}, ${time}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
	if (deleted) return `${who}: (deleted)`;
	const photos = message.attachments.length;
	const content = [replyNote(message, viewer), photos === 0 ? '' : photos === 1 ? '(1 photo)' : `(${photos} photos)`, message.body].filter(Boolean).join(' ');
	return `${who}: ${content}`;
}

/** What a reply answers, as its quote on screen says it: without it, "Yes" answers nothing a reader can see. */
function replyNote(message: Message, viewer: TranscriptViewer): string {
	if (message.reply_to_id === null) return '';
	const author = message.reply_to_sender_id === viewer.me ? 'you' : viewer.other.display_name;
	return message.reply_to_deleted ? `(replying to ${author}: a deleted message)` : `(replying to ${author}: “${message.reply_to_preview ?? ''}”)`;
}

/** Lines (messages and day labels) as one text: a message of several lines is a paragraph of its own. */
export function transcriptText(lines: readonly string[]): string {
	return lines.reduce((text, line, index) => {
		if (index === 0) return line;
		const paragraph = line.includes('\n') || lines[index - 1].includes('\n');
		return `${text}${paragraph ? '\n\n' : '\n'}${line}`;
	}, '');
}
