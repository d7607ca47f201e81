/** A seeded source of randomness, so a run (fuzz, soak) can be replayed exactly from its seed. */
export interface Random {
	next(): number;
	int(below: number): number;
	pick<T>(items: readonly T[]): T;
	chance(probability: number): boolean;
	between(low: number, high: number): number;
	/** A version-4 uuid from the generator, so a replay uses the same ids. */
	uuid(): string;
}

/** mulberry32: small, fast and seeded. */
export function seeded(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
	return {
		next,
		int: (below) => Math.floor(next() * below),
		pick: (items) => items[Math.floor(next() * items.length)],
		chance: (probability) => next() < probability,
		between: (low, high) => low + next() * (high - low),
		uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`
	};
}
