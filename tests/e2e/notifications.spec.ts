import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from './fixtures';
import { insertMember, withDatabase } from './database';
import { DEMO, hydrated, signIn } from './session';

/**
 * Browser notifications in Chromium: a message that arrives while the tab is hidden puts the
 * unread count in the title and, where the member allowed it, shows a system notification that
 * opens the conversation. Notifications are observed through the page's own Notification API
 * (wrapped to record each one, then handed to Chromium's). "Hidden" is emulated in the page: a
 * headless tab is always visible otherwise. Each test makes its own seller and listing, so the
 * seller's unread total starts at 0 and no other spec matters.
 */

declare global {
	interface Window {
		__notifications: { title: string; body?: string; tag?: string; shown: Notification | null }[];
		__permissionRequests: number;
	}
}

const run = Date.now().toString(36);
const conversations = (page: Page) => page.getByRole('list', { name: 'Conversations' });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const turnOn = (page: Page) => page.getByRole('button', { name: 'Turn on notifications' });

/** Records every notification the page constructs, then lets Chromium show it. */
function recordNotifications(context: BrowserContext) {
	return context.addInitScript(() => {
		const Real = window.Notification;
		window.__notifications = [];
		function Recorded(title: string, options?: NotificationOptions) {
			const entry = { title, body: options?.body, tag: options?.tag, shown: null as Notification | null };
			window.__notifications.push(entry);
			entry.shown = new Real(title, options);
			return entry.shown;
		}
		Object.setPrototypeOf(Recorded, Real);
		Recorded.prototype = Real.prototype;
		window.Notification = Recorded as unknown as typeof Notification;
	});
}

