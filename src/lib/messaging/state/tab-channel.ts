import type { z } from 'zod';

/**
 * News between this browser's tabs of the app, on a BroadcastChannel of one name. One channel per
 * tab, opened on first use: a channel never hears its own messages, so a tab does not hear itself.
 * What arrives was posted by another tab, maybe of another version: it is read like any other
 * input, and whatever the schema refuses is dropped.
 */
export class TabChannel<T> {
	#name: string;
	#schema: z.ZodType<T>;
	#channel: BroadcastChannel | null = null;
	#listeners = new Set<(news: T) => void>();

	constructor(name: string, schema: z.ZodType<T>) {
		this.#name = name;
		this.#schema = schema;
	}

	tell(news: T): void {
		this.#open()?.postMessage(news);
	}

	/** Returns the way to stop hearing; the channel closes with its last listener. */
	hear(listener: (news: T) => void): () => void {
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
		// Absent in old browsers: tabs then learn what changed at their next page load.
		if (this.#channel || typeof BroadcastChannel === 'undefined') return this.#channel;
		this.#channel = new BroadcastChannel(this.#name);
		this.#channel.onmessage = (event: MessageEvent) => {
			const news = this.#schema.safeParse(event.data);
			if (news.success) for (const listener of this.#listeners) listener(news.data);
		};
		return this.#channel;
	}
}
