import { expect, test, type Page } from './fixtures';
import { withDatabase } from './database';
import { DEMO, hydrated, signedInPage as open } from './session';

/**
 * Contact masking as two people meet it, with the operator's setting switched on for this spec
 * only (and off again after, whatever happens): the recipient sees "(contact details hidden)"
 * live and after a reload, the sender keeps their own text and is told why, and prices and
 * dates in the same conversation reach the other side untouched.
 */

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

const masking = (baseURL: string | undefined, on: boolean) =>
	withDatabase(baseURL, (db) => db.query('update public.messaging_settings set contact_masking = $1', [on]));

test.afterEach(({ baseURL }) => masking(baseURL, false));

test('the recipient sees contact details hidden, the sender their own text and why; prices and dates pass', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	await masking(baseURL, true);
	const sam = await open(browser, DEMO.sam.email, `/messages?conversation=${DEMO.lee.id}__general`);
	const lee = await open(browser, DEMO.lee.email, `/messages?conversation=${DEMO.sam.id}__general`);
	try {
		const stamp = Date.now().toString(36);
		const written = `Text me on +44 7700 900123 or sam.${stamp}@example.com`;
		await composer(sam.page).fill(written);
		await composer(sam.page).press('Enter');

		// The sender: their text as written, and the reason under it.
		const mine = thread(sam.page).locator('li[data-status="sent"]', { hasText: `sam.${stamp}@example.com` });
		await expect(mine).toHaveCount(1);
		await expect(mine).toContainText('+44 7700 900123');
		await expect(mine).toContainText(/sees this without phone numbers, emails or links/);

		// The recipient, live: the masked text, and nothing of the number or the address.
		const theirs = thread(lee.page).getByRole('listitem').filter({ hasText: 'Text me on' });
		await expect(theirs).toContainText('Text me on (contact details hidden) or (contact details hidden)');
		await expect(thread(lee.page)).not.toContainText('7700');
		await expect(thread(lee.page)).not.toContainText(stamp);

		// After a reload, each still sees their own version; the inbox preview is masked too.
		await lee.page.reload();
		await hydrated(lee.page);
		await expect(thread(lee.page).getByRole('listitem').filter({ hasText: 'Text me on' }).last()).toContainText('(contact details hidden)');
		await expect(lee.page.getByRole('list', { name: 'Conversations' })).not.toContainText('7700');
		await sam.page.reload();
		await hydrated(sam.page);
		await expect(thread(sam.page).getByRole('listitem').filter({ hasText: `sam.${stamp}` })).toContainText('+44 7700 900123');

		// A price, a date and a time are not contact details.
		const deal = `Would €120 do? I can collect on 12/05/2026 at 14:30 (${stamp})`;
		await composer(sam.page).fill(deal);
		await composer(sam.page).press('Enter');
		await expect(thread(lee.page).getByRole('listitem').filter({ hasText: stamp }).last()).toContainText(deal);
	} finally {
		await sam.close();
		await lee.close();
	}
});
