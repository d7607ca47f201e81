import { describe, expect, it, vi } from 'vitest';
import {
	RealtimeMessagingService,
	type RealtimeEnvironment
} from '../../src/lib/messaging/realtime/realtime-service.svelte.ts';
import type { ConversationWatch, RealtimeTransport, TransportHandlers } from '../../src/lib/messaging/realtime/transport.ts';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import type { MessagingEvent, MessagingSignal, SyncResult } from '../../src/lib/messaging/schemas/index.ts';
import { ALICE, CONVERSATION, readEvent, readState } from '../support/rows.ts';

/**
 * The realtime service's state machine, driven by a fake transport (a server-side event log
 * that sync pages through, plus live connections the test opens, feeds and breaks) and a fake
 * environment (online and visibility flags, manual timers, deterministic random).
 */

/** A valid event of the user's log; the service only looks at ids, so a read event will do. */
const event = (id: number): MessagingEvent => readEvent(readState(), { id });

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Connection {
	cursor: number;
	handlers: TransportHandlers;
}

interface HeldSync {
	cursor: number;
	resolve(result?: SyncResult): void;
	reject(error: Error): void;
}

class FakeTransport implements RealtimeTransport {
	/** Every call in order: `sync:<cursor>`, `connect:<cursor>`, `close`. */
	calls: string[] = [];
	connections: Connection[] = [];
	/** The server's event log: what sync pages through. */
	log: MessagingEvent[] = [];
	pageSize = 100;
	/** Canned answers for the next sync calls, before the log is consulted. */
	answers: (SyncResult | Error)[] = [];
	/** When set, sync calls wait until the test releases them. */
	holdSync = false;
	held: HeldSync[] = [];
	typing: string[] = [];

	connect(cursor: number, handlers: TransportHandlers) {
		this.calls.push(`connect:${cursor}`);
		this.connections.push({ cursor, handlers });
	}

	close() {
		this.calls.push('close');
	}

	sync(cursor: number): Promise<SyncResult> {
		this.calls.push(`sync:${cursor}`);
		if (this.holdSync) {
			return new Promise<SyncResult>((resolve, reject) => {
				this.held.push({ cursor, resolve: (result) => resolve(result ?? this.page(cursor)), reject });
			});
		}
		const answer = this.answers.shift();
		if (answer instanceof Error) return Promise.reject(answer);
		return Promise.resolve(answer ?? this.page(cursor));
	}

	async sendTyping(conversationId: string) {
		this.typing.push(conversationId);
	}

	watched: string[] = [];
	watchConversation({ conversationId }: ConversationWatch) {
		this.watched.push(conversationId);
		return () => {
			this.watched = this.watched.filter((id) => id !== conversationId);
		};
	}

	/** One page of the log after the cursor, as sync_since answers it. */
	page(cursor: number): SyncResult {
		const after = this.log.filter((e) => e.id > cursor).sort((a, b) => a.id - b.id);
		const events = after.slice(0, this.pageSize);
		return { events, cursor: events.at(-1)?.id ?? cursor, resync: false, has_more: after.length > events.length };
	}

	/** Writes events to the log without pushing them. */
	append(...ids: number[]) {
		this.log.push(...ids.map(event));
	}

	/** Writes an event to the log and pushes it on the newest connection. */
	emit(id: number) {
		this.append(id);
		this.push(id);
	}

	/** Pushes an event on the newest connection only (a re-delivery, or one the log already had). */
	push(id: number) {
		this.latest.handlers.event(event(id));
	}

	get latest(): Connection {
		const connection = this.connections.at(-1);
		if (!connection) throw new Error('no connection yet');
		return connection;
	}

	count(prefix: string): number {
		return this.calls.filter((call) => call.startsWith(prefix)).length;
	}

	releaseNext(result?: SyncResult) {
		const held = this.held.shift();
		if (!held) throw new Error('no sync call is waiting');
		held.resolve(result);
	}
}

interface Timer {
	id: number;
	at: number;
	ms: number;
	callback: () => void;
}

class FakeEnvironment implements RealtimeEnvironment {
	online = true;
	visible = true;
	now = 0;
	timers: Timer[] = [];
	/** Every delay ever scheduled, in order. */
	scheduled: number[] = [];
	randoms: number[] = [];
	#nextId = 1;
	#listeners = new Map<string, Set<() => void>>();

