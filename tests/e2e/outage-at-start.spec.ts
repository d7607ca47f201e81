import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCluster, type RunningCluster } from '../../src/lib/server/db/embedded-cluster';
import { UNAVAILABLE_MESSAGE } from '../../src/lib/messaging/errors';
import { expect, test } from './fixtures';

/**
 * The production build started while its PostgreSQL is down (a machine booting, a database
 * restarting): the server comes up anyway, every page says "unavailable, retrying" with a 503
 * and reloads itself, and once the database answers the server migrates it and serves the
 * marketplace, with nobody restarting anything.
 */
test('a server started before its database answers "unavailable" and recovers by itself when the database comes', async ({ page }) => {
	test.setTimeout(120_000);
	const databasePort = await freePort();
	const appPort = await freePort();
	const url = `http://127.0.0.1:${appPort}`;
	const dataDir = mkdtempSync(join(tmpdir(), 'outage-at-start-'));
	const app = spawn(process.execPath, ['build'], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${databasePort}/postgres`,
			JWT_SECRET: randomBytes(48).toString('base64url'),
			PORT: String(appPort),
			HOST: '127.0.0.1',
			ORIGIN: url,
			PUBLIC_SUPABASE_URL: '',
			BAZAAR_DATA_DIR: dataDir,
			BAZAAR_ATTACHMENTS_DIR: join(dataDir, 'attachments')
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	app.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	app.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<void>((done) => app.once('exit', () => done()));
	let cluster: RunningCluster | undefined;
	try {
		await expect.poll(() => output, { timeout: 30_000, message: 'the server starts without its database' }).toContain('Listening on');
		expect(output).toContain('cannot reach the database');

		const answer = await page.goto(`${url}/`);
		expect(answer?.status()).toBe(503);
		expect(answer?.headers()['retry-after']).toBe('5');
		await expect(page.getByRole('alert')).toHaveText(UNAVAILABLE_MESSAGE);
		const stream = await page.request.get(`${url}/messages/stream`, { headers: { accept: 'text/event-stream' } });
		expect(stream.status()).toBe(503);
		expect(await stream.json()).toEqual({ message: UNAVAILABLE_MESSAGE });

		// The database arrives; the page, left alone, reloads itself into the marketplace.
		cluster = await startCluster({ ephemeral: true, port: databasePort });
		await expect(page.getByRole('link', { name: /Vintage film camera/ })).toBeVisible({ timeout: 60_000 });
		expect((await page.request.get(`${url}/login`)).status()).toBe(200);
		expect(output).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await page.close();
		app.kill('SIGTERM');
		const timer = setTimeout(() => app.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
		await cluster?.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
});
