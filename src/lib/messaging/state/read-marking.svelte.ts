import { timeKey } from '../timeline';
import type { MessagingClient } from './messaging-client.svelte';
import type { ThreadState } from './thread.svelte';

/**
 * Marks an open thread read when its reader has its newest message in view (`seesNewest`), and
 * again as more comes while they do; only while the tab is visible, so a background tab marks it
 * when the reader comes back. Call it while a component initialises (it is an effect).
 *
 * A conversation marked unread counts as unread with no message after the read position; it is
 * read as seen too, except while this thread is being left for having been marked so (`keptUnread`).
 * Marked unread in another window while read here (unread with nothing new): left so, as the
 * member asked, until something new comes; this window read it back at once.
 */
export function markReadWhenSeen(options: {
	thread: ThreadState;
	messaging: MessagingClient;
	seesNewest: () => boolean;
	keptUnread: () => string | null;
}) {
	const { thread, messaging } = options;
	let wasRead = false;
	let markedElsewhere = false;
	$effect(() => {
		const conversationId = thread.conversationId;
		const me = messaging.me;
		const newest = thread.messages.findLast((m) => m.status === 'sent' && m.sender_id !== me);
		const readUpTo = thread.readState?.last_read_at ? timeKey(thread.readState.last_read_at) : 0;
		const newer = !!newest && timeKey(newest.created_at) > readUpTo;
		const counted = (thread.readState?.unread_count ?? 0) > 0;
		if (newer) markedElsewhere = false;
		else if (wasRead && counted) markedElsewhere = true;
		wasRead = !newer && !counted;
		if (!conversationId || !(newer || counted) || markedElsewhere || options.keptUnread() === conversationId) return;
		if (!options.seesNewest()) return;
		const markRead = () => {
			if (document.visibilityState !== 'visible') return;
			void messaging.api.action('read', { conversation_id: conversationId }).then((outcome) => {
				if (!outcome.ok) return;
				thread.setReadState(outcome.value);
				messaging.inbox.applyReadState(outcome.value);
			});
		};
		markRead();
		document.addEventListener('visibilitychange', markRead);
		return () => document.removeEventListener('visibilitychange', markRead);
	});
}
