import { SIGNED_OUT } from '../api';
import type { MessagingEvent, MessagingSignal } from '../schemas';
import type { ConversationWatch, RealtimeTransport } from './transport';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'signed-out';

/** A refusal for want of a session (HTTP 401): no retry can succeed until the user signs in again. */
const signedOutBy = (error: unknown) => (error as { code?: unknown } | null)?.code === SIGNED_OUT;

/** What the service needs from the browser, injectable so tests can drive it. */
export interface RealtimeEnvironment {
	isOnline(): boolean;
	isVisible(): boolean;
	on(event: 'online' | 'offline' | 'visible', listener: () => void): () => void;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
	random(): number;
}

export interface RealtimeServiceOptions {
	transport: RealtimeTransport;
	/** The last event id the page's data already includes. */
	cursor: number;
	onEvent(event: MessagingEvent): void;
	onSignal?(signal: MessagingSignal): void;
	/** The log no longer reaches back to our cursor: reload the page's data. */
	onResync(): void;
	/** The feed is live, first or again: the server answers, so what waited for it may go. */
	onLive?(): void;
	environment?: RealtimeEnvironment;
	/** Backoff bounds in ms. */
	minDelay?: number;
	maxDelay?: number;
}

export function browserEnvironment(): RealtimeEnvironment {
	return {
		isOnline: () => navigator.onLine,
		isVisible: () => document.visibilityState === 'visible',
		on(event, listener) {
			if (event === 'visible') {
				const onChange = () => document.visibilityState === 'visible' && listener();
				document.addEventListener('visibilitychange', onChange);
				return () => document.removeEventListener('visibilitychange', onChange);
			}
			window.addEventListener(event, listener);
			return () => window.removeEventListener(event, listener);
		},
		setTimeout: (callback, ms) => window.setTimeout(callback, ms),
		clearTimeout: (handle) => window.clearTimeout(handle as number),
		random: Math.random
	};
}

/**
 * One per tab: keeps a live feed of the user's events and guarantees none is lost. Every
 * (re)connect, every return online and every return to a visible tab first catches up from
 * the cursor through the log; events are delivered once each, in id order, whichever way they
 * arrive. A dropped connection is retried with exponential backoff and jitter, unless the
 * server says nobody is signed in: then it stops, as only signing in again can help.
 */
export class RealtimeMessagingService {
	state = $state<ConnectionState>('connecting');
	#cursor: number;
	#options: RealtimeServiceOptions;
	#env: RealtimeEnvironment;
	#attempt = 0;
	#retry: unknown = null;
	#stopped = false;
	#catchUp: Promise<void> | null = null;
	#catchUpAgain = false;
	#buffer: MessagingEvent[] = [];
	#unlisten: (() => void)[] = [];
	#generation = 0;

	constructor(options: RealtimeServiceOptions) {
		this.#options = options;
		this.#cursor = options.cursor;
		this.#env = options.environment ?? browserEnvironment();
	}

	get cursor(): number {
		return this.#cursor;
	}

	start(): this {
		this.#unlisten.push(
			this.#env.on('online', () => this.#reconnectNow()),
			this.#env.on('offline', () => this.#goOffline()),
			this.#env.on('visible', () => void this.catchUp().catch((error) => signedOutBy(error) && this.signedOut()))
		);
		if (this.#env.isOnline()) this.#connect();
		else this.state = 'offline';
		return this;
	}

