import { SvelteMap } from 'svelte/reactivity';
import type { OpenedConversation } from '../schemas';
import { ThreadState } from './thread.svelte';

/**
 * The threads this tab keeps, by conversation key. Only the most recently opened are kept, so
 * a long session's memory stays flat; a dropped thread leaves nothing behind and is loaded
 * again when opened.
 */
export class OpenThreads {
	// Insertion order is recency: opening a thread again moves it to the end.
	#byKey = new SvelteMap<string, ThreadState>();
	readonly maxThreads: number;

	constructor(options: { maxThreads?: number } = {}) {
		this.maxThreads = options.maxThreads ?? 20;
	}

	get size() {
		return this.#byKey.size;
	}

	keys(): string[] {
		return [...this.#byKey.keys()];
	}

	get(key: string): ThreadState | undefined {
		return this.#byKey.get(key);
	}

	all(): ThreadState[] {
		return [...this.#byKey.values()];
	}

	/** The kept thread of a conversation; a scan, as only a few threads are ever kept. */
	byConversation(conversationId: string): ThreadState | undefined {
		for (const thread of this.#byKey.values()) if (thread.conversationId === conversationId) return thread;
		return undefined;
	}

	/** A thread as the server opened it, kept as the most recent; `cursor`: where the event log stood when it was read. */
	open(opened: OpenedConversation, options: { cursor?: number } = {}): ThreadState {
		let thread = this.#byKey.get(opened.key);
		if (thread) {
			thread.refresh(opened, options);
			this.#byKey.delete(opened.key);
		} else {
			thread = new ThreadState(opened, options);
		}
		this.#byKey.set(opened.key, thread);
		for (const key of this.#byKey.keys()) {
			if (this.#byKey.size <= this.maxThreads) break;
			this.#byKey.delete(key);
		}
		return thread;
	}
}