/** Another tab in front, as far as the page can tell. */
async function hide(page: Page) {
	await page.evaluate(() => {
		Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
		Object.defineProperty(document, 'hidden', { value: true, configurable: true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
}

async function show(page: Page) {
	await page.evaluate(() => {
		// Back to the browser's own answers (the prototype's getters).
		delete (document as { visibilityState?: unknown }).visibilityState;
		delete (document as { hidden?: unknown }).hidden;
		document.dispatchEvent(new Event('visibilitychange'));
	});
}

const notifications = (page: Page) => page.evaluate(() => window.__notifications.map(({ title, body, tag }) => ({ title, body, tag })));

/** A seller of this test alone (password123) with one listing. */
async function seller(baseURL: string | undefined, name: string) {
	const id = randomUUID();
	const username = `${name.toLowerCase()}_${run}_${id.slice(0, 4)}`;
	const email = `${username}@example.test`;
	const title = `${name}'s lamp ${run}`;
	const productId = await withDatabase(baseURL, async (db) => {
		await insertMember(db, { id, email, username, name: `${name} Seller` });
		const { rows } = await db.query<{ id: string }>(
			`insert into public.products (seller_id, title, description, price_cents, image_url)
			 values ($1, $2, 'Arranged by the notifications test.', 3000, '/products/lamp.svg') returning id`,
			[id, title]
		);
		return rows[0].id;
	});
	return { id, email, title, productId };
}

async function open(browser: Browser, email: string, path: string, options: { notifications?: 'granted' } = {}) {
	const context = await browser.newContext();
	if (options.notifications) await context.grantPermissions(['notifications']);
	await recordNotifications(context);
	const page = await context.newPage();
	await signIn(page, email, path);
	await hydrated(page);
	return { context, page, close: () => context.close() };
}

/** Ben (or another buyer) writes from his own browser, about the seller's listing. */
async function benWrites(browser: Browser, to: { id: string; productId: string }, texts: string[], from: string = DEMO.ben.email) {
	const ben = await open(browser, from, `/messages?conversation=${to.id}__${to.productId}`);
	for (const text of texts) {
		await composer(ben.page).fill(text);
		await composer(ben.page).press('Enter');
		await expect(thread(ben.page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
	}
	return ben;
}

test('a message to a hidden tab: a notification with the sender’s name, the count in the title, and a click opens the conversation', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(60_000);
	const nia = await seller(baseURL, 'Nia');
	const recipient = await open(browser, nia.email, '/messages', { notifications: 'granted' });
	const { page } = recipient;
	await expect(page).toHaveTitle('Messages · Bazaar');
	// Already allowed: nothing to turn on.
	await expect(page.getByRole('heading', { name: 'Messages', level: 1 })).toBeVisible();
	await expect(turnOn(page)).toHaveCount(0);

	await hide(page);
	const ben = await benWrites(browser, nia, ['Is the lamp still for sale?']);

	await expect.poll(() => notifications(page)).toEqual([{ title: `Ben Buyer · ${nia.title}`, body: 'Is the lamp still for sale?', tag: expect.any(String) }]);
	await expect.poll(() => page.title()).toMatch(/^\(1\) /);
	await expect(page).toHaveTitle('(1) Messages · Bazaar');

	// The click: the tab comes forward on the conversation, and the title is the page's own again.
	await show(page);
	await expect(page).toHaveTitle('Messages · Bazaar');
	await page.evaluate(() => window.__notifications[0].shown!.onclick!(new Event('click')));
	await expect(page).toHaveURL(`/messages?conversation=${DEMO.ben.id}__${nia.productId}`);
	await expect(thread(page).getByText('Is the lamp still for sale?')).toBeVisible();
	await expect(page).toHaveTitle('Ben Buyer · Messages · Bazaar');

	await Promise.all([ben.close(), recipient.close()]);
});

test('a muted conversation stays quiet: no notification, no count', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const ola = await seller(baseURL, 'Ola');
	// The conversation exists (Ben's first message) and Ola muted it, until she unmutes.
	await withDatabase(baseURL, async (db) => {
		await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: DEMO.ben.id, role: 'authenticated' })]);
		const sent = await db.query<{ conversation_id: string }>(
			`select (public.send_message($1::uuid, 'Hello about the lamp', p_other_user_id => $2::uuid, p_product_id => $3::uuid)) ->> 'conversation_id' as conversation_id`,
			[randomUUID(), ola.id, ola.productId]
		);
		await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: ola.id, role: 'authenticated' })]);
		await db.query(`select public.set_muted($1::uuid, 'infinity')`, [sent.rows[0].conversation_id]);
		await db.query(`select set_config('request.jwt.claims', '', false)`);
	});
	const recipient = await open(browser, ola.email, '/messages', { notifications: 'granted' });
	const { page } = recipient;
	await expect(conversations(page).getByRole('link').filter({ hasText: ola.title })).toHaveCount(1);

	await hide(page);
	const ben = await benWrites(browser, ola, ['Any chance of a discount?']);
	// The message did reach the hidden tab (its inbox row shows it), and drew no attention.
	await expect(conversations(page).getByRole('link').filter({ hasText: 'Any chance of a discount?' })).toHaveCount(1);
	expect(await notifications(page)).toEqual([]);
	await expect(page).toHaveTitle('Messages · Bazaar');

	await Promise.all([ben.close(), recipient.close()]);
});

test('with “Browser notifications” switched off on the account page, no notification is shown', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const pia = await seller(baseURL, 'Pia');
	const recipient = await open(browser, pia.email, '/account', { notifications: 'granted' });
	const { page } = recipient;
	await expect(page).toHaveTitle('Account · Bazaar');
	await expect(page.getByText('This browser shows notifications from this site.')).toBeVisible();
	const setting = page.getByRole('checkbox', { name: 'Browser notifications' });
	await expect(setting).toBeChecked();
	await expect(page.getByRole('checkbox', { name: 'Email me a digest of unread messages' })).toBeChecked();
	// Saved as it is switched: no button to press, and none shown. Switched by keyboard, focus stays on the box (it went to the page).
	await hydrated(page);
	await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
	await setting.focus();
	await page.keyboard.press('Space');
	await expect(page.getByRole('status')).toHaveText('Saved.');
	await expect(setting).toBeFocused();
	await page.reload();
	await expect(setting).not.toBeChecked();
	await expect(page.getByRole('checkbox', { name: 'Email me a digest of unread messages' })).toBeChecked();

	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Messages/ }).click();
	await expect(page).toHaveURL('/messages');
	await hide(page);
	const ben = await benWrites(browser, pia, ['Could you post it?']);
	await expect(conversations(page).getByRole('link').filter({ hasText: 'Could you post it?' })).toHaveCount(1);
	expect(await notifications(page)).toEqual([]);
	// The title still counts: the setting is about system notifications.
	await expect(page).toHaveTitle('(1) Messages · Bazaar');

	await Promise.all([ben.close(), recipient.close()]);
});

