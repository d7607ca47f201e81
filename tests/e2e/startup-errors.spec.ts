import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBuiltServer } from './built-server';
import { expect, test } from './fixtures';

/**
 * `node build` with a setting only its operator can fix does not start, and says what to fix in
 * a sentence: before, each sentence came with a stack trace into the bundle and the source line
 * it was thrown from, and a zod message ('Invalid option: expected one of "0"|"1"').
 */
const cases: { name: string; env: Record<string, string>; says: string }[] = [
	{ name: 'no JWT_SECRET in production', env: { JWT_SECRET: '' }, says: 'JWT_SECRET is required in production (NODE_ENV=production)' },
	{ name: 'a switch that is neither 0 nor 1', env: { BAZAAR_SEED: 'yes' }, says: 'Invalid environment:\n  BAZAAR_SEED: must be 0 or 1' },
	{ name: 'a port that is no number', env: { BAZAAR_DB_PORT: 'five' }, says: 'BAZAAR_DB_PORT: must be a port number' },
	{ name: 'a data folder that is a file', env: { BAZAAR_DATA_DIR: aFile() }, says: 'is a file; name a folder' }
];

function aFile() {
	const file = join(mkdtempSync(join(tmpdir(), 'startup-error-')), 'data');
	writeFileSync(file, 'not a folder');
	return file;
}

for (const { name, env, says } of cases) {
	test(`${name}: the server stops with one sentence and no stack trace`, async () => {
		// No database is reached: the settings are read first.
		const app = await startBuiltServer('startup-error', { DATABASE_URL: 'postgresql://127.0.0.1:9/none', ...env });
		try {
			expect(await app.exited).toEqual({ code: 1, signal: null });
			const output = app.output();
			expect(output).toContain(says);
			expect(output).not.toMatch(/^\s+at /m);
			expect(output).not.toMatch(/Invalid option|expected one of|Listening on/);
		} finally {
			await app.dispose();
		}
	});
}

test('npm start with a PORT that is no port: one sentence about PORT, not adapter-node’s about the ORIGIN made from it', async () => {
	const app = await startBuiltServer('startup-error', { DATABASE_URL: 'postgresql://127.0.0.1:9/none', PORT: 'abc', ORIGIN: '' }, 'scripts/start.js');
	try {
		expect(await app.exited).toEqual({ code: 1, signal: null });
		expect(app.output()).toContain('Invalid environment:\n  PORT: must be a port number (0 to 65535)');
		expect(app.output()).not.toMatch(/ORIGIN|^\s+at /m);
	} finally {
		await app.dispose();
	}
});

test('the embedded database’s port taken by another program: the server stops with one sentence and no stack trace', async () => {
	test.setTimeout(60_000);
	const other = createServer().listen(0, '127.0.0.1');
	await new Promise((listening) => other.once('listening', listening));
	const { port } = other.address() as { port: number };
	// The embedded PostgreSQL of a data folder of its own (a throwaway one would take any free port), on that port.
	const dataDir = mkdtempSync(join(tmpdir(), 'startup-error-'));
	const app = await startBuiltServer('startup-error', { DATABASE_URL: '', BAZAAR_DATA_DIR: dataDir, BAZAAR_DB_PORT: String(port) });
	try {
		expect(await app.exited).toEqual({ code: 1, signal: null });
		expect(app.output()).toContain(`Port ${port} on 127.0.0.1 is already in use by another program. Stop it, or choose another port with BAZAAR_DB_PORT.`);
		expect(app.output()).not.toMatch(/^\s+at /m);
	} finally {
		await app.dispose();
		other.close();
		// As root the cluster is kept elsewhere; LOCATION says where.
		const staged = join(dataDir, 'postgres', 'LOCATION');
		if (existsSync(staged)) rmSync(readFileSync(staged, 'utf8').trim(), { recursive: true, force: true });
		rmSync(dataDir, { recursive: true, force: true });
	}
});
