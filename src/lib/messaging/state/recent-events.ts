import type { MessagingEvent } from '../schemas';

/**
 * The last events of the member's log this tab applied, so a page can be brought up to date. A
 * page is read at a cursor, and the events after it that came while it was on its way were
 * applied to what the tab had then: a thread not kept yet took none of them, and the rows the page
 * brings predate them. Applied again over the page, they leave it as the feed left the tab.
 */
export class RecentEvents {
	#events: MessagingEvent[] = [];

	/** `keep`: how many; a page is seconds old, and that many events in its way would be a flood. */
	constructor(readonly keep = 500) {}

	add(event: MessagingEvent) {
		this.#events.push(event);
		// Trimmed in steps of `keep`, not one by one: each trim copies the array.
		if (this.#events.length >= 2 * this.keep) this.#events = this.#events.slice(-this.keep);
	}

	/** The events after a cursor, in the order they were applied. */
	after(cursor: number): MessagingEvent[] {
		return this.#events.filter((event) => event.id > cursor);
	}

	/** Another member signed in on this tab: the last one's events are not theirs. */
	clear() {
		this.#events = [];
	}
}
