import { randomUUID } from 'node:crypto';
import { expect, test, type Locator, type Page } from './fixtures';
import { insertConversation, insertMember, withDatabase } from './database';
import { hydrated, signIn } from './session';

const PHONES = [
	{ width: 375, height: 667 },
	{ width: 320, height: 568 },
	{ width: 667, height: 375 }
];

/**
 * A listing whose seller and buyer have names and emails as long as real ones get, with a
 * description holding a word no line can break (a link, a model number), and a conversation
 * between the two: members of the calling test's own.
 */
async function longNamedDeal(baseURL: string | undefined) {
	const tag = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
	const member = (name: string, email: string) => ({ id: randomUUID(), name, username: `${name.split(' ')[0].toLowerCase()}_${tag}`, email: `${email}.${tag}@very-long-marketplace-domain.example.com` });
	const seller = member('Bartholomew Fitzwilliam Featherstonehaugh-Cholmondeley', 'bartholomew.fitzwilliam.featherstonehaugh');
	const buyer = member('Maximiliana Alexandrina Konstantinopoulou-Wertheimerhausen', 'maximiliana.alexandrina.konstantinopoulou');
	const product = randomUUID();
	await withDatabase(baseURL, async (db) => {
		for (const user of [seller, buyer]) {
			await insertMember(db, user);
		}
		await db.query(
			`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
			 values ($1, $2, 'Mid-century teak sideboard with sliding doors and original brass handles',
			         'Photos: https://example.com/listings/teak_sideboard_mid_century_sliding_doors_original_brass_handles', 120000, 'EUR', '/products/lamp.svg', 'active')`,
			[product, seller.id]
		);
		const conversation = await insertConversation(db, buyer.id, seller.id, product);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, expires_at) values (gen_random_uuid(), $1, $2, 'Is the sideboard still there?', now() + interval '30 days')`,
			[conversation, buyer.id]
		);
	});
	return { seller, buyer, product, sellersUrl: `/messages?conversation=${buyer.id}__${product}`, buyersUrl: `/messages?conversation=${seller.id}__${product}` };
}

/** How far the page reaches sideways past the window: 0 when nothing makes it scroll that way. */
const overflowX = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

/** Whether the element lies between the window's left and right edges, wherever it is down the page. */
async function acrossTheWindow(locator: Locator) {
	const [box, width] = await Promise.all([locator.boundingBox(), locator.page().evaluate(() => window.innerWidth)]);
	return box !== null && box.x >= 0 && box.x + box.width <= width;
}

/** Doubles the browser's text size, as a reader's "text 200%" setting does: rem and em grow, px stay. */
async function doubleText(page: Page) {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });
}

for (const { width, height } of PHONES) {
	test(`on a ${width}×${height} phone the conversation menu stays on the screen with long names in it, for seller and buyer`, async ({ browser, baseURL }) => {
		const deal = await longNamedDeal(baseURL);
		for (const [who, url] of [
			[deal.seller, deal.sellersUrl],
			[deal.buyer, deal.buyersUrl]
		] as const) {
			const context = await browser.newContext({ viewport: { width, height } });
			const page = await context.newPage();
			await signIn(page, who.email, url);
			await hydrated(page);
			await page.getByLabel('Conversation options').click();
			const block = page.getByRole('button', { name: /^Block / });
			await expect(block).toBeVisible();
			// Before: one line an item, 438 px off the left edge at 320 px ("Mark as sold to …").
			const menu = (await page.locator('.thread-menu-items').boundingBox())!;
			expect(menu.x, `${who.name}'s menu`).toBeGreaterThanOrEqual(0);
			expect(menu.x + menu.width).toBeLessThanOrEqual(width);
			expect(menu.y + menu.height).toBeLessThanOrEqual(height);
			await context.close();
		}
	});

	test(`on a ${width}×${height} phone a listing with a long word in its description and a long seller name does not scroll sideways`, async ({ page, baseURL }) => {
		const deal = await longNamedDeal(baseURL);
		await page.setViewportSize({ width, height });
		await page.goto(`/products/${deal.product}`);
		await expect(page.getByRole('heading', { level: 1 })).toContainText('teak sideboard');
		// Before: the page was 686 px wide, its single column as wide as the link.
		expect(await overflowX(page)).toBeLessThanOrEqual(0);
		expect(await acrossTheWindow(page.getByText(/^Photos: https:/))).toBe(true);
		// On the home page the seller's name breaks rather than run under its card's edge.
		await page.goto('/');
		const card = page.locator(`.product-card[href="/products/${deal.product}"]`);
		const clipped = await card.evaluate((element) => element.scrollWidth - element.clientWidth);
		expect(clipped).toBeLessThanOrEqual(0);
	});

	test(`on a ${width}×${height} phone the account page of a member with a long email does not scroll sideways`, async ({ page, baseURL }) => {
		const deal = await longNamedDeal(baseURL);
		await page.setViewportSize({ width, height });
		await signIn(page, deal.buyer.email, '/account');
		// Before: 424 px wide at 375 and 320, the whole page as wide as "Signed in as <email>".
		expect(await overflowX(page)).toBeLessThanOrEqual(0);
		expect(await acrossTheWindow(page.getByText(`Signed in as ${deal.buyer.email}`))).toBe(true);
		expect(await acrossTheWindow(page.getByRole('link', { name: 'Download my data' }))).toBe(true);
	});
}

test('at 200% text on a 375×667 phone the sign-in, product and delete-account pages do not scroll sideways', async ({ page }) => {
	await page.setViewportSize({ width: 375, height: 667 });
	await page.goto('/login');
	await hydrated(page);
	await doubleText(page);
	// Before: 574 px wide, the boxes sized by their 20 characters.
	expect(await overflowX(page)).toBeLessThanOrEqual(0);
	expect(await acrossTheWindow(page.getByLabel('Email'))).toBe(true);
	expect(await acrossTheWindow(page.getByRole('button', { name: 'Sign in' }))).toBe(true);

	await page.goto('/products/a0000000-0000-4000-8000-000000000004');
	await doubleText(page);
	// Before: 404 px wide.
	expect(await overflowX(page)).toBeLessThanOrEqual(0);

	await signIn(page, 'ben@example.com', '/account/delete');
	await doubleText(page);
	// Before: 574 px wide.
	expect(await overflowX(page)).toBeLessThanOrEqual(0);
	expect(await acrossTheWindow(page.getByLabel('Your password'))).toBe(true);
	expect(await acrossTheWindow(page.getByRole('link', { name: 'Keep my account' }))).toBe(true);
});
