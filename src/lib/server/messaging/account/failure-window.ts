/**
 * Failures counted per key over a sliding window: once `limit` of them fall within `windowMs`, the
 * key waits until the oldest of those is `windowMs` old. Kept in this process's memory (a restart
 * forgets them) and bounded: a flood of made-up keys forgets the oldest keys first.
 */
export class FailureWindow {
	readonly #limit: number;
	readonly #windowMs: number;
	readonly #now: () => number;
	readonly #maxKeys: number;
	readonly #failures = new Map<string, number[]>();

	constructor(options: { limit: number; windowMs?: number; now?: () => number; maxKeys?: number }) {
		this.#limit = options.limit;
		this.#windowMs = options.windowMs ?? 15 * 60_000;
		this.#now = options.now ?? Date.now;
		this.#maxKeys = options.maxKeys ?? 50_000;
	}

	/** How long this key must wait before its next try, in ms; 0 when it may try now. */
	waitMs(key: string): number {
		const times = this.#recent(key);
		return times.length >= this.#limit ? Math.max(0, times[times.length - this.#limit] + this.#windowMs - this.#now()) : 0;
	}

	failed(key: string): void {
		if (this.#failures.size >= this.#maxKeys && !this.#failures.has(key)) this.#failures.delete(this.#failures.keys().next().value!);
		this.#failures.set(key, [...this.#recent(key), this.#now()]);
	}

	cleared(key: string): void {
		this.#failures.delete(key);
	}

	#recent(key: string): number[] {
		const since = this.#now() - this.#windowMs;
		const times = (this.#failures.get(key) ?? []).filter((at) => at > since);
		if (times.length) this.#failures.set(key, times);
		else this.#failures.delete(key);
		return times;
	}
}

/** A wait as a person reads it: whole minutes, at least one. */
export const waitInMinutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
