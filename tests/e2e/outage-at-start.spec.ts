import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCluster, type RunningCluster } from '../../src/lib/server/db/embedded-cluster';
import { UNAVAILABLE_MESSAGE } from '../../src/lib/messaging/errors';
import { startBuiltServer } from './built-server';
import { expect, test } from './fixtures';
import { DEMO, hydrated } from './session';

/** What a page says while the database is away (the JSON of fetches and streams says UNAVAILABLE_MESSAGE). */
const SITE_UNAVAILABLE = 'Bazaar is unavailable right now. This page tries again by itself.';

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
		await expect(page.getByRole('alert')).toHaveText(SITE_UNAVAILABLE);
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
		await expect(page.getByText(SITE_UNAVAILABLE)).toBeVisible();
		expect((await page.request.get(`${app.url}/login`)).status()).toBe(200);
		expect(app.output()).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await page.close();
		await app.dispose();
	}
});

/**
 * The database goes away while a member is signed in: their pages answered SvelteKit's bare
 * fallback page (the root layout's load failed), 503 without Retry-After, no header, nothing that
 * reloads. Now the page says "retrying" inside the site's layout and comes back by itself.
 */
test('a signed-in member whose database goes away gets the retrying page, with Retry-After, and it comes back by itself, her draft kept', async ({ page }) => {
	test.setTimeout(150_000);
	const root = mkdtempSync(join(tmpdir(), 'bazaar-outage-'));
	const dataDir = join(root, 'postgres');
	const port = await freePort();
	let cluster: RunningCluster | undefined = await startCluster({ dataDir, port });
	const app = await startBuiltServer('outage-signed-in', { DATABASE_URL: cluster.url, BAZAAR_SEED: '1' });
	const { url } = app;
	try {
		await expect.poll(app.output, { timeout: 60_000, message: 'the server starts' }).toContain('Listening on');
		await page.goto(`${url}/login?next=/messages`);
		await hydrated(page);
		await page.getByLabel('Email').fill('ana@example.com');
		await page.getByLabel('Password').fill('password123');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await expect(page.getByRole('heading', { name: 'Messages', level: 1 })).toBeVisible();
		// Ana writes to Sam about the camera (the demo's conversation) and does not send it yet.
		const thread = `${url}/messages?conversation=${DEMO.sam.id}__a0000000-0000-4000-8000-000000000001`;
		const composer = page.getByRole('textbox', { name: 'Message', exact: true });
		const draft = 'Could you post it to Leeds instead?';
		await page.goto(thread);
		await hydrated(page);
		await composer.fill(draft);
		const drafts = () => page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('bazaar-messaging:draft:')));
		await expect.poll(drafts).toHaveLength(1);

		await cluster.stop();
		cluster = undefined;
		// Followed in the page (its data fetched): the page that says it retries, not a sentence
		// about trying again.
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Messages/ }).click();
		await expect(page.getByText(SITE_UNAVAILABLE)).toBeVisible();
		const answer = await page.goto(`${url}/messages`);
		expect(answer?.status()).toBe(503);
		expect(answer?.headers()['retry-after']).toBe('5');
		await expect(page.getByRole('heading', { name: 'Back in a moment' })).toBeVisible();
		await expect(page.getByText(SITE_UNAVAILABLE)).toBeVisible();
		await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
		// A page that shows nobody's messages is no sign-out: what she was writing stays.
		await hydrated(page);
		expect(await drafts()).toHaveLength(1);

		// The database is back; the page, left alone, reloads itself into her messages.
		cluster = await startCluster({ dataDir, port });
		await expect(page.getByRole('heading', { name: 'Messages', level: 1 })).toBeVisible({ timeout: 60_000 });
		await page.goto(thread);
		await hydrated(page);
		await expect(composer).toHaveValue(draft);
		expect(app.output()).not.toMatch(/unhandled|uncaught/i);
	} finally {
		await page.close();
		await app.dispose();
		await cluster?.stop();
		const staged = join(dataDir, 'LOCATION');
		if (existsSync(staged)) rmSync(readFileSync(staged, 'utf8').trim(), { recursive: true, force: true });
		rmSync(root, { recursive: true, force: true });
	}
});
