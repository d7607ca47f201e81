import { unreadTotalOf, type MessagingEvent } from '../schemas';
import type { InboxState } from './inbox.svelte';
import type { OpenThreads } from './open-threads.svelte';

/**
 * Applies one event of the user's log to the inbox and the kept threads: a message, an edit
 * or delete, a changed offer card, a read position, an archive or mute, a block, a partner's
 * deleted account. Every event
 * also carries the recipient's badge total; message events also the listing's status.
 */
export function routeEvent(event: MessagingEvent, state: { inbox: InboxState; threads: OpenThreads }) {
	const { inbox, threads } = state;
	const unreadTotal = unreadTotalOf(event);
	if (unreadTotal !== undefined) inbox.setUnreadTotal(unreadTotal, event.id);
	switch (event.type) {
		case 'message.created':
		case 'message.updated': {
			const { message, preview } = event.payload;
			const key = preview ? inbox.upsert(preview, true) : undefined;
			const thread = key !== undefined ? threads.get(key) : threads.byConversation(event.conversation_id);
			if (!thread) break;
			thread.confirm(message, event.id);
			if (preview) {
				thread.mergeCounts(preview);
				thread.followListing(preview);
				thread.followMember(preview);
			}
			break;
		}
		case 'conversation.updated': {
			const { preview, read_state } = event.payload;
			const thread = threads.byConversation(event.conversation_id);
			if (preview) inbox.upsert(preview, true);
			inbox.applyReadState(read_state);
			thread?.setReadState(read_state);
			if (preview) {
				thread?.followListing(preview);
				thread?.followMember(preview);
			}
			break;
		}
		case 'read':
			inbox.applyReadState(event.payload.read_state);
			threads.byConversation(event.conversation_id)?.setReadState(event.payload.read_state);
			break;
		case 'block.updated': {
			const { other_user_id, by_me, blocked } = event.payload;
			for (const thread of threads.all()) if (thread.otherUser.id === other_user_id) thread.setBlocked(by_me ? 'byMe' : 'me', blocked);
			break;
		}
	}
}
