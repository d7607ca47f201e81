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
	messages: readonly M[],
	options: { me: string; lastReadAt: string | null; now?: Date; timeZone?: string }
): ThreadItem<M>[] {
	const items: ThreadItem<M>[] = [];
	const readUpTo = options.lastReadAt ? timeKey(options.lastReadAt) : null;
	// Each message's day and time once: labels are costly and every pair of neighbours compares them.
	const days = messages.map((m) => dayLabel(m.created_at, options.now, options.timeZone));
	const keys = messages.map((m) => timeKey(m.created_at));
	const together = (a: number, b: number) =>
		a >= 0 &&
		b < messages.length &&
		messages[a].sender_id === messages[b].sender_id &&
		Math.abs(keys[b] - keys[a]) < GROUP_GAP_MICROS &&
		days[a] === days[b];
	let unreadShown = false;
	let lastDay = '';
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const day = days[i];
		if (day !== lastDay) {
			items.push({ kind: 'day', label: day, key: `day-${message.id}` });
			lastDay = day;
		}
		if (!unreadShown && readUpTo !== null && message.sender_id !== options.me && keys[i] > readUpTo) {
			items.push({ kind: 'unread', key: 'unread-divider' });
			unreadShown = true;
		}
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
