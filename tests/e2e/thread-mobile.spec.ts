import { randomUUID } from 'node:crypto';
import { withDatabase } from './database';
import { expect, test, type Page } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

type Box = { top: number; bottom: number; left: number; right: number };

/** Where each part of the open conversation is, in CSS pixels. */
function regions(page: Page) {
	return page.evaluate(() => {
		const box = (selector: string): Box => {
			const r = document.querySelector(selector)!.getBoundingClientRect();
			return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
		};
		return {
			siteHeader: box('.site-header'),
			threadHeader: box('.thread-header'),
			back: box('.thread-back'),
			name: box('#thread-title'),
			listing: box('.thread-product'),
			menu: box('.thread-menu summary'),
			list: box('.thread-history'),
			offer: box('.make-offer'),
			composer: box('form.composer'),
			box: box('#composer-body'),
			send: box('form.composer [type="submit"]'),
			windowHeight: window.innerHeight,
			pageHeight: document.documentElement.scrollHeight
		};
	});
}

const apart = (a: Box, b: Box) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;

// The share of the window the messages get: before, 41% at 375×667 (272 px), 30% at 320×568 and
// 14% (53 px) on a landscape phone, under a two-line site header, a roomy thread header and an
// empty two-line message box.
for (const { width, height, share } of [
	{ width: 375, height: 667, share: 0.55 },
	{ width: 320, height: 568, share: 0.45 },
	{ width: 667, height: 375, share: 0.35 }
]) {
	test(`a buyer's thread on a ${width}×${height} phone gives its messages at least ${Math.round(share * 100)}% of the window, with the listing, back link, menu, offer and composer in view and apart`, async ({
		page,
		baseURL
	}, testInfo) => {
		const thread = await buyersThread(baseURL, { earlier: 20 });
		await page.setViewportSize({ width, height });
		await signIn(page, thread.buyer.email, thread.buyerUrl);
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 2, name: thread.seller.name })).toBeVisible();
		await expect(page.locator('.connection-state')).toHaveCount(0);
		// Everything a member needs stays there, named as before.
		await expect(page.getByRole('banner')).toBeVisible();
		for (const name of ['Messages', 'Account']) await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
		await expect(page.getByRole('link', { name: 'Back to conversations' })).toBeVisible();
		await expect(page.locator('.thread-header').getByRole('link', { name: /^Road bike, 56 cm €\s?450\.00/ })).toBeVisible();
		await expect(page.getByLabel('Conversation options')).toBeVisible();
		await expect(page.getByRole('list', { name: 'Messages' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Make an offer' })).toBeVisible();
		await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
		await page.screenshot({ path: testInfo.outputPath(`thread-${width}x${height}.png`) });

		const at = await regions(page);
		expect(at.list.bottom - at.list.top).toBeGreaterThanOrEqual(height * share);
		// One above the other, in this order, and the page itself does not scroll.
		const column = [at.siteHeader, at.threadHeader, at.list, at.offer, at.composer];
		for (let i = 1; i < column.length; i++) expect(column[i].top).toBeGreaterThanOrEqual(column[i - 1].bottom - 0.5);
		expect(at.composer.bottom).toBeLessThanOrEqual(at.windowHeight + 0.5);
		expect(at.pageHeight).toBeLessThanOrEqual(at.windowHeight);
		// The header's parts side by side, none over another, all on the screen.
		const header = [at.back, at.name, at.listing, at.menu];
		for (const [i, a] of header.entries()) {
			expect(a.left).toBeGreaterThanOrEqual(0);
			expect(a.right).toBeLessThanOrEqual(width);
			for (const b of header.slice(i + 1)) expect(apart(a, b)).toBe(true);
		}
		expect(at.send.right).toBeLessThanOrEqual(width);
	});
}

test('on a phone the message box starts one line high, grows with a long message to a quarter of the window, and Send stays in view', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await page.setViewportSize({ width: 375, height: 667 });
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const box = page.getByRole('textbox', { name: 'Message' });
	const empty = (await box.boundingBox())!.height;
	expect(empty).toBeLessThan(50);
	await box.fill(Array.from({ length: 30 }, (_, line) => `Line ${line + 1}`).join('\n'));
	await expect.poll(async () => (await box.boundingBox())!.height).toBeGreaterThan(empty * 3);
	const at = await regions(page);
	expect(at.box.bottom - at.box.top).toBeLessThanOrEqual(667 * 0.25 + 0.5);
	expect(at.send.bottom).toBeLessThanOrEqual(at.windowHeight);
	expect(at.list.bottom - at.list.top).toBeGreaterThan(150);
});

test('on a phone, a counter-offer form and a report form open under their message come into sight whole', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL, { earlier: 20 });
	await withDatabase(baseURL, async (db) => {
		await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: thread.buyer.id, role: 'authenticated' })]);
		await db.query('select public.make_offer($1::uuid, 40000, p_other_user_id => $2::uuid, p_product_id => $3::uuid)', [randomUUID(), thread.seller.id, thread.product]);
	});
	await page.setViewportSize({ width: 375, height: 667 });
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	const inSight = async (name: string) => {
		const button = page.getByRole('button', { name, exact: true });
		await expect(button).toBeInViewport({ ratio: 1 });
		// Above the message box, which the thread's messages scroll behind.
		const [control, composer] = await Promise.all([button.boundingBox(), page.locator('form.composer').boundingBox()]);
		expect(control!.y + control!.height).toBeLessThanOrEqual(composer!.y + 0.5);
	};

	await page.getByRole('button', { name: 'Counter offer' }).click();
	await expect(page.getByRole('textbox', { name: 'Counter offer (€)' })).toBeFocused();
	await inSight('Send counter');
	await page.keyboard.press('Escape');

	const last = page.getByRole('list', { name: 'Messages' }).locator('li.bubble-row').filter({ hasText: 'Great. Could I see it on Saturday morning?' });
	await last.click();
	await last.getByRole('button', { name: 'Report this message' }).click();
	await inSight('Send report');
});
