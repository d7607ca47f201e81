import { spawn } from 'node:child_process';
import { expect, test } from './fixtures';

/**
 * Nothing lost, the one-minute version of `npm run soak`: the soak runs with --quick against
 * the production build Playwright's web server just built (it starts its own PostgreSQL and its
 * own app server, on free ports: it kills one and restarts the other). It must exit 0 and
 * print a summary in which every acknowledged send is stored and seen by both members, none
 * twice, none out of order, through exactly one kill -9 and one PostgreSQL restart.
 */

interface SoakSummary {
	sent: number;
	acknowledged: number;
	stored: number;
	lost: number;
	duplicated: number;
	out_of_order: number;
	kills: number;
	postgres_restarts: number;
	stream_cuts: number;
	unhandled_rejections: number;
	unexpected_exits: number;
}

function runSoak(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'tests/soak/run.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		// SIGINT: the soak stops its app and PostgreSQL and deletes its folder before it exits.
		const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
		child.once('error', reject);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, output });
		});
	});
}

test('a quick soak loses, duplicates and reorders nothing through stream cuts, a kill -9 and a PostgreSQL restart', async () => {
	test.setTimeout(150_000);
	const { code, output } = await runSoak(['--quick'], 120_000);
	const line = output.split('\n').find((l) => l.startsWith('SOAK {'));
	expect(line, `the soak printed no summary:\n${output.slice(-4000)}`).toBeDefined();
	const summary = JSON.parse(line!.slice('SOAK '.length)) as SoakSummary;
	const failureHint = `\n${output.slice(-4000)}`;
	expect(summary.sent, failureHint).toBeGreaterThan(500);
	expect(summary.acknowledged, failureHint).toBe(summary.sent);
	expect(summary.stored, failureHint).toBe(summary.acknowledged);
	expect({ lost: summary.lost, duplicated: summary.duplicated, out_of_order: summary.out_of_order }, failureHint).toEqual({
		lost: 0,
		duplicated: 0,
		out_of_order: 0
	});
	expect({ kills: summary.kills, postgres_restarts: summary.postgres_restarts }).toEqual({ kills: 1, postgres_restarts: 1 });
	expect(summary.stream_cuts).toBeGreaterThan(10);
	expect({ unhandled_rejections: summary.unhandled_rejections, unexpected_exits: summary.unexpected_exits }, failureHint).toEqual({
		unhandled_rejections: 0,
		unexpected_exits: 0
	});
	expect(code, failureHint).toBe(0);
});
