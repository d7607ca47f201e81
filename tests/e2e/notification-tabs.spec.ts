import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from './fixtures';
import { insertMember, withDatabase } from './database';
import { hydrated, signIn } from './session';

/**
 * Browser notifications across a member's tabs of one browser (one context): each tab runs its
 * own feed, and each hidden one used to show a system notification of every message, even while
 * another tab had that very conversation on screen. Notifications are recorded through the
 * page's own Notification API; "hidden" is emulated in the page, as in notifications.spec.ts.
 */

declare global {
	interface Window {
		__tabNotifications: { title: string; body?: string }[];
	}
}

const run = Date.now().toString(36);

async function hide(page: Page) {
	await page.evaluate(() => {
		Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
		Object.defineProperty(document, 'hidden', { value: true, configurable: true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
}

const shownIn = (page: Page) => page.evaluate(() => window.__tabNotifications.map(({ body }) => body));

/** A seller of this test alone (password123) with one listing. */
async function seller(baseURL: string | undefined) {
	const id = randomUUID();
	const username = `tabs_${run}_${id.slice(0, 4)}`;
	const email = `${username}@example.test`;
	const productId = await withDatabase(baseURL, async (db) => {
		await insertMember(db, { id, email, username, name: 'Tia Seller' });
		const { rows } = await db.query<{ id: string }>(
			`insert into public.products (seller_id, title, description, price_cents, image_url)
			 values ($1, $2, 'Arranged by the notification tabs test.', 3000, '/products/lamp.svg') returning id`,
			[id, `Tia's lamp ${run}`]
		);
		return rows[0].id;
	});
	return { id, email, productId };
}

test('one notification across a member’s hidden tabs, and none while a tab of theirs shows the conversation', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const tia = await seller(baseURL);
	const context = await browser.newContext();
	await context.grantPermissions(['notifications']);
	await context.addInitScript(() => {
		const Real = window.Notification;
		window.__tabNotifications = [];
		function Recorded(title: string, options?: NotificationOptions) {
			window.__tabNotifications.push({ title, body: options?.body });
			return new Real(title, options);
		}
		Object.setPrototypeOf(Recorded, Real);
		Recorded.prototype = Real.prototype;
		window.Notification = Recorded as unknown as typeof Notification;
	});
	// A buyer of this test's own: Ben's sends count towards his limit of 30 a minute in every spec.
	const buyer = { id: randomUUID(), username: `tabs_buyer_${run}_${randomUUID().slice(0, 4)}` };
	await withDatabase(baseURL, (db) => insertMember(db, { ...buyer, email: `${buyer.username}@example.test`, name: 'Bo Buyer' }));
	const conversation = `/messages?conversation=${buyer.id}__${tia.productId}`;
	const ben = await browser.newContext();
	const benPage = await ben.newPage();
	await signIn(benPage, `${buyer.username}@example.test`, `/messages?conversation=${tia.id}__${tia.productId}`);
	const origin = new URL(benPage.url()).origin;
	const benWrites = async (body: string) => {
		const response = await benPage.request.post('/messages?/send', {
			form: { key: `${tia.id}__${tia.productId}`, id: randomUUID(), body },
			headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin }
		});
		expect(((await response.json()) as { type: string }).type).toBe('success');
	};
	await benWrites('First, so the conversation exists');

	const reading = await context.newPage();
	await signIn(reading, tia.email, conversation);
	await hydrated(reading);
	const others = [await context.newPage(), await context.newPage()];
	for (const [i, page] of others.entries()) {
		await page.goto(i === 0 ? '/messages' : '/');
		await hydrated(page);
		await hide(page);
	}

	// Tia reads the conversation in one tab: her two hidden tabs stay quiet.
	await benWrites('Seen in the open conversation');
	await expect(reading.getByRole('list', { name: 'Messages' }).getByText('Seen in the open conversation')).toBeVisible();
	await expect(reading.getByText('1 unread')).toHaveCount(0);
	// Time for the hidden tabs' feeds to have had the message too.
	for (const page of others) await expect(page.getByRole('banner').getByText(/unread/)).toHaveCount(0);
	await reading.waitForTimeout(1000);
	expect([...(await shownIn(reading)), ...(await shownIn(others[0])), ...(await shownIn(others[1]))]).toEqual([]);

	// Every tab hidden: one notification, from one of them.
	await hide(reading);
	await benWrites('Nobody is looking');
	const all = async () => [...(await shownIn(reading)), ...(await shownIn(others[0])), ...(await shownIn(others[1]))];
	await expect.poll(all).toEqual(['Nobody is looking']);
	for (const page of others) await expect(page.getByRole('banner').getByText('1 unread')).toBeVisible();
	await reading.waitForTimeout(1000);
	expect(await all()).toEqual(['Nobody is looking']);

	await Promise.all([context.close(), ben.close()]);
});
