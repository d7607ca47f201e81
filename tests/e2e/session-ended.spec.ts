import type { Page } from '@playwright/test';
import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/** The server's half of a session that ended (expired, or ended elsewhere): its auth.sessions row is gone. */
const endSessionRows = (baseURL: string | undefined, userId: string) =>
	withDatabase(baseURL, (db) => db.query('delete from auth.sessions where user_id = $1', [userId]));

/** The event streams the page holds open: each EventSource from its request until it ends. */
function openStreams(page: Page) {
	const open = new Set<unknown>();
	page.on('request', (request) => {
		if (new URL(request.url()).pathname === '/messages/stream') open.add(request);
	});
	page.on('requestfinished', (request) => open.delete(request));
	page.on('requestfailed', (request) => open.delete(request));
	return () => open.size;
}

/**
 * Watched from before the page opens; the wait ends once the page asks nothing more of messaging
 * (the inbox, marking a thread read, the other member's presence) and its feed is live: a session
 * ended before that is met by one of those requests, and the page says so before anyone acts.
 */
function watchSettling(page: Page) {
	const asking = new Set<unknown>();
	const isRequest = (url: string) => new URL(url).pathname.startsWith('/messages') && new URL(url).pathname !== '/messages/stream';
	page.on('request', (request) => void (isRequest(request.url()) && asking.add(request)));
	page.on('requestfinished', (request) => asking.delete(request));
	page.on('requestfailed', (request) => asking.delete(request));
	return async () => {
		await expect(page.locator('.connection-state')).toHaveCount(0);
		await expect.poll(async () => (asking.size === 0 ? (await page.waitForTimeout(500), asking.size) : asking.size)).toBe(0);
	};
}

for (const { width, via } of [
	{ width: 900, via: 'Account' },
	{ width: 375, via: 'an inbox filter' }
] as const) {
	test(`at ${width} px, a session ended elsewhere: following ${via} to the sign-in page shows nobody signed in there, and the member's badge and feed stop`, async ({
		page,
		context,
		baseURL
	}) => {
		const { buyer } = await buyersThread(baseURL);
		await page.setViewportSize({ width, height: 800 });
		const streams = openStreams(page);
		const settled = watchSettling(page);
		const start = via === 'Account' ? '/' : '/messages';
		await signIn(page, buyer.email, start);
		await hydrated(page);
		const header = page.getByRole('banner');
		await expect(header.getByTestId('unread-total')).toBeVisible();
		await expect.poll(streams).toBe(1);
		await settled();

		// The browser's half alone, as the tester saw it: its cookie is gone (expired there, or
		// cleared) while the page is open, and nothing has told the page yet.
		await context.clearCookies();
		if (via === 'Account') await header.getByRole('link', { name: 'Account' }).click();
		else await page.getByRole('navigation', { name: 'Inbox filter' }).getByRole('link', { name: 'Unread' }).click();

		const next = via === 'Account' ? '/account' : '/messages?filter=unread';
		await expect(page).toHaveURL(`/login?next=${encodeURIComponent(next)}`);
		await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
		// As /login shows to a visitor: neither the member nor their links, badge or sign-out.
		await expect(header.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
		await expect(header.getByText(buyer.email)).toHaveCount(0);
		await expect(header.getByTestId('unread-total')).toHaveCount(0);
		await expect(header.getByRole('link', { name: 'Account' })).toHaveCount(0);
		await expect(header.getByRole('link', { name: 'Messages' })).toHaveCount(0);
		// The old member's feed is closed, not left relaying to a page that shows nobody.
		await expect.poll(streams).toBe(0);
	});
}

test('a send refused because the session ended says so truthfully, says the message is kept, and a sign-in in another tab brings the thread back and sends it', async ({
	context,
	baseURL
}) => {
	const { buyer, buyerUrl } = await buyersThread(baseURL);
	const here = await context.newPage();
	const settled = watchSettling(here);
	await signIn(here, buyer.email, buyerUrl);
	await hydrated(here);
	const composer = here.getByRole('textbox', { name: 'Message', exact: true });
	await expect(composer).toBeVisible();
	await settled();

	await context.clearCookies();
	const body = `Still on for Saturday? ${Date.now()}`;
	await composer.fill(body);
	await composer.press('Enter');
	await endSessionRows(baseURL, buyer.id);

	// Nobody signed out: the session ended, and the words say that, and what became of the message.
	const notice = here.getByRole('alert').filter({ hasText: 'Sign in again' });
	await expect(notice).toContainText('Your session has ended.');
	await expect(notice).not.toContainText('You signed out');
	await expect(notice).toContainText('The message you were sending is kept: it will be sent once you sign in again.');
	await expect(notice.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(buyerUrl)}`);
	await expect(here.getByText(body)).toHaveCount(0);

	// Signing in again in another tab brings this one back at once, where the message is sent.
	const other = await context.newPage();
	await signIn(other, buyer.email, '/');
	await expect(notice).toHaveCount(0, { timeout: 3_000 });
	const list = here.getByRole('list', { name: 'Messages' });
	await expect(list.getByText(body)).toBeVisible();
	await expect
		.poll(() => withDatabase(baseURL, async (db) => (await db.query('select 1 from public.messages where body = $1', [body])).rowCount), {
			timeout: 10_000
		})
		.toBe(1);
});

test('a send refused because the session ended goes, once, after signing in again from the notice in the same tab', async ({ page, context, baseURL }) => {
	const { buyer, buyerUrl } = await buyersThread(baseURL);
	const settled = watchSettling(page);
	await signIn(page, buyer.email, buyerUrl);
	await hydrated(page);
	const composer = page.getByRole('textbox', { name: 'Message', exact: true });
	await settled();
	await context.clearCookies();
	const body = `See you at ten then. ${Date.now()}`;
	await composer.fill(body);
	await composer.press('Enter');
	await endSessionRows(baseURL, buyer.id);

	await page.getByRole('alert').getByRole('link', { name: 'Sign in again' }).click();
	await expect(page).toHaveURL(`/login?next=${encodeURIComponent(buyerUrl)}`);
	await page.getByLabel('Email').fill(buyer.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();

	await expect(page).toHaveURL(buyerUrl);
	const sent = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: body });
	await expect(sent).toHaveCount(1);
	await expect(sent).not.toContainText('Not sent');
	await expect
		.poll(() => withDatabase(baseURL, async (db) => (await db.query('select 1 from public.messages where body = $1', [body])).rowCount), {
			timeout: 10_000
		})
		.toBe(1);
});