	isOnline() {
		return this.online;
	}

	isVisible() {
		return this.visible;
	}

	on(name: 'online' | 'offline' | 'visible', listener: () => void) {
		const set = this.#listeners.get(name) ?? new Set();
		set.add(listener);
		this.#listeners.set(name, set);
		return () => void set.delete(listener);
	}

	setTimeout(callback: () => void, ms: number): unknown {
		const timer = { id: this.#nextId++, at: this.now + ms, ms, callback };
		this.timers.push(timer);
		this.scheduled.push(ms);
		return timer.id;
	}

	clearTimeout(handle: unknown) {
		this.timers = this.timers.filter((timer) => timer.id !== handle);
	}

	random() {
		return this.randoms.shift() ?? 0.5;
	}

	listenerCount(): number {
		return [...this.#listeners.values()].reduce((sum, set) => sum + set.size, 0);
	}

	fire(name: 'online' | 'offline' | 'visible') {
		if (name === 'online') this.online = true;
		if (name === 'offline') this.online = false;
		if (name === 'visible') this.visible = true;
		for (const listener of [...(this.#listeners.get(name) ?? [])]) listener();
	}

	/** Moves the clock on, running every timer that comes due, in order. */
	advance(ms: number) {
		const until = this.now + ms;
		for (;;) {
			const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
			if (!due) break;
			this.timers = this.timers.filter((timer) => timer !== due);
			this.now = due.at;
			due.callback();
		}
		this.now = until;
	}
}

/** Lets every pending promise callback run (the fakes never use real timers). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(options: { cursor?: number; online?: boolean; minDelay?: number; maxDelay?: number } = {}) {
	const transport = new FakeTransport();
	const env = new FakeEnvironment();
	env.online = options.online ?? true;
	const delivered: number[] = [];
	const signals: MessagingSignal[] = [];
	const onResync = vi.fn();
	const service = new RealtimeMessagingService({
		transport,
		cursor: options.cursor ?? 5,
		onEvent: (e) => delivered.push(e.id),
		onSignal: (s) => signals.push(s),
		onResync,
		environment: env,
		minDelay: options.minDelay,
		maxDelay: options.maxDelay
	});
	return { transport, env, delivered, signals, onResync, service };
}

/** Started, caught up, connected and open. */
async function live(options: Parameters<typeof setup>[0] = {}) {
	const ctx = setup(options);
	ctx.service.start();
	await flush();
	ctx.transport.latest.handlers.open();
	await flush();
	expect(ctx.service.state).toBe('live');
	return ctx;
}

describe('RealtimeMessagingService: connecting', () => {
	it('starts in connecting and catches up through sync(cursor) before the live connection is opened', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		transport.append(6, 7);
		expect(service.state).toBe('connecting');

		service.start();
		expect(service.state).toBe('connecting');
		expect(transport.calls).toEqual(['sync:5']);

		await flush();
		expect(transport.calls).toEqual(['sync:5', 'connect:7']);
		expect(delivered).toEqual([6, 7]);
		expect(service.state).toBe('connecting');

		transport.latest.handlers.open();
		expect(service.state).toBe('live');
		await flush();
		// Anything committed between the catch-up and the subscription is fetched once more.
		expect(transport.calls).toEqual(['sync:5', 'connect:7', 'sync:7']);
		expect(delivered).toEqual([6, 7]);
		expect(service.cursor).toBe(7);
	});

	it('follows has_more through every page of the log before connecting, delivering each event once in id order', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		transport.pageSize = 3;
		transport.append(12, 6, 9, 7, 8, 10, 11);

		service.start();
		await flush();

		expect(transport.calls).toEqual(['sync:5', 'sync:8', 'sync:11', 'connect:12']);
		expect(delivered).toEqual(range(6, 12));
	});

	it('an event committed between the catch-up and the subscription is fetched by the catch-up that follows open', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		transport.append(6);
		service.start();
		await flush();
		expect(transport.latest.cursor).toBe(6);
		transport.append(7); // committed before the subscription took effect: never pushed
		transport.latest.handlers.open();
		await flush();
		expect(delivered).toEqual([6, 7]);
	});

	it('starting offline shows offline and neither syncs nor connects', () => {
		const { transport, service, env } = setup({ online: false });
		service.start();
		expect(service.state).toBe('offline');
		expect(transport.calls).toEqual([]);
		expect(env.timers).toEqual([]);
	});

	it('a catch-up that fails before connecting counts as a dropped connection and is retried later', async () => {
		const { transport, service, env, delivered } = setup({ cursor: 5, minDelay: 1000 });
		transport.answers.push(new Error('sync failed: 502'));
		transport.append(6);

		service.start();
		await flush();
		expect(service.state).toBe('reconnecting');
		expect(transport.count('connect')).toBe(0);
		expect(env.timers).toHaveLength(1);

		env.advance(1000);
		await flush();
		expect(transport.calls.slice(-2)).toEqual(['sync:5', 'connect:6']);
		expect(delivered).toEqual([6]);
	});

	it('a stream dropped by signing out, whose catch-up answers 401, stops for good: signed-out, no retry timer, no listener, no more requests', async () => {
		const { transport, service, env } = await live({ cursor: 5, minDelay: 1000 });
		transport.answers.push(new MessagingError('not_authenticated', 'Sign in to use messages.'));
		transport.latest.handlers.error('stream closed');
		env.advance(1000);
		await flush();
		expect(service.state).toBe('signed-out');
		expect(env.timers).toHaveLength(0);
		expect(env.listenerCount()).toBe(0);
		const requests = transport.calls.length;
		env.advance(10 * 60_000);
		env.fire('online');
		env.fire('visible');
		await flush();
		expect(transport.calls.length).toBe(requests);
		expect(service.state).toBe('signed-out');
	});

	it('forwards signals from the live connection', async () => {
		const { transport, signals } = await live();
		const typing: MessagingSignal = { type: 'typing', conversation_id: CONVERSATION, user_id: CONVERSATION, until: 1 };
		transport.latest.handlers.signal(typing);
		expect(signals).toEqual([typing]);
	});
});

describe('RealtimeMessagingService: delivering events once, in order', () => {
	it('delivers consecutive live events and drops duplicates and ids at or below the cursor', async () => {
		const { transport, delivered } = await live({ cursor: 5 });
		transport.emit(6);
		transport.push(6);
		transport.push(5);
		transport.push(3);
		transport.emit(7);
		transport.push(6);
		transport.push(7);
		expect(delivered).toEqual([6, 7]);
	});

	it('an event from sync and the same event pushed live are delivered once', async () => {
		const { transport, delivered, service } = setup({ cursor: 5 });
		transport.append(6, 7);
		service.start();
		await flush();
		transport.latest.handlers.open();
		transport.push(6);
		transport.push(7);
		await flush();
		transport.emit(8);
		expect(delivered).toEqual([6, 7, 8]);
	});

	it('a live event after a gap triggers a catch-up that fills the gap, in order, without reconnecting', async () => {
		const { transport, delivered, service } = await live({ cursor: 5 });
		const before = transport.calls.length;
		transport.append(6, 7);
		transport.emit(8);
		await flush();

		expect(transport.calls.slice(before)).toEqual(['sync:5']);
		expect(delivered).toEqual([6, 7, 8]);
		expect(service.cursor).toBe(8);
		expect(service.state).toBe('live');
	});

	it('live events arriving during a catch-up are buffered and delivered after it, in order, without duplicates', async () => {
		const { transport, delivered } = await live({ cursor: 5 });
		transport.holdSync = true;
		transport.append(6, 7);
		transport.emit(8); // gap: catch-up from 5 starts
		expect(transport.held.map((h) => h.cursor)).toEqual([5]);

		transport.push(7); // already in the log the catch-up reads
		transport.emit(9);
		transport.push(8);
		transport.emit(10);
		expect(delivered).toEqual([]);

		transport.holdSync = false;
		transport.releaseNext({ events: [6, 7, 8].map(event), cursor: 8, resync: false, has_more: false });
		await flush();
		expect(delivered).toEqual([6, 7, 8, 9, 10]);
		// Nothing buffered needed another trip to the log.
		expect(transport.count('sync')).toBe(3);
	});

	it('a buffered event that is still beyond the cursor after the catch-up starts another catch-up', async () => {
		const { transport, delivered } = await live({ cursor: 5 });
		transport.holdSync = true;
		transport.append(6);
		transport.emit(7); // gap
		transport.append(8);
		transport.emit(9); // buffered; 8 is not pushed
		transport.holdSync = false;
		transport.releaseNext({ events: [6, 7].map(event), cursor: 7, resync: false, has_more: false });
		await flush();
		expect(delivered).toEqual([6, 7, 8, 9]);
	});

	it('a sync whose events the log skipped (purged messages) still moves the cursor to the one it answers', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		// Events 6 and 7 were of purged messages: sync_since skips them but reports cursor 7.
		transport.answers.push({ events: [], cursor: 7, resync: false, has_more: false });
		service.start();
		await flush();
		expect(service.cursor).toBe(7);
		expect(transport.latest.cursor).toBe(7);

		transport.latest.handlers.open();
		await flush();
		const before = transport.calls.length;
		transport.emit(8);
		await flush();
		// 8 follows 7 directly: no gap, so no extra trip to the log.
		expect(transport.calls.slice(before)).toEqual([]);
		expect(delivered).toEqual([8]);
	});

	it('a full page of skipped events (has_more with no events) continues from the cursor sync answered', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		transport.answers.push({ events: [], cursor: 105, resync: false, has_more: true });
		transport.append(106);
		service.start();
		await flush();
		expect(transport.calls.slice(0, 2)).toEqual(['sync:5', 'sync:105']);
		expect(delivered).toEqual([106]);
	});
});

