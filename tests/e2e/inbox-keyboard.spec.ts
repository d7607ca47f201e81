import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/**
 * The inbox driven from the keyboard alone, as a screen reader user does: after each control the
 * focus stays where the next step starts, and what changed is said (the page's title is what
 * SvelteKit's announcer reads after a navigation).
 */

test('choosing an inbox filter with the keyboard keeps the focus on it, and the title says which filter is shown', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, '/messages');
	await hydrated(page);
	const filters = page.getByRole('navigation', { name: 'Inbox filter' });

	for (const [name, title] of [
		['Unread', 'Unread · Messages · Bazaar'],
		['Needs reply', 'Needs reply · Messages · Bazaar'],
		['Archived', 'Archived · Messages · Bazaar'],
		['All', 'Messages · Bazaar']
	] as const) {
		const link = filters.getByRole('link', { name, exact: true });
		await link.focus();
		await page.keyboard.press('Enter');
		await expect(link).toHaveAttribute('aria-current', 'page');
		await expect(page).toHaveTitle(title);
		await expect(link).toBeFocused();
	}
});

test('unblocking from the conversation menu is announced, as blocking is', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	page.on('dialog', (dialog) => dialog.accept());
	const spoken = page.locator('.thread [aria-live="polite"]');
	const options = page.getByLabel('Conversation options');

	await options.click();
	await page.getByRole('button', { name: 'Block Robin Buyer' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'You blocked Robin Buyer.' })).toBeVisible();

	await options.click();
	await page.locator('details.thread-menu').getByRole('button', { name: 'Unblock Robin Buyer' }).click();
	await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
	await expect(spoken).toHaveText('You unblocked Robin Buyer: you can write to each other again.');
	await expect(options).toBeFocused();
});

test('a search from the keyboard says its results came: the title names them while the focus stays in the box', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, '/messages');
	await hydrated(page);
	const box = page.getByRole('searchbox', { name: 'Search messages' });
	await box.fill('Saturday');
	await box.press('Enter');
	await expect(page.getByRole('region', { name: 'Results for “Saturday”' })).toBeVisible();
	await expect(page).toHaveTitle('Results for “Saturday” · Messages · Bazaar');
	await expect(box).toBeFocused();

	// A query pasted long is cut in the title as in the results' heading.
	await box.fill(`Saturday ${'x'.repeat(80)}`);
	await box.press('Enter');
	await expect(page).toHaveTitle(`Results for “Saturday ${'x'.repeat(51)}…” · Messages · Bazaar`);

	// Escape empties the box and takes the results with it; the focus stays for the next search.
	await box.press('Escape');
	await expect(page.getByRole('region', { name: /^Results for/ })).toHaveCount(0);
	await expect(page).toHaveURL(/\/messages$/);
	await expect(page).toHaveTitle('Messages · Bazaar');
	await expect(box).toHaveValue('');
	await expect(box).toBeFocused();
});

test('on a phone, Back from a conversation puts the focus on its row in the inbox, or on the filter when archiving took it out', async ({ browser, baseURL }) => {
	const thread = await buyersThread(baseURL);
	const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const page = await context.newPage();
	try {
		await signIn(page, thread.seller.email, '/messages');
		await hydrated(page);
		const key = `${thread.buyer.id}__${thread.product}`;
		const row = page.getByRole('list', { name: 'Conversations' }).locator(`[data-conversation-key="${key}"]`);
		const back = page.getByRole('link', { name: 'Back to conversations' });

		await row.focus();
		await page.keyboard.press('Enter');
		await expect(page.locator('#thread-title')).toBeFocused();
		await back.focus();
		await page.keyboard.press('Enter');
		await expect(row).toBeFocused();

		await page.keyboard.press('Enter');
		await expect(page.locator('#thread-title')).toBeFocused();
		await page.getByLabel('Conversation options').click();
		await page.getByRole('button', { name: 'Archive', exact: true }).click();
		await expect(page.locator('.thread-header')).toContainText('Archived ·');
		await back.focus();
		await page.keyboard.press('Enter');
		await expect(row).toHaveCount(0);
		await expect(page.getByRole('navigation', { name: 'Inbox filter' }).getByRole('link', { name: 'All', exact: true })).toBeFocused();
	} finally {
		await context.close();
	}
});

test('"Show all" above a listing’s conversations puts the focus on the All filter it shows', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?filter=listing&product=${thread.product}`);
	await hydrated(page);
	await expect(page.getByRole('heading', { name: 'Conversations about Road bike, 56 cm' })).toBeVisible();
	await page.getByRole('link', { name: 'Show all' }).focus();
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { name: 'Conversations about Road bike, 56 cm' })).toHaveCount(0);
	await expect(page.getByRole('navigation', { name: 'Inbox filter' }).getByRole('link', { name: 'All', exact: true })).toBeFocused();
	await expect(page).toHaveTitle('Messages · Bazaar');
});
