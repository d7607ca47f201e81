import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('a quick reply saved with Ctrl+Enter is said to be saved, as its field empties with the focus in it', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	const popover = page.getByRole('dialog', { name: 'Quick replies' });
	await page.getByRole('button', { name: 'Quick replies' }).focus();
	await page.keyboard.press('Enter');
	await page.keyboard.press('Enter');
	const field = popover.getByRole('textbox', { name: 'New quick reply' });
	await expect(field).toBeFocused();
	await page.keyboard.type('Yes, it is still available.');
	await page.keyboard.press('Control+Enter');
	await expect(popover.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Yes, it is still available.”.');
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();

	// The next one typed takes the word back until it is saved in turn.
	await page.keyboard.type('Collection only.');
	await page.keyboard.press('Control+Enter');
	await expect(popover.getByRole('status').filter({ hasText: 'Saved' })).toHaveText('Saved “Collection only.”.');
});