describe('RealtimeMessagingService: reconnecting', () => {
	it('a transport error closes the connection and reconnects with exponential backoff and jitter, bounded by maxDelay', async () => {
		const { transport, service, env } = setup({ cursor: 5, minDelay: 1000, maxDelay: 8000 });
		const randoms = [0, 1, 0.5, 0.25, 0.75, 0.999];
		env.randoms = [...randoms];
		service.start();
		await flush();

		const bases = [1000, 2000, 4000, 8000, 8000, 8000];
		for (const [attempt, base] of bases.entries()) {
			const closes = transport.count('close');
			transport.latest.handlers.error('stream closed');
			expect(service.state).toBe('reconnecting');
			expect(transport.count('close')).toBe(closes + 1);
			expect(env.timers).toHaveLength(1);
			const delay = env.timers[0].ms;
			expect(delay).toBe(base / 2 + randoms[attempt] * (base / 2));
			expect(delay).toBeGreaterThanOrEqual(base / 2);
			expect(delay).toBeLessThanOrEqual(base);

			// Not a moment before the delay...
			const connects = transport.count('connect');
			env.advance(delay - 1);
			await flush();
			expect(transport.count('connect')).toBe(connects);
			// ...then a catch-up first, and only then the new connection.
			env.advance(1);
			expect(transport.calls.at(-1)).toBe('sync:5');
			await flush();
			expect(transport.calls.slice(-2)).toEqual(['sync:5', 'connect:5']);
			expect(service.state).toBe('reconnecting');
		}
		expect(env.scheduled.map((ms) => Math.round(ms))).toEqual([500, 2000, 3000, 5000, 7000, 7996]);
		for (let i = 1; i < 4; i++) expect(env.scheduled[i]).toBeGreaterThan(env.scheduled[i - 1]);
	});

	it('jitter keeps every delay within [base/2, base], whatever random returns', async () => {
		for (const r of [0, 0.001, 0.3, 0.999999]) {
			const { transport, service, env } = setup({ minDelay: 400, maxDelay: 1600 });
			env.randoms = [r, r, r, r, r];
			service.start();
			await flush();
			for (const base of [400, 800, 1600, 1600]) {
				transport.latest.handlers.error('dropped');
				const delay = env.timers[0].ms;
				expect(delay).toBeGreaterThanOrEqual(base / 2);
				expect(delay).toBeLessThanOrEqual(base);
				env.advance(delay);
				await flush();
			}
		}
	});

	it('a reconnection that opens catches up from the cursor, goes live and resets the backoff', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5, minDelay: 1000, maxDelay: 30_000 });
		env.randoms = [1, 1, 1, 1];
		transport.latest.handlers.error('dropped');
		env.advance(env.timers[0].ms);
		await flush();
		transport.latest.handlers.error('dropped again');
		expect(env.timers[0].ms).toBe(2000);
		transport.append(6, 7); // missed while disconnected
		env.advance(2000);
		await flush();
		expect(transport.calls.slice(-2)).toEqual(['sync:5', 'connect:7']);
		expect(delivered).toEqual([6, 7]);

		transport.latest.handlers.open();
		expect(service.state).toBe('live');
		transport.latest.handlers.error('dropped once more');
		expect(env.timers[0].ms).toBe(1000);
	});

	it('says when the feed is live, first and after every reconnection, so sends waiting for the server go', async () => {
		const transport = new FakeTransport();
		const env = new FakeEnvironment();
		const onLive = vi.fn();
		new RealtimeMessagingService({ transport, cursor: 5, onEvent: () => {}, onResync: () => {}, onLive, environment: env, minDelay: 1000 }).start();
		await flush();
		transport.latest.handlers.open();
		expect(onLive).toHaveBeenCalledTimes(1);
		transport.latest.handlers.error('the server stopped');
		env.advance(env.timers[0].ms);
		await flush();
		expect(onLive).toHaveBeenCalledTimes(1);
		transport.latest.handlers.open();
		expect(onLive).toHaveBeenCalledTimes(2);
	});

	it('the server saying it cannot reach its database drops a live feed whose connection stands: reconnecting until a catch-up gets through', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5, minDelay: 1000 });
		// A hung database: the stream stays open, and relays nothing (nor anyone leaving).
		service.stalled();
		expect(service.state).toBe('reconnecting');
		expect(transport.calls.at(-1)).toBe('close');
		// Its catch-up is refused while the database is away: still reconnecting, with backoff.
		transport.answers.push(new Error('sync failed: Messages are unavailable right now. Try again in a moment.'));
		env.advance(env.timers[0].ms);
		await flush();
		expect(service.state).toBe('reconnecting');
		// Back: caught up, live again.
		transport.append(6);
		env.advance(env.timers[0].ms);
		await flush();
		transport.latest.handlers.open();
		expect(service.state).toBe('live');
		expect(delivered).toEqual([6]);
		// Said again while already reconnecting, or offline: nothing more happens.
		const closes = transport.count('close');
		service.stalled();
		service.stalled();
		expect([service.state, transport.count('close')]).toEqual(['reconnecting', closes + 1]);
		env.fire('offline');
		service.stalled();
		expect(service.state).toBe('offline');
	});

	it('events, opens and errors from a stale (closed) connection are ignored', async () => {
		const { transport, service, env, delivered, onResync } = await live({ cursor: 5, minDelay: 1000 });
		const stale = transport.latest;
		stale.handlers.error('dropped');
		env.advance(env.timers[0].ms);
		await flush();
		const current = transport.latest;
		expect(current).not.toBe(stale);
		current.handlers.open();
		await flush();
		const calls = transport.calls.length;

		stale.handlers.event(event(6));
		stale.handlers.open();
		stale.handlers.resync();
		stale.handlers.error('late error');
		await flush();

		expect(delivered).toEqual([]);
		expect(onResync).not.toHaveBeenCalled();
		expect(service.state).toBe('live');
		expect(env.timers).toEqual([]);
		expect(transport.calls.length).toBe(calls);

		transport.emit(6);
		expect(delivered).toEqual([6]);
	});
});

