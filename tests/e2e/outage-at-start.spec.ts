import { freePort, startCluster, type RunningCluster } from '../../src/lib/server/db/embedded-cluster';
import { UNAVAILABLE_MESSAGE } from '../../src/lib/messaging/errors';
import { startBuiltServer } from './built-server';
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
	const app = await startBuiltServer('outage-at-start', { DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${databasePort}/postgres` });
	const { url } = app;
	let cluster: RunningCluster | undefined;
	try {
		await expect.poll(app.output, { timeout: 30_000, message: 'the server starts without its database' }).toContain('Listening on');
		expect(app.output()).toContain('cannot reach the database');

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
		expect(app.output()).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await page.close();
		await app.dispose();
		await cluster?.stop();
	}
});

/**
 * Supabase mode with Supabase out of reach, which is what an outage after start looks like to a
 * page: the marketplace says "unavailable, retrying" with a 503 and Retry-After, as above (it said
 * so with a 500), and pages that need no data are served.
 */
test('with Supabase out of reach, a page answers 503 "unavailable, retrying" with Retry-After, not a 500', async ({ page }) => {
	test.setTimeout(60_000);
	const app = await startBuiltServer('supabase-unreachable', {
		PUBLIC_SUPABASE_URL: `http://127.0.0.1:${await freePort()}`,
		PUBLIC_SUPABASE_ANON_KEY: 'a'.repeat(40)
	});
	try {
		await expect.poll(app.output, { timeout: 30_000, message: 'the server starts' }).toContain('Listening on');
		const answer = await page.goto(`${app.url}/`);
		expect(answer?.status()).toBe(503);
		expect(answer?.headers()['retry-after']).toBe('5');
		await expect(page.getByText(UNAVAILABLE_MESSAGE)).toBeVisible();
		expect((await page.request.get(`${app.url}/login`)).status()).toBe(200);
		expect(app.output()).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await page.close();
		await app.dispose();
	}
});
