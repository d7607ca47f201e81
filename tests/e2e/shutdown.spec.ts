import { startCluster } from '../../src/lib/server/db/embedded-cluster';
import { startBuiltServer } from './built-server';
import { readStream } from './event-stream';
import { expect, test } from './fixtures';
import { hydrated } from './session';

/**
 * `node build` against a PostgreSQL of its own (DATABASE_URL), as it is deployed, with members'
 * live streams open. SIGTERM (a deploy, a scale-down) stops it well inside adapter-node's 30 s
 * shutdown timeout: each stream ends, so its browser reconnects to a server still running and
 * catches up from its cursor, the pool and the LISTEN connection close, and the process exits 0.
 * Before, the streams held the HTTP server open until that timeout and the connections kept the
 * process running for good, until something killed it.
 */
test('SIGTERM stops a server with live streams: every stream ends and the process exits 0', async ({ page }) => {
	test.setTimeout(120_000);
	const cluster = await startCluster({ ephemeral: true });
	const app = await startBuiltServer('shutdown', { DATABASE_URL: cluster.url, BAZAAR_SEED: '1' });
	const { url } = app;
	try {
		await expect.poll(app.output, { timeout: 60_000, message: 'the server starts' }).toContain('Listening on');

		// Ana in the browser, on her inbox with its live stream.
		const streamOpened = page.waitForRequest((request) => request.url().startsWith(`${url}/messages/stream`));
		await page.goto(`${url}/login?next=/messages`);
		await hydrated(page);
		await page.getByLabel('Email').fill('ana@example.com');
		await page.getByLabel('Password').fill('password123');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
		await streamOpened;

		// A second stream of hers, read here, to see how it ends.
		const session = (await page.context().cookies()).find((cookie) => cookie.name === 'bazaar-session');
		expect(session, 'the session cookie').toBeDefined();
		const { live, ended } = readStream(`${url}/messages/stream?cursor=0`, `bazaar-session=${session!.value}`);
		const ending = ended.then(({ connected, how }) => ({ connected, how }));
		await live;

		const signalled = Date.now();
		app.signal('SIGTERM');
		const stopped = await Promise.race([app.exited, new Promise<'still running'>((done) => setTimeout(() => done('still running'), 20_000))]);
		const seconds = (Date.now() - signalled) / 1000;
		expect(stopped, `the server after SIGTERM (${seconds.toFixed(1)} s)`).toEqual({ code: 0, signal: null });
		expect(await ending).toEqual({ connected: true, how: 'ended' });
		expect(app.output()).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await app.dispose();
		await cluster.stop();
	}
});
