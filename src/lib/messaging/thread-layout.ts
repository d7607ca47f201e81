import { dayLabel } from './relative-time';
import { timeKey } from './timeline';

export interface LaidOutMessage<M> {
	kind: 'message';
	message: M;
	/** First of a run from one sender within a few minutes: shows the name. */
	startsGroup: boolean;
	/** Last of such a run: shows the time. */
	endsGroup: boolean;
}
export type ThreadItem<M> = { kind: 'day'; label: string; key: string } | { kind: 'unread'; key: string } | LaidOutMessage<M>;

const GROUP_GAP_MICROS = 5 * 60 * 1_000_000;

/**
 * Turns a thread (oldest first) into what is drawn: day separators, a "new messages" divider
 * before the first unread message from the other side, and bubbles grouped by sender.
 */
export function layoutThread<M extends { id: string; sender_id: string; created_at: string }>(
	messages: M[],
	options: { me: string; lastReadAt: string | null; now?: Date; timeZone?: string }
): ThreadItem<M>[] {
	const items: ThreadItem<M>[] = [];
	const readUpTo = options.lastReadAt ? timeKey(options.lastReadAt) : null;
	let unreadShown = false;
	let lastDay = '';
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const day = dayLabel(message.created_at, options.now, options.timeZone);
		if (day !== lastDay) {
			items.push({ kind: 'day', label: day, key: `day-${message.id}` });
			lastDay = day;
		}
		if (!unreadShown && readUpTo !== null && message.sender_id !== options.me && timeKey(message.created_at) > readUpTo) {
			items.push({ kind: 'unread', key: 'unread-divider' });
			unreadShown = true;
		}
		const previous = messages[i - 1];
		const next = messages[i + 1];
		const together = (a: M | undefined, b: M | undefined) =>
			!!a &&
			!!b &&
			a.sender_id === b.sender_id &&
			Math.abs(timeKey(b.created_at) - timeKey(a.created_at)) < GROUP_GAP_MICROS &&
			dayLabel(a.created_at, options.now, options.timeZone) === dayLabel(b.created_at, options.now, options.timeZone);
		items.push({ kind: 'message', message, startsGroup: !together(previous, message), endsGroup: !together(message, next) });
	}
	return items;
}

/** My newest message the other side has read up to, for the "Seen" mark. */
export function lastSeenMessageId<M extends { id: string; sender_id: string; created_at: string }>(
	messages: M[],
	me: string,
	otherLastReadAt: string | null
): string | null {
	if (!otherLastReadAt) return null;
	const readUpTo = timeKey(otherLastReadAt);
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message.sender_id === me) return timeKey(message.created_at) <= readUpTo ? message.id : null;
	}
	return null;
}
