import { expect, test, UNAVAILABLE_ANSWER } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('the conversation options menu closes on a click outside it, leaving the focus where the click put it', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const menu = page.locator('details.thread-menu');
	const options = page.getByLabel('Conversation options');
	const isOpen = () => menu.evaluate((details) => (details as HTMLDetailsElement).open);

	await options.click();
	await expect(menu.getByRole('button', { name: 'Archive', exact: true })).toBeVisible();
	await page.locator('.thread-history').click({ position: { x: 10, y: 10 } });
	await expect(menu.getByRole('button', { name: 'Archive', exact: true })).toBeHidden();
	expect(await isOpen()).toBe(false);
	await expect(options).not.toBeFocused();

	// Into a field: the menu closes and the field keeps the focus.
	await options.click();
	expect(await isOpen()).toBe(true);
	const composer = page.getByRole('textbox', { name: 'Message', exact: true });
	await composer.click();
	expect(await isOpen()).toBe(false);
	await expect(composer).toBeFocused();

	// A click inside it is no click outside: the menu stays open, and its button still closes it.
	await options.click();
	await menu.locator('.thread-menu-items').click({ position: { x: 2, y: 2 } });
	expect(await isOpen()).toBe(true);
	await options.click();
	expect(await isOpen()).toBe(false);
});

test('archiving from the menu is announced and shown: the header and the listing’s conversations say "Archived" until it is unarchived', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}&filter=listing&product=${thread.product}`);
	await hydrated(page);
	const spoken = page.locator('.thread [aria-live="polite"]');
	const header = page.locator('.thread-header');
	const preview = page.getByRole('list', { name: 'Conversations' }).locator(`[data-conversation-key="${thread.buyer.id}__${thread.product}"]`);
	await expect(preview).toBeVisible();
	await expect(preview).not.toContainText('Archived');
	await expect(spoken).toHaveText('');

	await page.getByLabel('Conversation options').click();
	await page.getByRole('button', { name: 'Archive', exact: true }).click();
	await expect(spoken).toHaveText('Conversation archived.');
	await expect(header).toContainText('Archived ·');
	await expect(preview).toContainText('Archived');

	// The server says so too: after a reload, with nothing announced.
	await page.reload();
	await hydrated(page);
	await expect(header).toContainText('Archived ·');
	await expect(preview).toContainText('Archived');
	await expect(spoken).toHaveText('');

	await page.getByLabel('Conversation options').click();
	await page.getByRole('button', { name: 'Unarchive', exact: true }).click();
	await expect(spoken).toHaveText('Conversation moved back to the inbox.');
	await expect(header).not.toContainText('Archived');
	await expect(preview).not.toContainText('Archived');
});

test('without JavaScript, a menu action brings the page back at its own address: reloading it posts nothing again', async ({ browser, baseURL }) => {
	const thread = await buyersThread(baseURL);
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	const header = page.locator('.thread-header');

	await page.getByLabel('Conversation options').click();
	const archived = page.waitForResponse((response) => response.request().method() === 'POST');
	await page.getByRole('button', { name: 'Archive', exact: true }).click();
	expect((await archived).status()).toBe(303);
	await expect(header).toContainText('Archived ·');
	expect(page.url()).toBe(new URL(thread.buyerUrl, baseURL).href);

	// A reload is a GET of the thread: still archived, and no form is posted again.
	const posts: string[] = [];
	page.on('request', (request) => request.method() === 'POST' && posts.push(request.url()));
	await page.reload();
	await expect(header).toContainText('Archived ·');
	expect(posts).toEqual([]);

	await page.getByLabel('Conversation options').click();
	await page.getByRole('button', { name: 'Unarchive', exact: true }).click();
	await expect(header).not.toContainText('Archived');
	expect(page.url()).toBe(new URL(thread.buyerUrl, baseURL).href);
	await context.close();
});

test('marked unread by keyboard, the conversation leaves for the inbox with the focus on its row there, not on the page', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const options = page.getByLabel('Conversation options');
	await options.focus();
	await page.keyboard.press('Enter');
	const markUnread = page.getByRole('button', { name: 'Mark as unread', exact: true });
	await markUnread.focus();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL('/messages');
	const row = page.getByRole('list', { name: 'Conversations' }).locator(`[data-conversation-key="${thread.seller.id}__${thread.product}"]`);
	await expect(row).toContainText('1 unread');
	await expect(row).toBeFocused();
});

test('an archive whose answer was lost but which the server made anyway leaves no "unavailable" beside the "Archived" it shows', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	// The database stalls through the request: the server gives up answering, and the change is
	// made once it is back (here: the request reaches the server after the answer).
	let stalled = true;
	await page.route(/\/archive$/, async (route) => {
		if (!stalled) return route.continue();
		stalled = false;
		await route.fulfill(UNAVAILABLE_ANSWER);
		await expect(page.locator('.thread').getByRole('alert')).toHaveText('Messages are unavailable right now. Try again in a moment.');
		await page.request.fetch(route.request());
	});
	await page.getByLabel('Conversation options').click();
	await page.getByRole('button', { name: 'Archive', exact: true }).click();
	await expect(page.locator('.thread-header')).toContainText('Archived ·');
	await expect(page.locator('.thread [aria-live="polite"]')).toHaveText('Conversation archived.');
	await expect(page.locator('.thread').getByRole('alert')).toHaveCount(0);
});
