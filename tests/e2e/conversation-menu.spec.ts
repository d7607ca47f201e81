import { expect, test } from './fixtures';
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
