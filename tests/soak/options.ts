/** What one soak run does: the full run, or the one-minute version inside `npm test`. */
export interface SoakOptions {
	quick: boolean;
	seed: number;
	/** Members with a live stream; those in no conversation check that nothing reaches them. */
	members: number;
	conversations: number;
	/** Logical sends (distinct message ids); each is submitted twice. */
	sends: number;
	/** Logical sends in flight at once (each with up to two submits). */
	inFlight: number;
	/** Streams cut (socket destroyed) over the run. */
	cuts: number;
	/** Streams that stop reading for sleepMs, and streams that disconnect for sleepMs. */
	sleeps: number;
	aways: number;
	sleepMs: number;
	/** How long PostgreSQL stays down during its restart. */
	postgresDownMs: number;
	/** A logical send not acknowledged within this long is given up (and counted unacknowledged). */
	sendDeadlineMs: number;
	/** After the sends: how long members get to reach their counters. */
	settleMs: number;
	/** The whole run, setup included, must end within this; the sends stop being started past it. */
	budgetMs: number;
}

const QUICK = {
	members: 40,
	conversations: 20,
	sends: 2_000,
	inFlight: 16,
	cuts: 40,
	sleeps: 3,
	aways: 3,
	sleepMs: 10_000,
	postgresDownMs: 2_000,
	sendDeadlineMs: 30_000,
	settleMs: 15_000,
	budgetMs: 75_000
};

const FULL = {
	members: 200,
	conversations: 100,
	sends: 20_000,
	inFlight: 16,
	cuts: 400,
	sleeps: 12,
	aways: 12,
	sleepMs: 30_000,
	postgresDownMs: 5_000,
	sendDeadlineMs: 60_000,
	settleMs: 60_000,
	budgetMs: 12 * 60_000
};

const USAGE = 'Usage: tsx tests/soak/run.ts [--quick] [--seed N] [--sends N]';

export function parseOptions(argv: string[]): SoakOptions {
	let quick = false;
	let seed: number | undefined;
	let sends: number | undefined;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const next = argv[++i];
			if (next === undefined || !/^\d{1,10}$/.test(next)) throw new Error(`${arg} needs a whole number. ${USAGE}`);
			return Number(next);
		};
		if (arg === '--quick') quick = true;
		else if (arg === '--seed') seed = value();
		else if (arg === '--sends') sends = value();
		else throw new Error(`Unknown option ${arg}. ${USAGE}`);
	}
	const profile = quick ? QUICK : FULL;
	return {
		quick,
		seed: seed ?? Math.floor(Math.random() * 2 ** 31),
		...profile,
		sends: sends ?? profile.sends
	};
}

export { seeded, type Random } from '../support/seeded-random.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
