import { expect, test, type Locator } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

const HEBREW = 'שלום, האופניים עדיין זמינים?';
const rightToLeft = (field: Locator) => field.evaluate((element) => element.matches(':dir(rtl)'));

test('Hebrew reads right to left where it is written and listed: the message box, the edit box and quick replies, as in its bubble', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const composer = page.getByRole('textbox', { name: 'Message', exact: true });

	await composer.fill(HEBREW);
	expect(await rightToLeft(composer)).toBe(true);
	await composer.press('Enter');
	const sent = page.getByRole('list', { name: 'Messages' }).locator('li[data-status="sent"]', { hasText: HEBREW });
	await expect(sent).toHaveCount(1);
	expect(await rightToLeft(sent.locator('.bubble-body'))).toBe(true);
	// Latin text stays left to right in the same boxes.
	await composer.fill('Still there?');
	expect(await rightToLeft(composer)).toBe(false);
	await composer.fill('');

	await sent.hover();
	await sent.getByRole('button', { name: 'Edit this message' }).click();
	const editBox = page.getByRole('textbox', { name: 'Edit message' });
	await expect(editBox).toHaveValue(HEBREW);
	expect(await rightToLeft(editBox)).toBe(true);
	await editBox.press('Escape');

	await page.getByRole('button', { name: 'Quick replies' }).click();
	await page.getByRole('button', { name: 'Manage' }).click();
	const newReply = page.getByRole('textbox', { name: 'New quick reply' });
	await newReply.fill(HEBREW);
	expect(await rightToLeft(newReply)).toBe(true);
	await newReply.press('Control+Enter');
	const kept = page.locator('.quick-manage-body', { hasText: HEBREW });
	await expect(kept).toBeVisible();
	expect(await rightToLeft(kept)).toBe(true);
	await page.getByRole('button', { name: `Edit “${HEBREW}”` }).click();
	expect(await rightToLeft(page.getByRole('textbox', { name: 'Edit quick reply' }))).toBe(true);
	await page.getByRole('textbox', { name: 'Edit quick reply' }).press('Escape');
	await page.getByRole('button', { name: 'Done' }).click();
	const option = page.getByRole('option', { name: HEBREW });
	await expect(option).toBeVisible();
	expect(await rightToLeft(option)).toBe(true);
});
