import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One measured figure set: latencies in ms, a rate per second, and any counts that matter. */
export interface Measurement {
	operation: string;
	calls?: number;
	median?: number;
	p95?: number;
	p99?: number;
	max?: number;
	/** Requests, sends or events per second. */
	rate?: number;
	/** Other figures by name: round trips, streams, lost, duplicated, KiB per stream, ratios. */
	extra?: Record<string, number>;
	/** The target, as the issue states it, e.g. "p95 ≤ 2 ms". */
	target?: string;
	met?: boolean;
}

export interface Section {
	title: string;
	rows: Measurement[];
	/** What the figures were measured on, in a sentence. */
	note?: string;
}

/** The value below which a fraction q of the sorted samples fall (nearest rank). */
export function quantile(sorted: number[], q: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Median, p95, p99 and max of latency samples in ms. */
export function summarise(samples: number[]): Pick<Measurement, 'calls' | 'median' | 'p95' | 'p99' | 'max'> {
	const sorted = [...samples].sort((a, b) => a - b);
	return { calls: sorted.length, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), max: sorted.at(-1) };
}

const fixed = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits));

/** A section as a Markdown table (which also reads well in a terminal). */
export function markdownTable(section: Section): string {
	const extras = [...new Set(section.rows.flatMap((row) => Object.keys(row.extra ?? {})))];
	const has = (key: keyof Measurement) => section.rows.some((row) => row[key] !== undefined);
	const columns: { title: string; cell: (row: Measurement) => string }[] = [
		{ title: 'operation', cell: (row) => row.operation },
		...(has('calls') ? [{ title: 'n', cell: (row: Measurement) => (row.calls === undefined ? '' : String(row.calls)) }] : []),
		...(['median', 'p95', 'p99', 'max'] as const)
			.filter((key) => has(key))
			.map((key) => ({ title: `${key} ms`, cell: (row: Measurement) => fixed(row[key]) })),
		...(has('rate') ? [{ title: 'per s', cell: (row: Measurement) => fixed(row.rate, 0) }] : []),
		...extras.map((key) => ({ title: key, cell: (row: Measurement) => fixed(row.extra?.[key], Number.isInteger(row.extra?.[key]) ? 0 : 2) })),
		...(has('target') ? [{ title: 'target', cell: (row: Measurement) => row.target ?? '' }] : []),
		...(has('met') ? [{ title: 'met', cell: (row: Measurement) => (row.met === undefined ? '' : row.met ? 'yes' : 'NO') }] : [])
	];
	const cells = section.rows.map((row) => columns.map((column) => column.cell(row)));
	const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i].length)));
	const line = (values: string[]) => `| ${values.map((value, i) => (i === 0 ? value.padEnd(widths[i]) : value.padStart(widths[i]))).join(' | ')} |`;
	const rule = `|${widths.map((width, i) => (i === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
	return [`### ${section.title}`, '', ...(section.note ? [section.note, ''] : []), line(columns.map((c) => c.title)), rule, ...cells.map(line)].join('\n');
}

/** Writes bench/results/latest.json and a dated Markdown copy; returns the Markdown path. */
/**
 * Writes latest.json and a dated Markdown copy under bench/results, or, for a --quick run (a check,
 * not a measurement to keep), under bench/results/quick, which git ignores: the committed figures
 * stay those of the last full run.
 */
export function writeResults(results: { startedAt: Date; machine: Record<string, unknown>; options: Record<string, unknown>; sections: Section[] }): string {
	const dir = join(import.meta.dirname, 'results', results.options.quick ? 'quick' : '');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, '\t')}\n`);
	const stamp = results.startedAt.toISOString().slice(0, 16).replace(':', '');
	const markdown = join(dir, `${stamp}.md`);
	const machine = Object.entries(results.machine).map(([key, value]) => `${key}: ${value}`).join(', ');
	writeFileSync(
		markdown,
		[`# npm run bench, ${results.startedAt.toISOString()}`, '', `Machine: ${machine}.`, `Options: ${JSON.stringify(results.options)}.`, '', ...results.sections.map((s) => `${markdownTable(s)}\n`)].join('\n')
	);
	return markdown;
}
