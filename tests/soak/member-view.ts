import type { Message, MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';

/** What a member shows of a message: enough to compare with the database. */
export interface ViewedMessage {
	id: string;
	conversation_id: string;
	created_at: string;
	body: string;
}

export interface ViewCounts {
	/** Logged events applied (stream and catch-up). */
	events: number;
	/** An event id received a second time: the stream resent past Last-Event-ID. */
	duplicatedEvents: number;
	/** An event id lower than one already received (and not received before). */
	outOfOrderEvents: number;
	/** Event ids skipped without a resync saying so (what they carried then shows up as lost). */
	gaps: number;
	/** Event copies of messages the view already had: deduplicated by message id, as the client does. */
	redelivered: number;
	/** Events whose `id:` line and payload disagree, or that the client's schema refuses. */
	malformed: number;
	resyncs: number;
	pageLoads: number;
}

/**
 * One member's view, built only from what reached it: logged events from the stream or a
 * catch-up, and page loads. Messages are merged by id, as the browser's thread state does;
 * the order to show them in is the client's rule (see compareMessages), applied when checked.
 */
export class MemberView {
	readonly messages = new Map<string, Map<string, ViewedMessage>>();
	readonly counts: ViewCounts = {
		events: 0,
		duplicatedEvents: 0,
		outOfOrderEvents: 0,
		gaps: 0,
		redelivered: 0,
		malformed: 0,
		resyncs: 0,
		pageLoads: 0
	};
	#seen = new Set<number>();
	#highest = 0;

	/** The highest event id received (or skipped by a resync). */
	get highest(): number {
		return this.#highest;
	}

	/** A logged event; `wireId` is the SSE `id:` line when it came by stream. */
	event(event: MessagingEvent, wireId?: number) {
		if (wireId !== undefined && wireId !== event.id) this.counts.malformed++;
		if (this.#seen.has(event.id)) {
			this.counts.duplicatedEvents++;
			return;
		}
		if (event.id < this.#highest) this.counts.outOfOrderEvents++;
		else if (event.id > this.#highest + 1) this.counts.gaps++;
		this.#seen.add(event.id);
		this.#highest = Math.max(this.#highest, event.id);
		this.counts.events++;
		if (event.type === 'message.created' || event.type === 'message.updated') {
			if (this.#has(event.payload.message) && event.type === 'message.created') this.counts.redelivered++;
			this.#put(event.payload.message);
		}
	}

	/** The log no longer reaches back to us: everything up to `cursor` comes from page loads instead. */
	resync(cursor: number) {
		this.counts.resyncs++;
		this.#highest = Math.max(this.#highest, cursor);
	}

	/** Messages from a page load (history). */
	page(messages: Message[]) {
		for (const message of messages) this.#put(message);
	}

	#has(message: Message): boolean {
		return this.messages.get(message.conversation_id)?.has(message.id) ?? false;
	}

	#put(message: Message) {
		let thread = this.messages.get(message.conversation_id);
		if (!thread) this.messages.set(message.conversation_id, (thread = new Map()));
		thread.set(message.id, { id: message.id, conversation_id: message.conversation_id, created_at: message.created_at, body: message.body });
	}
}
