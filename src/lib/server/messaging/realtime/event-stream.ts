import type { MessagingEvent, MessagingSignal, SyncResult } from '$lib/messaging/schemas/index.js';
import type { RealtimeHub, Subscriber } from './hub.js';

export interface EventStreamOptions {
	userId: string;
	/** The last event id the client has (Last-Event-ID or ?cursor). */
	cursor: number;
	hub: RealtimeHub;
	/** The member's backend's own syncSince, as is: a wrapper would be one more closure per stream. */
	syncSince(options: { cursor: number }): Promise<SyncResult>;
	/**
	 * When the session's access token expires (ms since the epoch): the stream ends then (within
	 * half a heartbeat period), and its client reconnects as whoever the cookie says it is now.
	 */
	expiresAt?: number;
	/** A comment line goes out when nothing else was written for about this long. */
	heartbeatMs?: number;
	log?: (line: string) => void;
}

const encoder = new TextEncoder();

const frame = (event: string, data: unknown, id?: number) =>
	encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

// Tells EventSource how long to wait before reconnecting. Never written to, so every stream shares it.
const CONNECTED = encoder.encode(`retry: 2000\n: connected\n\n`);

/**
 * A client that stopped reading (a frozen tab, a stalled proxy): once this much waits in its
 * stream, past the socket's buffers, the stream ends rather than grow in memory without bound. Its
 * client reconnects and catches up from its cursor, so nothing is lost. Counted in bytes, by one
 * strategy object every stream shares.
 */
const MAX_QUEUED_BYTES = 1024 * 1024;
const QUEUED_BYTES: QueuingStrategy<Uint8Array> = { highWaterMark: 0, size: (chunk) => chunk.byteLength };

const LOOKS_PER_PERIOD = 2;
const SLOTS = 32;

/**
 * The heartbeats of every stream with one period, on one timer instead of one per stream:
 * streams sit in slots visited in turn, each looked at twice a period, and the second look in a
 * row that finds nothing written since sends a heartbeat. So an idle stream hears one every
 * period, a stream is never silent much longer than that, and a busy one gets none.
 */
class Heartbeats {
	static #byPeriod = new Map<number, Heartbeats>();

	static for(periodMs: number): Heartbeats {
		let heartbeats = Heartbeats.#byPeriod.get(periodMs);
		if (!heartbeats) Heartbeats.#byPeriod.set(periodMs, (heartbeats = new Heartbeats(periodMs)));
		return heartbeats;
	}

	readonly #periodMs: number;
	readonly #slots: Set<EventStream>[] = Array.from({ length: SLOTS }, () => new Set());
	#next = 0;
	#tick = 0;
	#size = 0;
	#timer: ReturnType<typeof setInterval> | null = null;

	private constructor(periodMs: number) {
		this.#periodMs = periodMs;
	}

	/** Returns the slot, for remove(). */
	add(stream: EventStream): number {
		const slot = this.#next++ % SLOTS;
		this.#slots[slot].add(stream);
		if (this.#size++ === 0) {
			this.#timer = setInterval(() => this.#visit(), Math.max(1, this.#periodMs / LOOKS_PER_PERIOD / SLOTS));
		}
		return slot;
	}

	remove(stream: EventStream, slot: number) {
		if (this.#slots[slot].delete(stream) && --this.#size === 0 && this.#timer) {
			clearInterval(this.#timer);
			this.#timer = null;
		}
	}

	#visit() {
		for (const stream of this.#slots[this.#tick++ % SLOTS]) stream.look();
	}
}

const ignore = () => {};

/**
 * A Server-Sent Events stream of one user's events. It subscribes to the hub first, then
 * catches up from the cursor, then relays live events, so nothing committed after the
 * cursor is missed and nothing is written twice: ids only ever move forward, and a gap in
 * the live feed triggers another catch-up. Only this user's events reach it.
 *
 * A stream lives for hours and a server holds thousands, so each is one object (the source of
 * its ReadableStream, the hub's subscriber and a heartbeat slot at once), and it is created
 * outside the request's async context: promises made inside it would keep that request's whole
 * state (SvelteKit's event, cookies, locals) reachable for as long as the stream is open.
 */
export function messagingEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
	return options.hub.detached(() => new ReadableStream<Uint8Array>(new EventStream(options), QUEUED_BYTES));
}

