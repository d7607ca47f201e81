import { z } from 'zod';
import { Id } from '../schemas';

/**
 * What one tab tells the member's other tabs of this browser about the session. A sign-out is
 * said as its form submits, so a tab whose feed then stops can say "You signed out" rather than
 * guess; a sign-in is said once its page has the member, so a tab left saying the session ended
 * comes back at once rather than at its next navigation. The server's 401s stay the authority:
 * this only words and hastens what they decide.
 */
export const SessionNews = z.object({ type: z.enum(['signed-in', 'signed-out']), member: Id.nullable() });
export type SessionNews = z.infer<typeof SessionNews>;

const CHANNEL = 'bazaar-messaging:session';

/** One channel per tab, opened on first use: a channel never hears its own messages, so the tab does not hear itself. */
export class SessionTabs {
	#channel: BroadcastChannel | null = null;
	#listeners = new Set<(news: SessionNews) => void>();

	tell(news: SessionNews): void {
		this.#open()?.postMessage(news);
	}

	/** Returns the way to stop hearing. */
	hear(listener: (news: SessionNews) => void): () => void {
		this.#listeners.add(listener);
		this.#open();
		return () => {
			this.#listeners.delete(listener);
			if (this.#listeners.size > 0) return;
			this.#channel?.close();
			this.#channel = null;
		};
	}

	#open(): BroadcastChannel | null {
		// Absent in old browsers: tabs then learn from the server's 401s and their next navigation alone.
		if (this.#channel || typeof BroadcastChannel === 'undefined') return this.#channel;
		this.#channel = new BroadcastChannel(CHANNEL);
		// Posted by another tab, maybe of another version: read like any other input.
		this.#channel.onmessage = (event: MessageEvent) => {
			const news = SessionNews.safeParse(event.data);
			if (news.success) for (const listener of this.#listeners) listener(news.data);
		};
		return this.#channel;
	}
}