test('two account pages of one member: a box switched on one is switched on the other at once, and a page that has not heard it saves only its own box', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(60_000);
	const tia = await seller(baseURL, 'Tia');
	const [laptop, phone] = [await open(browser, tia.email, '/account'), await open(browser, tia.email, '/account')];
	const digests = (page: Page) => page.getByRole('checkbox', { name: 'Email me a digest of unread messages' });
	const browserBox = (page: Page) => page.getByRole('checkbox', { name: 'Browser notifications' });
	await digests(laptop.page).click();
	await expect(laptop.page.getByRole('status')).toHaveText('Saved.');
	await expect(digests(phone.page)).not.toBeChecked();

	// A third page whose feed is cut off never hears the next change: switching its other box
	// leaves the digests as the laptop set them.
	const stale = await browser.newContext();
	await stale.route(/\/messages\/(stream|sync)/, (route) => route.abort());
	const page = await stale.newPage();
	await signIn(page, tia.email, '/account');
	await hydrated(page);
	await digests(laptop.page).click();
	await expect(digests(phone.page)).toBeChecked();
	await expect(digests(page)).not.toBeChecked();
	await browserBox(page).click();
	await expect(page.getByRole('status')).toHaveText('Saved.');
	await laptop.page.reload();
	await expect(digests(laptop.page)).toBeChecked();
	await expect(browserBox(laptop.page)).not.toBeChecked();
	await Promise.all([laptop.close(), phone.close(), stale.close()]);
});

test('“Browser notifications” switched on another device: the member’s open tab here follows at once, without a reload', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const ria = await seller(baseURL, 'Ria');
	// A buyer of this test's own: Ben's sends count towards his limit of 30 a minute in every spec.
	const buyer = await seller(baseURL, 'Rob');
	const laptop = await open(browser, ria.email, '/messages', { notifications: 'granted' });
	const phone = await open(browser, ria.email, '/account');
	await hide(laptop.page);
	const ben = await benWrites(browser, ria, ['Is the lamp still for sale?'], buyer.email);
	await expect.poll(() => notifications(laptop.page)).toHaveLength(1);

	const setting = phone.page.getByRole('checkbox', { name: 'Browser notifications' });
	await setting.click();
	await expect(phone.page.getByRole('status')).toHaveText('Saved.');
	const write = async (text: string) => {
		await composer(ben.page).fill(text);
		await composer(ben.page).press('Enter');
		await expect(conversations(laptop.page).getByRole('link').filter({ hasText: text })).toHaveCount(1);
	};
	await write('Could you post it?');
	await laptop.page.waitForTimeout(500);
	expect((await notifications(laptop.page)).map(({ body }) => body)).toEqual(['Is the lamp still for sale?']);

	await setting.click();
	await expect(phone.page.getByRole('status')).toHaveText('Saved.');
	await write('I can pay today.');
	await expect.poll(async () => (await notifications(laptop.page)).map(({ body }) => body)).toEqual(['Is the lamp still for sale?', 'I can pay today.']);

	await Promise.all([ben.close(), laptop.close(), phone.close()]);
});

test('“Turn on notifications” shows only while the browser has not been asked, and asks only when clicked', async ({ browser }) => {
	const context = await browser.newContext();
	// The browser's answer is stubbed (a headless prompt has no one to answer it); it is kept
	// across loads in this tab, as a browser keeps it.
	await context.addInitScript(() => {
		window.__permissionRequests = 0;
		const answer = () => (sessionStorage.getItem('notification-permission') ?? 'default') as NotificationPermission;
		Object.defineProperty(Notification, 'permission', { get: answer, configurable: true });
		Notification.requestPermission = async () => {
			window.__permissionRequests++;
			sessionStorage.setItem('notification-permission', 'denied');
			return 'denied';
		};
	});
	const page = await context.newPage();
	await signIn(page, DEMO.ana.email, '/messages');
	await hydrated(page);
	await expect(turnOn(page)).toBeVisible();
	// Loading the page asked nothing.
	expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

	await turnOn(page).click();
	await expect(turnOn(page)).toHaveCount(0);
	expect(await page.evaluate(() => window.__permissionRequests)).toBe(1);

	// Refused: the account page says how to allow it, and nothing offers to ask again.
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
	await expect(page).toHaveURL('/account');
	await page.reload();
	await hydrated(page);
	await expect(page.getByText(/This browser blocks notifications from this site\. To allow them/)).toBeVisible();
	await expect(turnOn(page)).toHaveCount(0);
	await page.goto('/messages');
	await hydrated(page);
	await expect(turnOn(page)).toHaveCount(0);
	expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

	await context.close();
});

