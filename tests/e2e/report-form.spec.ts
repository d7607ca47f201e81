import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('Escape in the report form puts it away and gives the focus back to Report', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const message = page.getByRole('listitem', { name: /^Sam Seller, .*Saturday at 10 works for me\./ });
	const report = message.getByRole('button', { name: 'Report this message' });
	const form = message.locator('form.report-form');

	await report.focus();
	await page.keyboard.press('Enter');
	await expect(form).toBeVisible();
	await expect(report).toHaveAttribute('aria-expanded', 'true');
	await form.getByRole('textbox', { name: 'Details (optional)' }).focus();
	await page.keyboard.press('Escape');
	await expect(form).toHaveCount(0);
	await expect(report).toBeFocused();
	await expect(report).toHaveAttribute('aria-expanded', 'false');

	// From its list of reasons too.
	await page.keyboard.press('Enter');
	await form.getByRole('combobox', { name: 'Reason' }).focus();
	await page.keyboard.press('Escape');
	await expect(form).toHaveCount(0);
	await expect(report).toBeFocused();
});

test('a report sent from the keyboard is said: the focus goes to the message and "Reported. Thank you." is a status', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const message = page.getByRole('listitem', { name: /^Sam Seller, .*Saturday at 10 works for me\./ });
	await message.getByRole('button', { name: 'Report this message' }).focus();
	await page.keyboard.press('Enter');
	await message.getByRole('combobox', { name: 'Reason' }).selectOption('spam');
	await message.getByRole('button', { name: 'Send report' }).focus();
	await page.keyboard.press('Enter');
	await expect(message.getByRole('status')).toHaveText('Reported. Thank you.');
	await expect(message).toBeFocused();
});