	/**
	 * The session ended (signed out in another tab, or expired): stop for good, saying so. Retrying
	 * would only collect 401s. The page's next load after signing in starts a new service.
	 */
	signedOut() {
		if (this.#stopped) return;
		this.stop();
		this.state = 'signed-out';
	}

	/**
	 * The server answered that it cannot reach its database: no event reaches this feed then, though
	 * its connection stands (a hung database), and who is online is not known (a member leaving meanwhile
	 * was never relayed). It counts as dropped: "reconnecting", and live again once a catch-up gets through.
	 */
	stalled() {
		if (this.#stopped || this.state !== 'live') return;
		this.#dropped();
	}

	stop() {
		this.#stopped = true;
		this.#buffer.length = 0;
		this.#generation++;
		for (const unlisten of this.#unlisten.splice(0)) unlisten();
		if (this.#retry !== null) this.#env.clearTimeout(this.#retry);
		this.#options.transport.close();
	}

	sendTyping(conversationId: string, typing = true) {
		return this.#options.transport.sendTyping(conversationId, typing).catch(() => {});
	}

	/** While a thread is open: receive the other member's typing and presence. Returns the way to stop. */
	watchConversation(watch: ConversationWatch): () => void {
		return this.#options.transport.watchConversation(watch);
	}

	/** Fetches everything after the cursor from the log; concurrent calls share one run. */
	catchUp(): Promise<void> {
		if (this.#catchUp) {
			this.#catchUpAgain = true;
			return this.#catchUp;
		}
		this.#catchUp = (async () => {
			do {
				this.#catchUpAgain = false;
				for (;;) {
					const result = await this.#options.transport.sync(this.#cursor);
					if (this.#stopped) return;
					if (result.resync) {
						this.#cursor = result.cursor;
						this.#options.onResync();
						break;
					}
					for (const event of result.events) this.#deliver(event);
					// The log may skip events it no longer renders (purged messages); move past them too.
					if (result.cursor > this.#cursor) this.#cursor = result.cursor;
					if (!result.has_more) break;
				}
			} while (this.#catchUpAgain);
		})().finally(() => {
			this.#catchUp = null;
			const buffered = this.#buffer.splice(0);
			for (const event of buffered) this.#live(event);
		});
		return this.#catchUp;
	}

	#deliver(event: MessagingEvent) {
		if (event.id <= this.#cursor) return;
		this.#cursor = event.id;
		this.#options.onEvent(event);
	}

	#live(event: MessagingEvent) {
		if (this.#stopped) return;
		if (this.#catchUp) this.#buffer.push(event);
		else if (event.id <= this.#cursor + 1) this.#deliver(event);
		else void this.catchUp().catch((error) => this.#failed(error)); // a gap: fill it from the log
	}

	#connect() {
		if (this.#stopped) return;
		const generation = ++this.#generation;
		const current = () => generation === this.#generation && !this.#stopped;
		this.state = this.#attempt === 0 && this.state !== 'reconnecting' ? 'connecting' : 'reconnecting';
		this.catchUp()
			.then(() => {
				if (!current()) return;
				this.#options.transport.connect(this.#cursor, {
					open: () => {
						if (!current()) return;
						this.#attempt = 0;
						this.state = 'live';
						this.#options.onLive?.();
						// Anything committed between our catch-up and the subscription: with no push for it
						// (Supabase), a failed try is a dropped connection, retried, not "live" without it.
						void this.catchUp().catch((error) => current() && this.#failed(error));
					},
					event: (event) => current() && this.#live(event),
					signal: (signal) => current() && this.#options.onSignal?.(signal),
					behind: (cursor) => {
						if (current() && cursor > this.#cursor) void this.catchUp().catch((error) => current() && this.#failed(error));
					},
					resync: (cursor) => {
						if (!current()) return;
						// The stream goes on from there: events after it are next, not a gap to catch up on.
						if (cursor !== undefined && cursor > this.#cursor) this.#cursor = cursor;
						this.#options.onResync();
					},
					error: () => current() && this.#dropped()
				});
			})
			.catch((error) => current() && this.#failed(error));
	}

	#failed(error: unknown) {
		if (signedOutBy(error)) this.signedOut();
		else this.#dropped();
	}

	#dropped() {
		this.#options.transport.close();
		this.#generation++;
		if (!this.#env.isOnline()) return this.#goOffline();
		this.state = 'reconnecting';
		this.#attempt++;
		const min = this.#options.minDelay ?? 500;
		const max = this.#options.maxDelay ?? 30_000;
		const base = Math.min(max, min * 2 ** (this.#attempt - 1));
		// Full jitter on the upper half: many tabs dropped by one server restart don't return in lockstep.
		const delay = base / 2 + this.#env.random() * (base / 2);
		if (this.#retry !== null) this.#env.clearTimeout(this.#retry);
		this.#retry = this.#env.setTimeout(() => {
			this.#retry = null;
			this.#connect();
		}, delay);
	}

	#goOffline() {
		this.#generation++;
		this.#options.transport.close();
		if (this.#retry !== null) this.#env.clearTimeout(this.#retry);
		this.#retry = null;
		this.state = 'offline';
	}

	#reconnectNow() {
		if (this.#stopped) return;
		if (this.#retry !== null) this.#env.clearTimeout(this.#retry);
		this.#retry = null;
		this.#attempt = 0;
		this.state = 'reconnecting';
		this.#connect();
	}
}
