import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('a thread selected and copied is its messages, names and times: no button labels, no "New messages", no "Seen", no screen-reader bylines', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const list = page.getByRole('list', { name: 'Messages' });
	await expect(list.locator('li[data-message-id]')).toHaveCount(4);
	await expect(list.getByText('New messages')).toBeVisible();
	await expect(list.getByText('Seen', { exact: true })).toBeVisible();

	// As a person selects it: from the list's first message to its last.
	const selected = await list.evaluate((messages) => {
		const range = document.createRange();
		range.selectNodeContents(messages);
		const selection = window.getSelection()!;
		selection.removeAllRanges();
		selection.addRange(range);
		return selection.toString();
	});
	for (const text of ['Hi! Is the bike still available?', 'Saturday at 10 works for me.', 'Sam Seller', 'Today']) expect(selected).toContain(text);
	expect(selected).toMatch(/\b\d{1,2}:\d{2}\b/);
	for (const noise of ['Reply', 'Add reaction', 'Report', 'Edit', 'Delete', 'New messages', 'Seen']) expect(selected).not.toContain(noise);
	// Nor what a screen reader says before each message ("Sam Seller, 14:02:"): the names and times shown are there already.
	expect(selected).not.toMatch(/(You|Sam Seller), \d{1,2}:\d{2}/);
});