test('“Not now” puts the inbox’s offer away in this browser, and the account page still makes it', async ({ browser }) => {
	const context = await browser.newContext();
	await context.addInitScript(() => Object.defineProperty(Notification, 'permission', { get: () => 'default', configurable: true }));
	const page = await context.newPage();
	await signIn(page, DEMO.ben.email, '/messages');
	await hydrated(page);
	await expect(turnOn(page)).toBeVisible();
	await page.getByRole('button', { name: 'Not now' }).click();
	await expect(turnOn(page)).toHaveCount(0);
	await page.reload();
	await hydrated(page);
	await expect(page.getByRole('heading', { name: 'Messages', level: 1 })).toBeVisible();
	await expect(turnOn(page)).toHaveCount(0);
	await page.goto('/account');
	await hydrated(page);
	await expect(turnOn(page)).toBeVisible();
	await expect(page.getByRole('button', { name: 'Not now' })).toHaveCount(0);
	await context.close();
});

test('“Not now” by keyboard moves the focus on to the inbox’s search, not to the page', async ({ browser }) => {
	const context = await browser.newContext();
	await context.addInitScript(() => Object.defineProperty(Notification, 'permission', { get: () => 'default', configurable: true }));
	const page = await context.newPage();
	await signIn(page, DEMO.ben.email, '/messages');
	await hydrated(page);
	await page.getByRole('button', { name: 'Not now' }).focus();
	await page.keyboard.press('Enter');
	await expect(turnOn(page)).toHaveCount(0);
	await expect(page.getByRole('searchbox', { name: 'Search messages' })).toBeFocused();
	await context.close();
});

