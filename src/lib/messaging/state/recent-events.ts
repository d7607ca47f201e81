import type { MessagingEvent } from '../schemas';

/**
 * The last events of the member's log this tab applied, so a page can be brought up to date. A
 * page is read at a cursor, and the events after it that came while it was on its way were
 * applied to what the tab had then: a thread not kept yet took none of them, and the rows the page
 * brings predate them. Applied again over the page, they leave it as the feed left the tab.
 */
export class RecentEvents {
	#events: MessagingEvent[] = [];
	/** The newest id trimmed away: a page read before it cannot be brought up to date from here. */
	#trimmedTo = -1;

	/** `keep`: how many; a page is seconds old, and that many events in its way would be a flood. */
	constructor(readonly keep = 500) {}

	add(event: MessagingEvent) {
		this.#events.push(event);
		// Trimmed in steps of `keep`, not one by one: each trim copies the array.
		if (this.#events.length >= 2 * this.keep) {
			this.#trimmedTo = Math.max(this.#trimmedTo, this.#events[this.#events.length - this.keep - 1].id);
			this.#events = this.#events.slice(-this.keep);
		}
	}

	/** The newest event's id, -1 before any: what came after it, a page asked for now may predate. */
	get newest(): number {
		return this.#events.at(-1)?.id ?? -1;
	}

	/** The events after a cursor, in the order they were applied; null when some of them were trimmed away. */
	after(cursor: number): MessagingEvent[] | null {
		if (cursor < this.#trimmedTo) return null;
		return this.#events.filter((event) => event.id > cursor);
	}

	/** Another member signed in on this tab: the last one's events are not theirs. */
	clear() {
		this.#events = [];
		this.#trimmedTo = -1;
	}
}
