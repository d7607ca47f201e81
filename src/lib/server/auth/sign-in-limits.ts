/**
 * Failed sign-ins, limited per account and per address: after 5 failures for one email or 20
 * from one address within 15 minutes, sign-in waits until the oldest of them is 15 minutes old.
 * Kept in this server process's memory (a restart forgets them); on Supabase, Supabase Auth
 * applies its own limits as well. Unknown emails count like known ones, so the answer never
 * tells which emails exist.
 */
export class SignInLimits {
	readonly #window: number;
	readonly #perAccount: number;
	readonly #perAddress: number;
	readonly #now: () => number;
	readonly #failures = new Map<string, number[]>();

	constructor(options: { windowMs?: number; perAccount?: number; perAddress?: number; now?: () => number } = {}) {
		this.#window = options.windowMs ?? 15 * 60_000;
		this.#perAccount = options.perAccount ?? 5;
		this.#perAddress = options.perAddress ?? 20;
		this.#now = options.now ?? Date.now;
	}

	/** How many whole minutes (at least 1) to wait before trying again, or null when a try is allowed now. */
	waitMinutes(email: string, address: string): number | null {
		const until = Math.max(this.#blockedUntil(`account:${normal(email)}`, this.#perAccount), this.#blockedUntil(`address:${address}`, this.#perAddress));
		const wait = until - this.#now();
		return wait > 0 ? Math.max(1, Math.ceil(wait / 60_000)) : null;
	}

	failed(email: string, address: string): void {
		this.#record(`account:${normal(email)}`);
		this.#record(`address:${address}`);
	}

	/** A right password clears the account's failures (not the address's: others may share it). */
	succeeded(email: string): void {
		this.#failures.delete(`account:${normal(email)}`);
	}

	#recent(key: string): number[] {
		const since = this.#now() - this.#window;
		const times = (this.#failures.get(key) ?? []).filter((at) => at > since);
		if (times.length) this.#failures.set(key, times);
		else this.#failures.delete(key);
		return times;
	}

	#blockedUntil(key: string, limit: number): number {
		const times = this.#recent(key);
		return times.length >= limit ? times[times.length - limit] + this.#window : 0;
	}

	#record(key: string): void {
		// Bounded: a flood of made-up emails cannot grow memory without end.
		if (this.#failures.size >= 50_000 && !this.#failures.has(key)) this.#failures.delete(this.#failures.keys().next().value!);
		this.#failures.set(key, [...this.#recent(key), this.#now()]);
	}
}

const normal = (email: string) => email.trim().toLowerCase();

/** The process's limits, shared by every sign-in request it serves. */
export const signInLimits = new SignInLimits();
