import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from './fixtures';
import { withDatabase } from './database';
import { hydrated, signIn } from './session';

/**
 * A buyer's thread about a listing, with a few messages each way, on a phone and on a desktop.
 * Made for this file (members, listing and messages written in SQL), so no other spec's counts
 * or send limits are touched.
 */
async function buyersThread(baseURL: string | undefined) {
	const tag = Date.now().toString(36);
	const buyer = { id: randomUUID(), username: `buyer_${tag}`, name: 'Robin Buyer' };
	const seller = { id: randomUUID(), username: `seller_${tag}`, name: 'Sam Seller' };
	const product = randomUUID();
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		for (const user of [buyer, seller]) {
			await db.query(
				`insert into auth.users (id, email, encrypted_password, raw_user_meta_data)
				 values ($1, $2, extensions.crypt('password123', extensions.gen_salt('bf', 4)), $3)`,
				[user.id, `${user.username}@example.test`, { username: user.username, display_name: user.name }]
			);
		}
		await db.query(
			`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
			 values ($1, $2, 'Road bike, 56 cm', 'Serviced last month.', 45000, 'EUR', '/products/bike.svg', 'active')`,
			[product, seller.id]
		);
		const {
			rows: [conversation]
		} = await db.query<{ id: string }>(
			`insert into public.conversations (user_low, user_high, product_id, seller_id) values (least($1::uuid, $2::uuid), greatest($1::uuid, $2::uuid), $3, $2) returning id`,
			[buyer.id, seller.id, product]
		);
		await db.query(
			`insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id) values ($1, $2, $3, $4), ($1, $3, $2, $4)`,
			[conversation.id, buyer.id, seller.id, product]
		);
		const lines: [string, string][] = [
			[buyer.id, 'Hi! Is the bike still available?'],
			[seller.id, 'Yes, it is. Serviced last month, new chain.'],
			[buyer.id, 'Great. Could I see it on Saturday morning?'],
			[seller.id, 'Saturday at 10 works for me.']
		];
		for (const [index, [sender, body]] of lines.entries()) {
			await db.query(
				`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
				 values (gen_random_uuid(), $1, $2, $3, now() - ($4 * interval '3 minutes'), now() + interval '30 days')`,
				[conversation.id, sender, body, lines.length - index]
			);
		}
		await db.query('commit');
	});
	return { email: `${buyer.username}@example.test`, url: `/messages?conversation=${seller.id}__${product}`, sellerName: seller.name };
}

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
		await signIn(page, thread.email, thread.url);
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 2, name: thread.sellerName })).toBeVisible();
		await expect(page.locator('li[data-message-id]')).toHaveCount(4);
		await page.screenshot({ path: testInfo.outputPath(`thread-${width}x${height}.png`) });

		const layout = await threadLayout(page);
		expect(layout.box).toBeGreaterThanOrEqual(Math.min(width * 0.6, 600));
		expect(layout.nameCut).toBe(false);
		expect(layout.pageHeight).toBeLessThanOrEqual(layout.windowHeight);
		expect(layout.composerBottom).toBeLessThanOrEqual(layout.windowHeight);
	});
}
