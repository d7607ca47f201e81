import { tick } from 'svelte';
import type { MessagingApi } from '../api';
import { timeKey } from '../timeline';
import type { ThreadState } from './thread.svelte';

const messageElement = (id: string) => document.getElementById(`message-${id}`);

/** How much history opening a thread loads, at most, to show where the unread run starts. */
export const OPEN_AT_UNREAD_LIMIT = 500;
/** Room left above the "New messages" divider when a thread opens at it. */
const ABOVE_DIVIDER = 8;

/**
 * Older history of one open thread, loaded as the reader scrolls up, without losing their
 * place; the jump to a search hit, which loads pages until the message is there; and the
 * opening at the start of the reader's unread run.
 */
export class HistoryPager {
	#loading = $state(false);
	#error = $state('');
	#thread: ThreadState;
	#api: MessagingApi;
	#scroller: () => HTMLElement | undefined;
	#pending: Promise<void> | null = null;

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

	/** One page further back; a call while one is on its way waits for that one instead. */
	loadOlder(): Promise<void> {
		this.#pending ??= this.#loadPage().finally(() => (this.#pending = null));
		return this.#pending;
	}

	async #loadPage(): Promise<void> {
		const thread = this.#thread;
		if (!thread.older || !thread.conversationId) return;
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
		// One message at a time: each one followed to stayed outlined as if focused, several at once.
		for (const shown of element?.parentElement?.querySelectorAll('.highlight') ?? []) shown.classList.remove('highlight');
		element?.classList.add('highlight');
		// Where a keyboard or a screen reader goes on from too (a quote followed, a search hit opened).
		element?.focus({ preventScroll: true });
	}

	/**
	 * Opens the thread where the reader's unread run starts (after `readAt`), as chat apps do:
	 * older pages are loaded until it is there (at most OPEN_AT_UNREAD_LIMIT messages), and the
	 * "New messages" divider goes near the top when the run is taller than the view. A run that
	 * fits stays at the bottom; one that starts beyond the limit shows the oldest message loaded.
	 * Called with the thread at the bottom.
	 */
	async openAtUnread(readAt: string | null): Promise<void> {
		const thread = this.#thread;
		const readUpTo = readAt === null ? null : timeKey(readAt);
		const reached = () => !thread.older || (readUpTo !== null && timeKey(thread.messages[0].created_at) <= readUpTo);
		if (readUpTo === null || thread.messages.length === 0) return;
		while (!reached() && thread.messages.length < OPEN_AT_UNREAD_LIMIT && !this.#error) await this.loadOlder();
		await tick();
		const scroller = this.#scroller();
		if (!scroller) return;
		this.#toBottom();
		const top = scroller.getBoundingClientRect().top;
		const divider = scroller.querySelector('.unread-divider');
		const start = divider ?? (reached() ? null : messageElement(thread.messages[0].id));
		const above = start ? start.getBoundingClientRect().top - top : 0;
		if (above < 0) scroller.scrollTop += above - ABOVE_DIVIDER;
	}

	#toBottom() {
		const scroller = this.#scroller();
		if (scroller) scroller.scrollTop = scroller.scrollHeight;
	}
}
