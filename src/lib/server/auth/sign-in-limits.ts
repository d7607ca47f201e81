import { FailureWindow, waitInMinutes } from '$lib/server';

/**
 * Failed sign-ins, limited within 15 minutes to 5 for one email from one address, 20 from one
 * address whatever the emails, and 100 for one email from all addresses together; past a limit,
 * sign-in waits until the oldest of those failures is 15 minutes old.
 *
 * Counted per email alone, five wrong guesses from anyone locked the owner out too, with the right
 * password, and anyone who knew a seller's email could keep them out. Now only a guesser spread
 * over at least five addresses reaches the owner. Kept in this server process's memory (a restart
 * forgets them); on Supabase, Supabase Auth applies its own limits as well. Unknown emails count
 * like known ones, so the answer never tells which emails exist.
 */
export class SignInLimits {
	readonly #fromAddress: FailureWindow;
	readonly #addresses: FailureWindow;
	readonly #accounts: FailureWindow;

	constructor(options: { windowMs?: number; perAccountFromAddress?: number; perAddress?: number; perAccount?: number; now?: () => number } = {}) {
		const { windowMs, now } = options;
		this.#fromAddress = new FailureWindow({ limit: options.perAccountFromAddress ?? 5, windowMs, now });
		this.#addresses = new FailureWindow({ limit: options.perAddress ?? 20, windowMs, now });
		this.#accounts = new FailureWindow({ limit: options.perAccount ?? 100, windowMs, now });
	}

	/** How many whole minutes (at least 1) to wait before trying again, or null when a try is allowed now. */
	waitMinutes(email: string, address: string): number | null {
		const wait = Math.max(
			this.#fromAddress.waitMs(pair(email, address)),
			this.#addresses.waitMs(address),
			this.#accounts.waitMs(normal(email))
		);
		return wait > 0 ? waitInMinutes(wait) : null;
	}

	failed(email: string, address: string): void {
		this.#fromAddress.failed(pair(email, address));
		this.#addresses.failed(address);
		this.#accounts.failed(normal(email));
	}

	/** A right password clears the account's failures (not the address's: others may share it). */
	succeeded(email: string, address: string): void {
		this.#fromAddress.cleared(pair(email, address));
		this.#accounts.cleared(normal(email));
	}
}

const normal = (email: string) => email.trim().toLowerCase();
const pair = (email: string, address: string) => `${normal(email)}\n${address}`;

/** The process's limits, shared by every sign-in request it serves. */
export const signInLimits = new SignInLimits();