describe('RealtimeMessagingService: online, offline and visibility', () => {
	it('going offline closes the transport, shows offline and leaves no retry timer', async () => {
		const { transport, service, env } = await live({ minDelay: 1000 });
		env.fire('offline');
		expect(service.state).toBe('offline');
		expect(transport.calls.at(-1)).toBe('close');
		expect(env.timers).toEqual([]);
	});

	it('going offline while a retry is waiting cancels it', async () => {
		const { transport, service, env } = await live({ minDelay: 1000 });
		transport.latest.handlers.error('dropped');
		expect(env.timers).toHaveLength(1);
		env.fire('offline');
		expect(service.state).toBe('offline');
		expect(env.timers).toEqual([]);
		const connects = transport.count('connect');
		env.advance(60_000);
		await flush();
		expect(transport.count('connect')).toBe(connects);
	});

	it('an error while the browser is offline shows offline instead of scheduling retries', async () => {
		const { transport, service, env } = await live();
		env.online = false;
		transport.latest.handlers.error('network down');
		expect(service.state).toBe('offline');
		expect(env.timers).toEqual([]);
	});

	it('events pushed on the connection closed by going offline are ignored', async () => {
		const { transport, env, delivered } = await live({ cursor: 5 });
		const closed = transport.latest;
		env.fire('offline');
		closed.handlers.event(event(6));
		expect(delivered).toEqual([]);
	});

	it('coming back online reconnects at once, catching up before the connection opens', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5 });
		env.fire('offline');
		transport.append(6, 7);
		const before = transport.calls.length;

		env.fire('online');
		expect(service.state).toBe('reconnecting');
		expect(env.timers).toEqual([]);
		expect(transport.calls.slice(before)).toEqual(['sync:5']);
		await flush();
		expect(transport.calls.slice(before)).toEqual(['sync:5', 'connect:7']);
		expect(delivered).toEqual([6, 7]);

		transport.latest.handlers.open();
		expect(service.state).toBe('live');
	});

	it('coming back online while a backoff timer waits reconnects now and cancels the timer', async () => {
		const { transport, env } = await live({ cursor: 5, minDelay: 10_000 });
		transport.latest.handlers.error('dropped');
		expect(env.timers).toHaveLength(1);
		env.fire('online');
		expect(env.timers).toEqual([]);
		await flush();
		expect(transport.calls.slice(-2)).toEqual(['sync:5', 'connect:5']);
	});

	it('becoming visible catches up through sync without reconnecting', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5 });
		transport.append(6, 7);
		const before = transport.calls.length;
		env.fire('visible');
		await flush();
		expect(transport.calls.slice(before)).toEqual(['sync:5']);
		expect(delivered).toEqual([6, 7]);
		expect(service.state).toBe('live');
	});

	it('a failed catch-up on becoming visible is handled, not left as an unhandled rejection', async () => {
		const unhandled: unknown[] = [];
		const record = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', record);
		try {
			const { transport, env, delivered } = await live({ cursor: 5 });
			transport.answers.push(new Error('sync failed: 503'));
			env.fire('visible');
			await flush();
			await flush();
			expect(unhandled).toEqual([]);
			// The service still catches up later.
			transport.append(6);
			transport.emit(7);
			await flush();
			expect(delivered).toEqual([6, 7]);
		} finally {
			process.off('unhandledRejection', record);
		}
	});
});

