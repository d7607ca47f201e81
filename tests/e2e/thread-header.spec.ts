import { expect, test, type Page } from './fixtures';
import { withDatabase } from './database';
import { DEMO, hydrated, signIn } from './session';

// Ben and Lee about the bike (from the seed), its listing thumbnail in the header.
const BIKE = 'a0000000-0000-4000-8000-000000000004';
const LONG_NAME = 'Maximiliana-Konstantinopolitanische-Wanderverkäuferin';

/** The header's parts, and whether the name's text runs on one line and is cut. */
function headerLayout(page: Page) {
	return page.locator('.thread-header').evaluate((header) => {
		const box = (el: Element | null) => {
			const r = el!.getBoundingClientRect();
			return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
		};
		const name = header.querySelector('h2')!;
		const text = document.createRange();
		text.selectNodeContents(name);
		return {
			header: box(header),
			name: box(name),
			lines: new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size,
			cut: name.scrollWidth > name.clientWidth && getComputedStyle(name).textOverflow === 'ellipsis',
			title: name.getAttribute('title'),
			product: box(header.querySelector('.thread-product')),
			menu: box(header.querySelector('.thread-menu summary'))
		};
	});
}

async function renameLee(baseURL: string | undefined, name: string) {
	await withDatabase(baseURL, (db) => db.query('update public.profiles set display_name = $1 where id = $2', [name, DEMO.lee.id]));
}

for (const width of [375, 1280]) {
	test(`the thread header at ${width} px: the other member's name on one line, cut with an ellipsis when long, over nothing else`, async ({
		page,
		baseURL
	}, testInfo) => {
		await page.setViewportSize({ width, height: 800 });
		await signIn(page, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${BIKE}`);
		await hydrated(page);
		const heading = page.getByRole('heading', { level: 2, name: 'Lee Seller' });
		await expect(heading).toBeVisible();
		const short = await headerLayout(page);
		await page.locator('.thread-header').screenshot({ path: testInfo.outputPath('short-name.png') });
		expect(short.lines).toBe(1);
		expect(short.cut).toBe(false);
		expect(short.title).toBe('Lee Seller');
		// The listing's link is named by its title and price at any width, and shows its badge once reserved.
		const listing = page.locator('.thread-header').getByRole('link', { name: /^Road bike, 56 cm €\s?450\.00/ });
		await expect(listing).toBeVisible();
		// Its price shows at every width (a phone gives the title only to screen readers)...
		const priceWidth = () => listing.locator('.thread-product-price').evaluate((price) => price.getBoundingClientRect().width);
		expect(await priceWidth()).toBeGreaterThan(30);
		await withDatabase(baseURL, (db) => db.query(`update public.products set status = 'reserved' where id = $1`, [BIKE]));
		try {
			await page.reload();
			await expect(listing.getByText('Reserved')).toBeVisible();
			// ...where, on a phone, the badge takes its place once the listing is reserved.
			if (width < 520) expect(await priceWidth()).toBeLessThanOrEqual(1);
			else expect(await priceWidth()).toBeGreaterThan(30);
		} finally {
			await withDatabase(baseURL, (db) => db.query(`update public.products set status = 'active' where id = $1`, [BIKE]));
			await page.reload();
			await hydrated(page);
		}

		await renameLee(baseURL, LONG_NAME);
		try {
			await page.reload();
			await hydrated(page);
			await expect(page.getByRole('heading', { level: 2, name: LONG_NAME })).toBeVisible();
			const long = await headerLayout(page);
			await page.locator('.thread-header').screenshot({ path: testInfo.outputPath('long-name.png') });
			expect(long.lines).toBe(1);
			expect(long.cut).toBe(true);
			expect(long.title).toBe(LONG_NAME);
			// Nothing under anything: the name ends before the listing, the listing before the menu, all inside the header.
			expect(long.name.right).toBeLessThanOrEqual(long.product.left);
			expect(long.product.right).toBeLessThanOrEqual(long.menu.left);
			expect(long.menu.right).toBeLessThanOrEqual(long.header.right);
			// The header stays one row high, as with the short name.
			expect(long.header.bottom - long.header.top).toBeCloseTo(short.header.bottom - short.header.top, 0);
		} finally {
			await renameLee(baseURL, 'Lee Seller');
		}
	});
}
