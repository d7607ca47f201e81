import { tick } from 'svelte';
import type { MessagingApi } from '../api';
import type { ThreadState } from './thread.svelte';

const messageElement = (id: string) => document.getElementById(`message-${id}`);

/**
 * Older history of one open thread, loaded as the reader scrolls up, without losing their
 * place; and the jump to a search hit, which loads pages until the message is there.
 */
export class HistoryPager {
	#loading = $state(false);
	#error = $state('');
	#thread: ThreadState;
	#api: MessagingApi;
	#scroller: () => HTMLElement | undefined;

	constructor(options: { thread: ThreadState; api: MessagingApi; scroller: () => HTMLElement | undefined }) {
		this.#thread = options.thread;
		this.#api = options.api;
		this.#scroller = options.scroller;
	}

	get loading() {
		return this.#loading;
	}
	get error() {
		return this.#error;
	}

	async loadOlder(): Promise<void> {
		const thread = this.#thread;
		if (!thread.older || !thread.conversationId || this.#loading) return;
		this.#loading = true;
		this.#error = '';
		// Everything this thread has heard of so far is in the answer: it is read after those events.
		const cursor = thread.cursor;
		const outcome = await this.#api.history({ conversationId: thread.conversationId, before: thread.older });
		if (outcome.ok) {
			// Keep the reader's place: the message that was first stays where it was on screen. Measured on
			// that message rather than on the scroll height, and with the browser's own scroll anchoring off
			// (see the history's style), so the place is kept once, not twice, wherever the reader stopped.
			const first = thread.messages[0] ? messageElement(thread.messages[0].id) : null;
			const before = first?.getBoundingClientRect().top ?? 0;
			thread.prependOlder(outcome.value, { cursor });
			await tick();
			const scroller = this.#scroller();
			if (scroller && first?.isConnected) scroller.scrollTop += first.getBoundingClientRect().top - before;
		} else {
			this.#error = 'Could not load older messages.';
		}
		this.#loading = false;
	}

	/** Loads older pages (at most 40) until the message is there, then shows it highlighted. */
	async jumpTo(messageId: string): Promise<void> {
		const thread = this.#thread;
		for (let pages = 0; pages < 40 && !thread.messages.some((m) => m.id === messageId) && thread.older && !this.#error; pages++) {
			await this.loadOlder();
		}
		await tick();
		const element = messageElement(messageId);
		element?.scrollIntoView({ block: 'center' });
		element?.classList.add('highlight');
	}
}