describe('RealtimeMessagingService: content-free pushes (Supabase)', () => {
	it('a push naming a newer event catches up from the log and delivers it once', async () => {
		const { transport, delivered, service } = await live({ cursor: 5 });
		const before = transport.calls.length;
		transport.append(6, 7);
		transport.latest.handlers.behind(7);
		await flush();
		expect(transport.calls.slice(before)).toEqual(['sync:5']);
		expect(delivered).toEqual([6, 7]);
		expect(service.cursor).toBe(7);
	});

	it('a push at or below the cursor costs nothing', async () => {
		const { transport } = await live({ cursor: 5 });
		const before = transport.calls.length;
		transport.latest.handlers.behind(5);
		transport.latest.handlers.behind(2);
		await flush();
		expect(transport.calls.slice(before)).toEqual([]);
	});

	it('pushes arriving during a catch-up fold into one more run, and nothing is delivered twice', async () => {
		const { transport, delivered } = await live({ cursor: 5 });
		transport.holdSync = true;
		transport.append(6);
		transport.latest.handlers.behind(6);
		transport.append(7);
		transport.latest.handlers.behind(7);
		transport.append(8);
		transport.latest.handlers.behind(8);
		expect(transport.held.map((h) => h.cursor)).toEqual([5]);
		transport.holdSync = false;
		transport.releaseNext({ events: [event(6)], cursor: 6, resync: false, has_more: false });
		await flush();
		expect(transport.count('sync:')).toBeLessThanOrEqual(4);
		expect(delivered).toEqual([6, 7, 8]);
	});

	it('an event committed before the subscription, whose catch-up after open fails once, still arrives', async () => {
		const { transport, env, service, delivered } = setup({ cursor: 5 });
		service.start();
		await flush();
		// Committed after the first catch-up and before the channel was subscribed: no push for it.
		transport.append(6);
		transport.answers.push(new Error('503'));
		transport.latest.handlers.open();
		await flush();
		expect(service.state).toBe('reconnecting');
		env.advance(30_000);
		await flush();
		transport.latest.handlers.open();
		await flush();
		expect(service.state).toBe('live');
		expect(delivered).toEqual([6]);
	});

	it('a failed catch-up after a push reconnects', async () => {
		const { transport, env, service } = await live({ cursor: 5 });
		transport.answers.push(new Error('network'));
		transport.latest.handlers.behind(9);
		await flush();
		expect(service.state).toBe('reconnecting');
		expect(env.timers).toHaveLength(1);
	});
});

