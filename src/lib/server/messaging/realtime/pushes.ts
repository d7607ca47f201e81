import { MessagingEvent } from '$lib/messaging/schemas/index.js';
import type { RealtimeHub } from './hub.js';

/** A pushed event as NOTIFY carried it: rendered, or only its (user, id) for the relay to render. */
export type Push = { userId: string; event: unknown } | { userId: string; id: number };

/** Renders logged events by (user_id, id); a purged message renders as null. */
export type RenderEvents = (refs: { user_id: string; id: number }[]) => Promise<{ user_id: string; event: unknown }[]>;

/** Render queries running at once: enough to use both of a small server's cores, few enough to leave the pool to requests. */
const RENDERS_AT_ONCE = 3;

const key = (userId: string, id: number) => `${userId}:${id}`;

interface Batch {
	pushes: Push[];
	rendered: Map<string, unknown> | null;
}

/**
 * Hands pushes to the hub in the order they were committed, rendering the referenced ones
 * first. Only pushes for users with a stream open here are kept, so nobody's absence costs a
 * render. What arrives while every render slot is busy waits and goes as one batch: under load
 * batches grow and each push costs less; idle, a push waits for nothing. Batches are handed on
 * in arrival order whichever render finishes first, so a stream sees a user's events in id
 * order and never mistakes a slow render for a gap.
 */
export class Pushes {
	readonly #hub: RealtimeHub;
	readonly #render: RenderEvents;
	readonly #log: (line: string) => void;
	#queue: Push[] = [];
	/** Batches being rendered or waiting for an earlier one, oldest first. */
	#batches: Batch[] = [];
	#rendering = 0;

	constructor(hub: RealtimeHub, render: RenderEvents, log: (line: string) => void) {
		this.#hub = hub;
		this.#render = render;
		this.#log = log;
	}

	add(pushes: Push[]) {
		for (const push of pushes) if (this.#hub.has(push.userId)) this.#queue.push(push);
		this.#next();
	}

	#next() {
		if (this.#queue.length === 0 || this.#rendering >= RENDERS_AT_ONCE) return;
		const batch: Batch = { pushes: this.#queue, rendered: null };
		this.#queue = [];
		this.#batches.push(batch);
		this.#rendering++;
		void this.#rendered(batch.pushes).then((rendered) => {
			batch.rendered = rendered;
			this.#rendering--;
			this.#handOn();
			this.#next();
		});
	}

	#handOn() {
		while (this.#batches[0]?.rendered) {
			const { pushes, rendered } = this.#batches.shift()!;
			for (const push of pushes) {
				const raw = 'event' in push ? push.event : rendered!.get(key(push.userId, push.id));
				if (raw === undefined || raw === null) continue;
				const event = MessagingEvent.safeParse(raw);
				if (event.success) this.#hub.publish(push.userId, event.data);
				else this.#log(`ignored an event that does not parse: ${event.error.message}`);
			}
		}
	}

	async #rendered(batch: Push[]): Promise<Map<string, unknown>> {
		const rendered = new Map<string, unknown>();
		const refs = batch.flatMap((push) => ('id' in push ? [{ user_id: push.userId, id: push.id }] : []));
		if (refs.length === 0) return rendered;
		try {
			for (const row of await this.#render(refs)) {
				const id = (row.event as { id?: unknown } | null)?.id;
				if (typeof id === 'number') rendered.set(key(row.user_id, id), row.event);
			}
		} catch (error) {
			// The events are in the log: their streams catch up from it, as after a dropped notification.
			this.#log(`could not render pushed events: ${(error as Error).message}`);
			for (const userId of new Set(refs.map((ref) => ref.user_id))) this.#hub.resume(userId);
		}
		return rendered;
	}
}
