import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';

/**
 * The page for errors no route's page shows: an endpoint's refusal opened in a browser (an
 * unknown path under /messages here; a data download over its hourly limit likewise). It was the
 * browser's bare default (a serif line on white, unlike every other page).
 */
for (const colorScheme of ['light', 'dark'] as const) {
	test(`an endpoint's refusal opened in the browser is a page of the site, with ways back (${colorScheme})`, async ({ page }) => {
		await page.emulateMedia({ colorScheme });
		const response = await page.goto('/messages/no-such-thing');
		expect(response?.status()).toBe(404);
		await expect(page).toHaveTitle('404 · Bazaar');
		await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
		for (const name of ['Bazaar', 'Your messages', 'Back to the marketplace', 'Your account']) await expect(page.getByRole('link', { name })).toBeVisible();
		expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('system-ui');
		const results = await new AxeBuilder({ page }).analyze();
		expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
		expect(results.passes.map((rule) => rule.id)).toContain('color-contrast');
	});
}
