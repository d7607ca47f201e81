import { expect, test, type Locator, type Page } from './fixtures';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/** What the next copy puts on the clipboard, as text/plain, copied the way a person does: Ctrl+C. */
async function copied(page: Page): Promise<string> {
	await page.keyboard.press('ControlOrMeta+C');
	return page.evaluate(() => navigator.clipboard.readText());
}

/** Selects the list's contents, as a person does from its first message to its last. */
const selectAll = (list: Locator) =>
	list.evaluate((messages) => {
		const range = document.createRange();
		range.selectNodeContents(messages);
		window.getSelection()!.removeAllRanges();
		window.getSelection()!.addRange(range);
	});

const TIME = String.raw`\d{2}:\d{2}`;

test('a thread selected and copied is a transcript: each message with who wrote it and when, and no button labels, "New messages", "Seen" or screen-reader bylines', async ({ page, context, baseURL }) => {
	const thread = await buyersThread(baseURL);
	// The buyer's second message, edited.
	await withDatabase(baseURL, (db) => db.query(`update public.messages set edited_at = now() where sender_id = $1 and body like 'Great.%'`, [thread.buyer.id]));
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const list = page.getByRole('list', { name: 'Messages' });
	await expect(list.locator('li[data-message-id]')).toHaveCount(4);
	await expect(list.getByText('New messages')).toBeVisible();
	await expect(list.getByText('Seen', { exact: true })).toBeVisible();

	await selectAll(list);
	const text = await copied(page);
	// One's own messages say "You" too: after a run of Sam's they read as his. The time and "edited" go before the text they belong to.
	// The day in full, not "Today", which the pasted text would still say tomorrow.
	const DAY = expect.stringMatching(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
	expect(text.split('\n')).toEqual([
		DAY,
		expect.stringMatching(new RegExp(`^You, ${TIME}: Hi! Is the bike still available\\?$`)),
		expect.stringMatching(new RegExp(`^Sam Seller, ${TIME}: Yes, it is\\. Serviced last month, new chain\\.$`)),
		expect.stringMatching(new RegExp(`^You, ${TIME} \\(edited\\): Great\\. Could I see it on Saturday morning\\?$`)),
		expect.stringMatching(new RegExp(`^Sam Seller, ${TIME}: Saturday at 10 works for me\\.$`))
	]);
	for (const noise of ['Reply', 'Add reaction', 'Report', 'Delete', 'New messages', 'Seen']) expect(text).not.toContain(noise);
	// Nor what a screen reader says before each message ("Sam Seller, 14:02, edited:").
	expect(text).not.toMatch(/, edited:|, seen:/);

	// From the second message to the third, under the day's label: the day still comes first.
	await list.evaluate((messages) => {
		const rows = messages.querySelectorAll('li[data-message-id]');
		const range = document.createRange();
		range.setStart(rows[1], 0);
		range.setEnd(rows[2], rows[2].childNodes.length);
		window.getSelection()!.removeAllRanges();
		window.getSelection()!.addRange(range);
	});
	expect((await copied(page)).split('\n')).toEqual([
		DAY,
		expect.stringMatching(/^Sam Seller, .*Serviced last month/),
		expect.stringMatching(/^You, .*Saturday morning\?$/)
	]);
});

test('part of one message selected copies just that part, as the browser does', async ({ page, context, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const body = page.getByRole('list', { name: 'Messages' }).locator('.bubble-body', { hasText: 'Serviced last month' });
	await body.evaluate((p) => {
		const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
		let text = walker.nextNode()!;
		while (!text.textContent!.startsWith('Yes, it is.')) text = walker.nextNode()!;
		const range = document.createRange();
		range.setStart(text, 'Yes, it is. '.length);
		range.setEnd(text, 'Yes, it is. Serviced last month'.length);
		window.getSelection()!.removeAllRanges();
		window.getSelection()!.addRange(range);
	});
	expect(await copied(page)).toBe('Serviced last month');
});

test('Ctrl+A on a message selects the messages only, not the page around them', async ({ page, context, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const list = page.getByRole('list', { name: 'Messages' });
	await list.locator('li[data-message-id]').last().focus();
	await page.keyboard.press('ControlOrMeta+A');
	const selection = await page.evaluate(() => {
		const range = window.getSelection()!.getRangeAt(0);
		const list = document.querySelector('ol[aria-label="Messages"]')!;
		return { inside: list.contains(range.commonAncestorContainer), text: window.getSelection()!.toString() };
	});
	expect(selection.inside).toBe(true);
	expect(selection.text).toContain('Hi! Is the bike still available?');
	for (const outside of ['Make an offer', 'Sign out', 'Road bike, 56 cm']) expect(selection.text).not.toContain(outside);
	const text = await copied(page);
	expect(text).toMatch(new RegExp(`^\\d{1,2} [A-Z][a-z]+ \\d{4}\nYou, ${TIME}: Hi!`));
	expect(text).toMatch(new RegExp(`\nSam Seller, ${TIME}: Saturday at 10 works for me\\.$`));

	// In a text field, Ctrl+A is the field's own.
	const box = page.getByRole('textbox', { name: 'Message', exact: true });
	await box.fill('Draft text');
	await box.press('ControlOrMeta+A');
	expect(await box.evaluate((field: HTMLTextAreaElement) => field.value.slice(field.selectionStart, field.selectionEnd))).toBe('Draft text');
});