class EventStream implements Subscriber, UnderlyingDefaultSource<Uint8Array> {
	readonly #userId: string;
	readonly #hub: RealtimeHub;
	readonly #syncSince: EventStreamOptions['syncSince'];
	readonly #heartbeats: Heartbeats;
	readonly #log: (line: string) => void;
	readonly #expiresAt: number;
	#controller: ReadableStreamDefaultController<Uint8Array> | null = null;
	#sent: number;
	#closed = false;
	#catchingUp: Promise<void> | null = null;
	#again = false;
	/** Live events that arrived during a catch-up. */
	#pending: MessagingEvent[] | null = null;
	#slot = -1;
	/** Heartbeat looks in a row that found nothing written. */
	#silentLooks = 0;

	constructor(options: EventStreamOptions) {
		this.#userId = options.userId;
		this.#hub = options.hub;
		this.#syncSince = options.syncSince;
		this.#heartbeats = Heartbeats.for(options.heartbeatMs ?? 15_000);
		this.#log = options.log ?? ignore;
		this.#expiresAt = options.expiresAt ?? Infinity;
		this.#sent = options.cursor;
	}

	start(controller: ReadableStreamDefaultController<Uint8Array>) {
		this.#controller = controller;
		this.#hub.add(this.#userId, this);
		this.#slot = this.#heartbeats.add(this);
		this.#write(CONNECTED);
		void this.#catchUp().then(() => this.#write(frame('live', { cursor: this.#sent })));
	}

	cancel() {
		this.#close();
	}

	// Subscriber: what the hub hands this user's streams.

	event(event: MessagingEvent) {
		if (this.#catchingUp) {
			(this.#pending ??= []).push(event);
		} else if (event.id === this.#sent + 1 || event.id <= this.#sent) {
			this.#deliver(event);
		} else {
			// A gap: an event we never saw live (dropped notification). Fetch from the log.
			void this.#catchUp();
		}
	}

	signal(signal: MessagingSignal) {
		this.#write(frame(signal.type, signal));
	}

	resume() {
		void this.#catchUp();
	}

	end() {
		this.#close();
	}

	/** Heartbeats: a look at whether anything was written lately, and whether the session has run out. */
	look() {
		if (Date.now() >= this.#expiresAt) return this.#close();
		if (++this.#silentLooks >= LOOKS_PER_PERIOD) this.#write(encoder.encode(`: heartbeat ${Date.now()}\n\n`));
	}

	#write(chunk: Uint8Array) {
		if (this.#closed) return;
		this.#silentLooks = 0;
		try {
			this.#controller!.enqueue(chunk);
			if (this.#controller!.desiredSize! < -MAX_QUEUED_BYTES) this.#close();
		} catch {
			this.#close();
		}
	}

	#deliver(event: MessagingEvent) {
		if (event.id <= this.#sent) return;
		this.#sent = event.id;
		this.#write(frame(event.type, event, event.id));
	}

	#catchUp(): Promise<void> {
		if (this.#catchingUp) {
			this.#again = true;
			return this.#catchingUp;
		}
		this.#catchingUp = this.#readLog()
			.catch((error: Error) => {
				this.#log(`catch-up failed for ${this.#userId}: ${error.message}`);
				this.#write(frame('error', { message: 'Could not catch up; reconnecting.' }));
				this.#close();
			})
			.finally(() => {
				this.#catchingUp = null;
				// Live events that arrived during the catch-up, in order; a gap among them starts another catch-up.
				const buffered = this.#pending;
				this.#pending = null;
				if (buffered) for (const event of buffered) this.event(event);
			});
		return this.#catchingUp;
	}

	async #readLog() {
		do {
			this.#again = false;
			for (;;) {
				const result = await this.#syncSince({ cursor: this.#sent });
				if (this.#closed) return;
				if (result.resync) {
					this.#write(frame('resync', { cursor: result.cursor }));
					this.#sent = result.cursor;
					break;
				}
				for (const event of result.events) this.#deliver(event);
				// Past what the log skipped too (events of purged messages render as nothing): a page
				// of only those was asked for again and again, and a few of them made every next live
				// event look like a gap.
				this.#sent = Math.max(this.#sent, result.cursor);
				if (!result.has_more) break;
			}
		} while (this.#again && !this.#closed);
	}

	#close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#heartbeats.remove(this, this.#slot);
		this.#hub.remove(this.#userId, this);
		try {
			this.#controller?.close();
		} catch {
			// already closed by the client
		}
		this.#controller = null;
	}
}
