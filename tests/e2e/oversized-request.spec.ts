import { expect, test } from './fixtures';

// Node refuses headers over 16 KB before the app sees the request; its own answer had no body,
// and a browser showed a blank page.
test('an address over 16 KB gets a 431 that says what is wrong and what to do, not a blank page', async ({ page }) => {
	const response = await page.goto(`/messages?q=${'a'.repeat(20_000)}`);
	expect(response?.status()).toBe(431);
	await expect(page.locator('body')).toContainText('This request is too long for this server');
	await expect(page.locator('body')).toContainText('Shorten the link, or clear this site’s cookies');
});

test('cookies over 16 KB: the same answer, and a normal request on the next connection is served', async ({ page, baseURL }) => {
	const url = new URL(baseURL!);
	await page.context().addCookies(
		Array.from({ length: 5 }, (_, index) => ({ name: `crumb${index}`, value: 'c'.repeat(4000), domain: url.hostname, path: '/' }))
	);
	const refused = await page.request.get('/login');
	expect(refused.status()).toBe(431);
	expect(await refused.text()).toContain('clear this site’s cookies and sign in again');
	await page.context().clearCookies();
	const served = await page.request.get('/login');
	expect(served.status()).toBe(200);
});
