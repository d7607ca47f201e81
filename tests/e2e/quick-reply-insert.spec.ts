import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('a quick reply picked after a few words typed is a word of its own: "Hi Robin, Yes…", not "Hi Robin,Yes…"', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	const popover = page.getByRole('dialog', { name: 'Quick replies' });
	await page.getByRole('button', { name: 'Quick replies' }).click();
	await popover.getByRole('button', { name: 'Manage' }).click();
	await popover.getByRole('textbox', { name: 'New quick reply' }).fill('Yes, it is still available.');
	await popover.getByRole('button', { name: 'Done' }).click();

	const composer = page.getByRole('textbox', { name: 'Message', exact: true });
	await composer.pressSequentially('Hi Robin,');
	await page.getByRole('button', { name: 'Quick replies' }).click();
	await popover.getByRole('option', { name: 'Yes, it is still available.' }).click();
	await expect(composer).toHaveValue('Hi Robin, Yes, it is still available.');
	await expect(composer).toBeFocused();
	// Writing goes on after it.
	await composer.press('End');
	await composer.pressSequentially(' Come by Saturday.');
	await expect(composer).toHaveValue('Hi Robin, Yes, it is still available. Come by Saturday.');
});
