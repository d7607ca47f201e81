import { expect, test, UNAVAILABLE_ANSWER } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('a quick reply whose answer was lost but which the server stored anyway shows as saved, with no "unavailable" left beside it and its text out of the field', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	// The database stalls through the save: the server gives up answering ("unavailable"), and the
	// save commits once it is back, whose event then lists the reply.
	let stalled = true;
	await page.route(/\/save_quick_reply$/, async (route) => {
		if (!stalled) return route.continue();
		stalled = false;
		await route.fetch();
		await route.fulfill(UNAVAILABLE_ANSWER);
	});
	const popover = page.getByRole('dialog', { name: 'Quick replies' });
	await page.getByRole('button', { name: 'Quick replies' }).click();
	await popover.getByRole('button', { name: 'Manage' }).click();
	const field = popover.getByRole('textbox', { name: 'New quick reply' });
	await field.fill('Pick-up only, weekday evenings.');
	await field.press('Control+Enter');

	const listed = popover.getByRole('list', { name: 'Manage quick replies' }).getByRole('listitem');
	await expect(listed.filter({ hasText: 'Pick-up only, weekday evenings.' })).toHaveCount(1);
	await expect(popover.getByRole('alert')).toHaveCount(0);
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();
});

test('Save pressed again after a lost answer keeps the quick reply once, without "You already keep this quick reply"', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	// The answer is lost and no event is heard before the member presses Save again: the tab's
	// live feed and its catch-ups are cut from the start.
	await page.route(/\/messages\/(stream|sync)/, (route) => route.abort('connectionreset'));
	let stalled = true;
	await page.route(/\/save_quick_reply$/, async (route) => {
		if (!stalled) return route.continue();
		stalled = false;
		await route.fetch();
		await route.abort('connectionreset');
	});
	await signIn(page, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(page);
	const popover = page.getByRole('dialog', { name: 'Quick replies' });
	await page.getByRole('button', { name: 'Quick replies' }).click();
	await popover.getByRole('button', { name: 'Manage' }).click();
	const field = popover.getByRole('textbox', { name: 'New quick reply' });
	await field.fill('Cash or bank transfer.');
	await field.press('Control+Enter');
	await expect(popover.getByRole('alert')).toBeVisible();
	await expect(field).toHaveValue('Cash or bank transfer.');

	await popover.getByRole('button', { name: 'Save' }).click();
	const listed = popover.getByRole('list', { name: 'Manage quick replies' }).getByRole('listitem');
	await expect(listed.filter({ hasText: 'Cash or bank transfer.' })).toHaveCount(1);
	await expect(popover.getByRole('alert')).toHaveCount(0);
	await expect(field).toHaveValue('');
});