test('the account page is for signed-in members: a visitor is sent to sign in and back', async ({ page }) => {
	await page.goto('/account');
	await expect(page).toHaveURL('/login?next=%2Faccount');
	await hydrated(page);
	await page.getByLabel('Email').fill(DEMO.sam.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL('/account');
	await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();

	// Unticked on a freshly loaded page, a box stays unticked while it saves: the re-render that
	// disables Save put the old setting back for a moment (so a second click, meant to undo, did not).
	await page.reload();
	await hydrated(page);
	const digests = page.getByRole('checkbox', { name: 'Email me a digest of unread messages' });
	await expect(digests).toBeChecked();
	const saved = () => page.waitForResponse((response) => response.url().includes('savePreferences'));
	let answer = saved();
	const shown = await digests.evaluate(async (box: HTMLInputElement) => {
		box.click();
		const seen: boolean[] = [];
		for (let i = 0; i < 40; i++, await new Promise((next) => setTimeout(next, 5))) seen.push(box.checked);
		return seen;
	});
	expect(shown).not.toContain(true);
	await answer;
	answer = saved();
	await digests.click();
	await answer;
	await expect(digests).toBeChecked();
});

test('a setting switched while offline is not saved, says so beside it and is put back; online again it saves', async ({ browser, baseURL }) => {
	const sol = await seller(baseURL, 'Sol');
	const { context, page, close } = await open(browser, sol.email, '/account');
	const digests = page.getByRole('checkbox', { name: 'Email me a digest of unread messages' });
	await expect(digests).toBeChecked();
	await context.setOffline(true);
	await digests.click();
	await expect(page.getByRole('status')).toHaveText('Not saved: no connection. Try again once you are back online.');
	// Still the account page (it was replaced by "Something went wrong"), the box as it is saved.
	await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
	await expect(digests).toBeChecked();
	await context.setOffline(false);
	await digests.click();
	await expect(page.getByRole('status')).toHaveText('Saved.');
	await page.reload();
	await expect(digests).not.toBeChecked();
	await close();
});

test('without JavaScript the settings are saved with the Save button', async ({ browser, baseURL }) => {
	const quinn = await seller(baseURL, 'Quinn');
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	try {
		await signIn(page, quinn.email, '/account');
		const digests = page.getByRole('checkbox', { name: 'Email me a digest of unread messages' });
		await expect(digests).toBeChecked();
		await digests.uncheck();
		await page.getByRole('button', { name: 'Save' }).click();
		await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
		await page.reload();
		await expect(digests).not.toBeChecked();
		await digests.check();
		// The post's page first: a reload while it is on its way finds no page to reload.
		const answered = page.waitForResponse((response) => response.request().method() === 'POST');
		await page.getByRole('button', { name: 'Save' }).click();
		await answered;
		await page.waitForLoadState('load');
		await page.reload();
		await expect(digests).toBeChecked();
	} finally {
		await context.close();
	}
});

for (const colorScheme of ['light', 'dark'] as const) {
	test(`axe finds no violations in the header, “Turn on notifications” and the notification settings (${colorScheme})`, async ({ browser }) => {
		const context = await browser.newContext({ colorScheme });
		const page = await context.newPage();
		const scan = async (...parts: string[]) => {
			const builder = new AxeBuilder({ page });
			for (const part of parts) builder.include(part);
			const results = await builder.analyze();
			const found = results.violations.map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }));
			expect(found, JSON.stringify(found, null, 2)).toEqual([]);
			expect(results.passes.map((rule) => rule.id)).toContain('color-contrast');
		};
		await signIn(page, DEMO.sam.email, '/messages');
		await hydrated(page);
		await expect(turnOn(page)).toBeVisible();
		await scan('.site-header', '.turn-on-notifications');
		await page.goto('/account');
		await hydrated(page);
		await expect(page.getByText('This browser has not been asked yet, so it shows none: “Turn on notifications” below asks it.')).toBeVisible();
		await expect(turnOn(page)).toBeVisible();
		await scan('.notification-settings');
		await context.close();
	});
}

test('an unsubscribe link fetched outside a browser changes nothing, and opened again says digests are off, instead of asking again', async ({ page, baseURL }) => {
	const rae = await seller(baseURL, 'Rae');
	const token = await withDatabase(baseURL, async (db) => (await db.query<{ t: string }>('select private.unsubscribe_signature($1) as t', [rae.id])).rows[0].t);
	const link = `/unsubscribe?u=${rae.id}&t=${token}`;
	// Fetched outside a browser (a mail provider's link scanner, curl), the link changes nothing and says how.
	const fetched = await page.request.get(link, { headers: { accept: '*/*' } });
	expect([fetched.status(), await fetched.text()]).toEqual([
		200,
		'Open this link in a web browser and press Unsubscribe there to stop emails about unread messages.'
	]);
	const cut = await page.request.get(`/unsubscribe?u=${rae.id}`, { headers: { accept: '*/*' } });
	expect([cut.status(), await cut.text()]).toEqual([400, 'This unsubscribe link is not complete. Switch digests off on your account page instead.']);
	// Opening the link changes nothing: it asks.
	await page.goto(link);
	await expect(page.getByText('Stop getting emails about messages that arrive while you are away?')).toBeVisible();
	await page.getByRole('button', { name: 'Unsubscribe' }).click();
	await expect(page.getByRole('status')).toHaveText('You will no longer get digests of unread messages by email.');
	// Followed again from the mail, it says where things stand, with no button to press again.
	await page.goto(link);
	await expect(page.getByRole('status')).toHaveText(
		'Digests of unread messages are off: you get no emails about them. Switch them on again in your settings.'
	);
	await expect(page.getByRole('button', { name: 'Unsubscribe' })).toHaveCount(0);
	// A link that is not ours still shows the button, and the answer to it says why not.
	await page.goto(`/unsubscribe?u=${rae.id}&t=${'0'.repeat(64)}`);
	await page.getByRole('button', { name: 'Unsubscribe' }).click();
	await expect(page.getByRole('alert')).toHaveText('This unsubscribe link is not valid. Switch digests off on your account page instead.');
});
