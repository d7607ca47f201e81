import type { MessagingEvent, MessagingSignal } from '$lib/messaging/schemas';

/** What a connected stream receives: logged events (with ids), signals, and "catch up now". */
export interface Subscriber {
	event(event: MessagingEvent): void;
	signal(signal: MessagingSignal): void;
	/** The live feed had a gap (the LISTEN connection dropped): fetch what was missed. */
	resume(): void;
}

/**
 * The per-process fan-out of plain-PostgreSQL mode: one LISTEN connection feeds it, and
 * each SSE stream subscribes for its own user only. It also knows who is connected, which
 * is all presence needs.
 */
export class RealtimeHub {
	#subscribers = new Map<string, Set<Subscriber>>();
	#lastSeen = new Map<string, number>();
	#presenceListeners = new Set<(userId: string, online: boolean) => void>();

	subscribe(userId: string, subscriber: Subscriber): () => void {
		let set = this.#subscribers.get(userId);
		const cameOnline = !set;
		if (!set) this.#subscribers.set(userId, (set = new Set()));
		set.add(subscriber);
		if (cameOnline) for (const listener of this.#presenceListeners) listener(userId, true);
		return () => {
			set.delete(subscriber);
			if (set.size === 0 && this.#subscribers.get(userId) === set) {
				this.#subscribers.delete(userId);
				this.#lastSeen.set(userId, Date.now());
				for (const listener of this.#presenceListeners) listener(userId, false);
			}
		};
	}

	publish(userId: string, event: MessagingEvent) {
		for (const subscriber of this.#subscribers.get(userId) ?? []) subscriber.event(event);
	}

	signal(userId: string, signal: MessagingSignal) {
		for (const subscriber of this.#subscribers.get(userId) ?? []) subscriber.signal(signal);
	}

	resumeAll() {
		for (const set of this.#subscribers.values()) for (const subscriber of set) subscriber.resume();
	}

	presence(userId: string): { online: boolean; last_seen: number | null } {
		return { online: this.#subscribers.has(userId), last_seen: this.#lastSeen.get(userId) ?? null };
	}

	onPresenceChange(listener: (userId: string, online: boolean) => void): () => void {
		this.#presenceListeners.add(listener);
		return () => this.#presenceListeners.delete(listener);
	}
}
