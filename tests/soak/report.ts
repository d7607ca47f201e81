import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FaultCounts } from './faults.ts';
import type { StreamCounts } from './member-stream.ts';
import type { ViewCounts } from './member-view.ts';
import type { OutboxCounts } from './outbox.ts';
import type { Verdict } from './verify.ts';

/** Where a run's summary goes: the full run's is the published figure; the quick one (inside npm test) is scratch. */
export const resultFile = (quick: boolean) => (quick ? 'test-results/soak-quick.json' : 'bench/results/soak-latest.json');

export interface SoakSummary {
	members: number;
	conversations: number;
	sent: number;
	submits: number;
	attempts: number;
	acknowledged: number;
	stored: number;
	lost: number;
	duplicated: number;
	out_of_order: number;
	redelivered: number;
	events: number;
	stream_cuts: number;
	sleeps: number;
	aways: number;
	reconnects: number;
	kills: number;
	postgres_restarts: number;
	resyncs: number;
	page_loads: number;
	unavailable_answers: number;
	server_errors: number;
	connection_errors: number;
	refused: number;
	mismatched: number;
	foreign: number;
	altered: number;
	gaps: number;
	malformed: number;
	behind: number;
	unhandled_rejections: number;
	unexpected_exits: number;
	soak_errors: number;
	seconds: number;
	seed: number;
	quick: boolean;
}

export interface SummaryInput {
	members: number;
	conversations: number;
	outbox: OutboxCounts;
	views: ViewCounts[];
	streams: StreamCounts[];
	faults: FaultCounts;
	verdict: Verdict;
	appCrashes: number;
	unexpectedExits: number;
	soakErrors: number;
	seconds: number;
	seed: number;
	quick: boolean;
}

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);

export function summarize(input: SummaryInput): SoakSummary {
	const { outbox, views, streams, faults, verdict } = input;
	return {
		members: input.members,
		conversations: input.conversations,
		sent: outbox.sent,
		submits: outbox.submits,
		attempts: outbox.attempts,
		acknowledged: outbox.acknowledged,
		stored: verdict.stored,
		lost: verdict.lostAcknowledged + verdict.lostInViews,
		duplicated: verdict.storedTwice + sum(views, (v) => v.duplicatedEvents) + verdict.twiceInViews,
		out_of_order: sum(views, (v) => v.outOfOrderEvents) + verdict.misplacedInViews,
		redelivered: sum(views, (v) => v.redelivered),
		events: sum(views, (v) => v.events),
		stream_cuts: faults.cuts,
		sleeps: faults.sleeps,
		aways: faults.aways,
		reconnects: sum(streams, (s) => s.connections) - streams.length,
		kills: faults.kills,
		postgres_restarts: faults.postgresRestarts,
		resyncs: sum(views, (v) => v.resyncs),
		page_loads: sum(views, (v) => v.pageLoads),
		unavailable_answers: outbox.unavailable,
		server_errors: outbox.serverErrors,
		connection_errors: outbox.connectionErrors,
		refused: outbox.refused,
		mismatched: outbox.mismatched,
		foreign: verdict.foreign,
		altered: verdict.altered,
		gaps: sum(views, (v) => v.gaps),
		malformed: sum(views, (v) => v.malformed),
		behind: verdict.behind,
		unhandled_rejections: input.appCrashes,
		unexpected_exits: input.unexpectedExits,
		soak_errors: input.soakErrors,
		seconds: input.seconds,
		seed: input.seed,
		quick: input.quick
	};
}

/** Why the run fails; empty when it passes. */
export function failures(s: SoakSummary): string[] {
	const out: string[] = [];
	const zero = ['lost', 'duplicated', 'out_of_order', 'refused', 'mismatched', 'foreign', 'altered', 'malformed', 'behind', 'unhandled_rejections', 'unexpected_exits', 'soak_errors'] as const;
	for (const key of zero) if (s[key] !== 0) out.push(`${key} is ${s[key]}, must be 0`);
	if (s.stored !== s.acknowledged || s.acknowledged !== s.sent) out.push(`sent ${s.sent}, acknowledged ${s.acknowledged}, stored ${s.stored}: must all be equal`);
	if (s.kills !== 1) out.push(`kills is ${s.kills}, must be 1`);
	if (s.postgres_restarts !== 1) out.push(`postgres_restarts is ${s.postgres_restarts}, must be 1`);
	return out;
}

const ROWS: [keyof SoakSummary, string][] = [
	['sent', 'distinct message ids sent'],
	['submits', 'submits (each send twice)'],
	['attempts', 'HTTP requests, retries included'],
	['acknowledged', 'ids answered as stored'],
	['stored', 'of those ids in messages'],
	['lost', 'acknowledged not stored + missing from a view'],
	['duplicated', 'stored twice + event resent + twice in a view'],
	['out_of_order', 'event ids going back + misplaced in a thread'],
	['redelivered', 'copies merged away by message id'],
	['events', 'logged events received'],
	['stream_cuts', 'streams cut'],
	['sleeps', 'streams that stopped reading'],
	['aways', 'members away, back with Last-Event-ID'],
	['reconnects', 'stream reconnects'],
	['kills', 'kill -9 of the app'],
	['postgres_restarts', 'PostgreSQL restarts'],
	['resyncs', 'resync answers (page loads follow)'],
	['page_loads', 'views rebuilt from page loads'],
	['unavailable_answers', '503 unavailable answers (retried)'],
	['connection_errors', 'refused or reset connections (retried)'],
	['server_errors', 'other 5xx (retried)'],
	['unhandled_rejections', 'in the app log'],
	['unexpected_exits', 'app exits nobody caused'],
	['seconds', 'wall time']
];

export function printReport(summary: SoakSummary, problems: string[], write: (line: string) => void) {
	const width = Math.max(...ROWS.map(([key]) => key.length));
	write('');
	for (const [key, what] of ROWS) write(`  ${key.padEnd(width)}  ${String(summary[key]).padStart(8)}  ${what}`);
	for (const line of problems.slice(0, 40)) write(`  ! ${line}`);
	write(`SOAK ${JSON.stringify(summary)}`);
}

export function saveSummary(summary: SoakSummary) {
	const file = resolve(resultFile(summary.quick));
	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, `${JSON.stringify({ finishedAt: new Date().toISOString(), ...summary }, null, '\t')}\n`);
}
