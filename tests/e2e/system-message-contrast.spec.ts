import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { reservedListing } from './fresh-deal';
import { signedInPage as open } from './session';

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });

// The axe scans of messaging-ui.spec.ts look at a thread without any update about the listing; the
// clock time of one ("Lee Seller accepted your offer of €400.00 10:46") was drawn at 80% opacity on
// its grey pill: 3.5:1 in the light scheme, under WCAG AA's 4.5:1 for text that small.
for (const colorScheme of ['light', 'dark'] as const) {
	test(`a thread with an offer and an update about the listing has no colour contrast violations (${colorScheme})`, async ({
		browser,
		baseURL
	}) => {
		test.setTimeout(60_000);
		const { seller, ana, product } = await reservedListing(baseURL);
		const anas = await open(browser, ana.email, `/messages?conversation=${seller.id}__${product}`);
		await anas.page.emulateMedia({ colorScheme });
		const update = thread(anas.page).locator('[data-kind="system"]');
		await expect(update).toContainText('Lee Seller accepted your offer of €400.00');
		await anas.page.mouse.move(0, 0);
		await anas.page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
		const results = await new AxeBuilder({ page: anas.page }).withRules(['color-contrast']).analyze();
		const found = results.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`));
		expect(found, found.join('\n')).toEqual([]);
		// The scan did look at the update's time.
		expect(results.passes.flatMap((rule) => rule.nodes.map((n) => n.target.join(' '))).some((target) => target.includes('time'))).toBe(true);
		await anas.close();
	});
}
