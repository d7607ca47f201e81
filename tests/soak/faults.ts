import type { MemberStream } from './member-stream.ts';
import type { Random } from './options.ts';

type FaultKind = 'cut' | 'sleep' | 'away' | 'kill' | 'postgres';

/** A fault and when it strikes: a share of the sends finished, so a seed replays the same sequence. */
export interface PlannedFault {
	at: number;
	kind: FaultKind;
}

export interface FaultCounts {
	cuts: number;
	sleeps: number;
	aways: number;
	kills: number;
	postgresRestarts: number;
	/** Stream faults that found no open stream to hit. */
	missed: number;
}

export function planFaults(random: Random, options: { cuts: number; sleeps: number; aways: number }): PlannedFault[] {
	const faults: PlannedFault[] = [
		{ at: random.between(0.25, 0.4), kind: 'kill' },
		{ at: random.between(0.55, 0.7), kind: 'postgres' }
	];
	for (let i = 0; i < options.cuts; i++) faults.push({ at: random.between(0.02, 0.95), kind: 'cut' });
	// Sleeps and absences start early enough to end (and catch up) while sends still run.
	for (let i = 0; i < options.sleeps; i++) faults.push({ at: random.between(0.05, 0.6), kind: 'sleep' });
	for (let i = 0; i < options.aways; i++) faults.push({ at: random.between(0.05, 0.6), kind: 'away' });
	return faults.sort((a, b) => a.at - b.at);
}

/**
 * Strikes the planned faults as the sends progress: stream cuts, sleeping and absent members,
 * exactly one kill -9 of the app and exactly one PostgreSQL restart (each awaited, so the two
 * never overlap). Whatever the sends left unreached (a run cut short by its budget) is struck
 * at the end, so every run has its kill and its restart.
 */
export class FaultRunner {
	readonly counts: FaultCounts = { cuts: 0, sleeps: 0, aways: 0, kills: 0, postgresRestarts: 0, missed: 0 };
	#stopped = false;

	constructor(
		readonly plan: PlannedFault[],
		readonly streams: MemberStream[],
		readonly random: Random,
		readonly actions: { sleepMs: number; kill(): Promise<void>; restartPostgres(): Promise<void>; log(line: string): void }
	) {}

	async run(progress: () => number, sendsDone: () => boolean): Promise<void> {
		let next = 0;
		while (next < this.plan.length && !this.#stopped) {
			const fault = this.plan[next];
			if (fault.at <= progress() || (sendsDone() && (fault.kind === 'kill' || fault.kind === 'postgres'))) {
				next++;
				await this.#strike(fault.kind);
			} else if (sendsDone()) {
				next++;
			} else {
				await new Promise((r) => setTimeout(r, 20));
			}
		}
	}

	stop() {
		this.#stopped = true;
	}

	async #strike(kind: FaultKind) {
		switch (kind) {
			case 'kill':
				this.actions.log('kill -9 of the app server');
				await this.actions.kill();
				this.counts.kills++;
				this.actions.log('app server back');
				return;
			case 'postgres':
				this.actions.log('PostgreSQL restart');
				await this.actions.restartPostgres();
				this.counts.postgresRestarts++;
				this.actions.log('PostgreSQL back');
				return;
			case 'cut':
				if (this.#onOpenStream((stream) => stream.cut())) this.counts.cuts++;
				return;
			case 'sleep':
				if (this.#onOpenStream((stream) => stream.sleep(this.actions.sleepMs))) this.counts.sleeps++;
				return;
			case 'away':
				if (this.#onOpenStream((stream) => stream.away(this.actions.sleepMs))) this.counts.aways++;
				return;
		}
	}

	/** A random stream that is open and reading; a few picks, then the fault counts as missed. */
	#onOpenStream(apply: (stream: MemberStream) => boolean): boolean {
		for (let pick = 0; pick < 20; pick++) {
			if (apply(this.random.pick(this.streams))) return true;
		}
		this.counts.missed++;
		return false;
	}
}
