import type { MessagingEvent, MessagingPreferences, QuickReply, RealtimeSession } from '../schemas';

/** As the database starts every member: both on. */
const DEFAULT_PREFERENCES: MessagingPreferences = { email_digests: true, browser_notifications: true };

/**
 * The member's settings as their own event log last told this tab. A change made in another of
 * their tabs or on another device arrives as an event: browser notifications turned off there
 * stop here at once, and a quick reply saved there is in this tab's picker.
 */
export class MemberSettings {
	#preferences = $state.raw<{ value: MessagingPreferences; id: number } | null>(null);
	#quickReplyListeners = new Set<(replies: QuickReply[], at: number) => void>();
	/** The last list heard, for a page mounted after it came (its listener was not there yet). */
	#quickReplies: { replies: QuickReply[]; at: number } | null = null;

	/** The event's preferences while they are newer than the session's load; the session's after. */
	preferences(session: RealtimeSession | null): MessagingPreferences {
		const heard = this.#preferences;
		if (heard && (!session || heard.id > session.cursor)) return heard.value;
		return session?.preferences ?? DEFAULT_PREFERENCES;
	}

	/** The member's whole list of quick replies after each change of it, with the event's id, the last one heard first; returns the way to stop. */
	hearQuickReplies(listener: (replies: QuickReply[], at: number) => void): () => void {
		if (this.#quickReplies) listener(this.#quickReplies.replies, this.#quickReplies.at);
		this.#quickReplyListeners.add(listener);
		return () => this.#quickReplyListeners.delete(listener);
	}

	/** Another member signed in on this tab: what was heard was the last one's. */
	forget() {
		this.#preferences = null;
		this.#quickReplies = null;
	}

	/** Takes an event about the member's settings; false for any other event. */
	apply(event: MessagingEvent): boolean {
		if (event.type === 'preferences.updated') {
			this.#preferences = { value: event.payload.preferences, id: event.id };
			return true;
		}
		if (event.type === 'quick_replies.updated') {
			this.#quickReplies = { replies: event.payload.quick_replies, at: event.id };
			for (const listener of this.#quickReplyListeners) listener(event.payload.quick_replies, event.id);
			return true;
		}
		return false;
	}
}
