import { FailureWindow, waitInMinutes } from '$lib/server';

/**
 * Failed sign-ins, limited per account and per address: after 5 failures for one email or 20
 * from one address within 15 minutes, sign-in waits until the oldest of them is 15 minutes old.
 * Kept in this server process's memory (a restart forgets them); on Supabase, Supabase Auth
 * applies its own limits as well. Unknown emails count like known ones, so the answer never
 * tells which emails exist.
 */
export class SignInLimits {
	readonly #accounts: FailureWindow;
	readonly #addresses: FailureWindow;

	constructor(options: { windowMs?: number; perAccount?: number; perAddress?: number; now?: () => number } = {}) {
		const { windowMs, now } = options;
		this.#accounts = new FailureWindow({ limit: options.perAccount ?? 5, windowMs, now });
		this.#addresses = new FailureWindow({ limit: options.perAddress ?? 20, windowMs, now });
	}

	/** How many whole minutes (at least 1) to wait before trying again, or null when a try is allowed now. */
	waitMinutes(email: string, address: string): number | null {
		const wait = Math.max(this.#accounts.waitMs(normal(email)), this.#addresses.waitMs(address));
		return wait > 0 ? waitInMinutes(wait) : null;
	}

	failed(email: string, address: string): void {
		this.#accounts.failed(normal(email));
		this.#addresses.failed(address);
	}

	/** A right password clears the account's failures (not the address's: others may share it). */
	succeeded(email: string): void {
		this.#accounts.cleared(normal(email));
	}
}

const normal = (email: string) => email.trim().toLowerCase();

/** The process's limits, shared by every sign-in request it serves. */
export const signInLimits = new SignInLimits();
