import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

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