describe('RealtimeMessagingService: resync and stop', () => {
	it('sync answering resync calls onResync and continues from the cursor the server gave', async () => {
		const { transport, service, onResync, delivered } = setup({ cursor: 5 });
		transport.answers.push({ events: [], cursor: 42, resync: true, has_more: false });
		service.start();
		await flush();
		expect(onResync).toHaveBeenCalledTimes(1);
		expect(service.cursor).toBe(42);
		expect(transport.latest.cursor).toBe(42);
		transport.latest.handlers.open();
		await flush();
		transport.emit(43);
		expect(delivered).toEqual([43]);
	});

	it('a resync from the live connection calls onResync', async () => {
		const { transport, onResync } = await live();
		transport.latest.handlers.resync();
		expect(onResync).toHaveBeenCalledTimes(1);
	});

	it('a resync from the live connection that says where the log stands goes on from there: its next event is no gap', async () => {
		const { transport, onResync, service, delivered } = await live({ cursor: 5 });
		const before = transport.count('sync:');
		transport.latest.handlers.resync(40);
		expect(service.cursor).toBe(40);
		transport.latest.handlers.event(event(41));
		await flush();
		expect(delivered).toEqual([41]);
		expect(transport.count('sync:')).toBe(before);
		expect(onResync).toHaveBeenCalledTimes(1);
	});

	it('stop removes every listener, cancels retries and closes the transport; nothing is delivered afterwards', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5, minDelay: 1000 });
		expect(env.listenerCount()).toBe(3);
		const connection = transport.latest;
		connection.handlers.error('dropped');
		expect(env.timers).toHaveLength(1);
		env.advance(env.timers[0].ms);
		await flush();
		const current = transport.latest;

		service.stop();
		expect(env.listenerCount()).toBe(0);
		expect(env.timers).toEqual([]);
		expect(transport.calls.at(-1)).toBe('close');
		const calls = transport.calls.length;

		transport.append(6, 7);
		current.handlers.open();
		current.handlers.event(event(6));
		current.handlers.error('late');
		env.fire('visible');
		env.fire('offline');
		env.fire('online');
		env.advance(120_000);
		await flush();

		expect(delivered).toEqual([]);
		expect(transport.calls.length).toBe(calls);
		expect(env.timers).toEqual([]);
	});

	it('stop during a catch-up delivers neither its results nor the live events buffered meanwhile', async () => {
		const { transport, service, env, delivered } = await live({ cursor: 5 });
		transport.holdSync = true;
		env.fire('visible');
		expect(transport.held).toHaveLength(1);
		transport.emit(6); // buffered while the catch-up runs
		transport.append(7);

		service.stop();
		transport.releaseNext();
		await flush();
		expect(delivered).toEqual([]);
	});

	it('stop while the first catch-up is in flight never opens a connection', async () => {
		const { transport, service, delivered } = setup({ cursor: 5 });
		transport.holdSync = true;
		transport.append(6);
		service.start();
		service.stop();
		transport.releaseNext();
		await flush();
		expect(transport.count('connect')).toBe(0);
		expect(delivered).toEqual([]);
	});

	it('sendTyping goes through the transport and swallows its failure', async () => {
		const { transport, service } = await live();
		await service.sendTyping(CONVERSATION);
		expect(transport.typing).toEqual([CONVERSATION]);
		transport.sendTyping = () => Promise.reject(new Error('offline'));
		await expect(service.sendTyping(CONVERSATION)).resolves.toBeUndefined();
	});

	it('watching a conversation passes through to the transport and stops when released', async () => {
		const { transport, service } = await live();
		const stop = service.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		expect(transport.watched).toEqual([CONVERSATION]);
		stop();
		expect(transport.watched).toEqual([]);
	});
});
