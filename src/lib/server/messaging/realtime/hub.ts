import { AsyncResource } from 'node:async_hooks';
import type { MessagingEvent, MessagingSignal } from '$lib/messaging/schemas/index.js';

/** What a connected stream receives: logged events (with ids), signals, and "catch up now". */
export interface Subscriber {
	event(event: MessagingEvent): void;
	signal(signal: MessagingSignal): void;
	/** The live feed had a gap (the LISTEN connection dropped): fetch what was missed. */
	resume(): void;
	/** The server is going away: end the stream. Its client reconnects (to a server still running) and catches up. */
	end(): void;
}

/**
 * The per-process fan-out of plain-PostgreSQL mode: one LISTEN connection feeds it, and
 * each SSE stream subscribes for its own user only. It also knows who is connected, which
 * is all presence needs.
 */
export class RealtimeHub {
	// A user's one stream as is (the usual case), or a set when several tabs are open.
	#subscribers = new Map<string, Subscriber | Set<Subscriber>>();
	#lastSeen = new Map<string, number>();
	#presenceListeners = new Set<(userId: string, online: boolean) => void>();
	// The async context the hub was made in (process start), not that of any one request.
	#scope = new AsyncResource('bazaar-messaging.realtime');

	/**
	 * Runs `make` outside the current request's async context. What a stream creates (promises,
	 * timers) carries the context it was made in, and with it everything stored there
	 * (AsyncLocalStorage: SvelteKit's request event and all it holds), for as long as it lives.
	 */
	detached<T>(make: () => T): T {
		return this.#scope.runInAsyncScope(make);
	}

	subscribe(userId: string, subscriber: Subscriber): () => void {
		this.add(userId, subscriber);
		return () => this.remove(userId, subscriber);
	}

	/** subscribe() without the closure that undoes it: pair with remove(). */
	add(userId: string, subscriber: Subscriber) {
		const current = this.#subscribers.get(userId);
		if (current === undefined) {
			this.#subscribers.set(userId, subscriber);
			for (const listener of this.#presenceListeners) listener(userId, true);
		} else if (current instanceof Set) {
			current.add(subscriber);
		} else if (current !== subscriber) {
			this.#subscribers.set(userId, new Set([current, subscriber]));
		}
	}

	remove(userId: string, subscriber: Subscriber) {
		const current = this.#subscribers.get(userId);
		if (current instanceof Set) {
			current.delete(subscriber);
			if (current.size > 1) return;
			const [last] = current;
			if (last) {
				this.#subscribers.set(userId, last);
				return;
			}
		} else if (current !== subscriber) {
			return;
		}
		this.#subscribers.delete(userId);
		this.#lastSeen.set(userId, Date.now());
		for (const listener of this.#presenceListeners) listener(userId, false);
	}

	publish(userId: string, event: MessagingEvent) {
		const current = this.#subscribers.get(userId);
		if (current instanceof Set) for (const subscriber of current) subscriber.event(event);
		else current?.event(event);
	}

	signal(userId: string, signal: MessagingSignal) {
		const current = this.#subscribers.get(userId);
		if (current instanceof Set) for (const subscriber of current) subscriber.signal(signal);
		else current?.signal(signal);
	}

	/** Whether this user has a stream open in this process. */
	has(userId: string): boolean {
		return this.#subscribers.has(userId);
	}

	/** This user's streams missed something: they catch up from the log. */
	resume(userId: string) {
		const current = this.#subscribers.get(userId);
		if (current instanceof Set) for (const subscriber of current) subscriber.resume();
		else current?.resume();
	}

	resumeAll() {
		for (const current of this.#subscribers.values()) {
			if (current instanceof Set) for (const subscriber of current) subscriber.resume();
			else current.resume();
		}
	}

	/** Ends this user's streams (signed out, login removed): those of a session still live reconnect and catch up. */
	end(userId: string) {
		const current = this.#subscribers.get(userId);
		if (current instanceof Set) for (const subscriber of [...current]) subscriber.end();
		else current?.end();
	}

	/**
	 * Ends every stream of this process, as its server shuts down: a stream never ends by itself,
	 * so an HTTP server waiting for its connections to close would wait for its own timeout.
	 */
	endAll() {
		for (const userId of [...this.#subscribers.keys()]) this.end(userId);
	}

	/** Everyone with a stream open in this process: who the digest worker must not mail as away. */
	connectedUsers(): string[] {
		return [...this.#subscribers.keys()];
	}

	presence(userId: string): { online: boolean; last_seen: number | null } {
		return { online: this.#subscribers.has(userId), last_seen: this.#lastSeen.get(userId) ?? null };
	}

	onPresenceChange(listener: (userId: string, online: boolean) => void): () => void {
		this.#presenceListeners.add(listener);
		return () => this.#presenceListeners.delete(listener);
	}
}
