import { expect, test, type Page } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/** Where the thread's parts are, in CSS pixels, and how tall the page is. */
function threadLayout(page: Page) {
	return page.evaluate(() => {
		const rect = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
		const name = document.querySelector('.thread-header h2')!;
		return {
			box: rect('#composer-body').width,
			composerBottom: rect('form.composer').bottom,
			nameCut: name.scrollWidth > name.clientWidth,
			pageHeight: document.documentElement.scrollHeight,
			windowHeight: window.innerHeight
		};
	});
}

for (const [width, height] of [
	[320, 640],
	[375, 667],
	[1440, 900]
] as const) {
	test(`a buyer's thread at ${width}×${height}: the message box takes most of the width, the name reads whole, the composer is in view without scrolling the page`, async ({
		page,
		baseURL
	}, testInfo) => {
		const thread = await buyersThread(baseURL);
		await page.setViewportSize({ width, height });
		await signIn(page, thread.buyer.email, thread.buyerUrl);
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 2, name: thread.seller.name })).toBeVisible();
		await expect(page.locator('li[data-message-id]')).toHaveCount(4);
		await page.screenshot({ path: testInfo.outputPath(`thread-${width}x${height}.png`) });

		const layout = await threadLayout(page);
		expect(layout.box).toBeGreaterThanOrEqual(Math.min(width * 0.6, 600));
		expect(layout.nameCut).toBe(false);
		expect(layout.pageHeight).toBeLessThanOrEqual(layout.windowHeight);
		expect(layout.composerBottom).toBeLessThanOrEqual(layout.windowHeight);
	});
}
