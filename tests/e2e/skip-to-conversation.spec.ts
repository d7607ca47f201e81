import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('"Skip to conversation" comes a few Tabs from the top, shows when focused, and takes the focus past the inbox to the open thread', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await page.setViewportSize({ width: 1280, height: 800 });
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const heading = page.getByRole('heading', { level: 2, name: thread.seller.name });
	await expect(heading).toBeFocused();
	const skip = page.getByRole('link', { name: 'Skip to conversation' });
	await expect(skip).toHaveCount(1);

	// From the page's first control, as a keyboard user starts.
	await page.getByRole('link', { name: 'Skip to content' }).focus();
	let tabs = 0;
	while (!(await skip.evaluate((link) => link === document.activeElement)) && tabs < 10) {
		await page.keyboard.press('Tab');
		tabs += 1;
	}
	await expect(skip).toBeFocused();
	const box = await skip.boundingBox();
	expect(box && box.x >= 0 && box.y >= 0 && box.width > 0).toBe(true);
	await expect(skip).toBeInViewport();

	const before = page.url();
	await page.keyboard.press('Enter');
	await expect(heading).toBeFocused();
	expect(page.url()).toBe(before);
	// The next Tab is in the thread, not the inbox.
	await page.keyboard.press('Tab');
	expect(await page.evaluate(() => !!document.activeElement?.closest('.thread'))).toBe(true);
});

test('no "Skip to conversation" while no conversation is open', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, '/messages');
	await hydrated(page);
	await expect(page.getByRole('list', { name: 'Conversations' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Skip to conversation' })).toHaveCount(0);
});
