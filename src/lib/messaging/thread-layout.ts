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

interface ReadPosition {
	me: string;
	/** The reader's read position; null when not known (no divider). */
	lastReadAt: string | null;
	/** Older messages are not loaded yet. */
	moreBefore?: boolean;
}

/**
 * Where the reader's unread run starts: the index of the first message from the other side after
 * their read position, or -1. Also -1 while older messages not loaded yet may hold it (nothing
 * loaded is at or before the read position): a divider there would say the run starts later than it does.
 */
export function firstUnreadIndex(messages: readonly { sender_id: string; created_at: string }[], position: ReadPosition): number {
	if (!position.lastReadAt || messages.length === 0) return -1;
	const readUpTo = timeKey(position.lastReadAt);
	if (position.moreBefore && timeKey(messages[0].created_at) > readUpTo) return -1;
	return messages.findIndex((m) => m.sender_id !== position.me && timeKey(m.created_at) > readUpTo);
}

/**
 * Turns a thread (oldest first) into what is drawn: day separators, a "new messages" divider
 * before the first unread message from the other side, and bubbles grouped by sender.
 */
export function layoutThread<M extends { id: string; sender_id: string; created_at: string }>(
	messages: readonly M[],
	options: ReadPosition & { now?: Date; timeZone?: string }
): ThreadItem<M>[] {
	const items: ThreadItem<M>[] = [];
	const unreadAt = firstUnreadIndex(messages, options);
	// Each message's day and time once: labels are costly and every pair of neighbours compares them.
	const days = messages.map((m) => dayLabel(m.created_at, options.now, options.timeZone));
	const keys = messages.map((m) => timeKey(m.created_at));
	const together = (a: number, b: number) =>
		a >= 0 &&
		b < messages.length &&
		messages[a].sender_id === messages[b].sender_id &&
		Math.abs(keys[b] - keys[a]) < GROUP_GAP_MICROS &&
		days[a] === days[b];
	let lastDay = '';
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const day = days[i];
		if (day !== lastDay) {
			items.push({ kind: 'day', label: day, key: `day-${message.id}` });
			lastDay = day;
		}
		if (i === unreadAt) items.push({ kind: 'unread', key: 'unread-divider' });
		items.push({ kind: 'message', message, startsGroup: !together(i - 1, i), endsGroup: !together(i, i + 1) });
	}
	return items;
}

/** My newest message the other side has read up to, for the "Seen" mark. */
export function lastSeenMessageId<M extends { id: string; sender_id: string; created_at: string }>(
	messages: readonly M[],
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
