import { expect, test, type Locator, type Page } from './fixtures';
import { withDatabase } from './database';
import { bothMembers, buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/**
 * The thread by keyboard and screen reader: its messages are one Tab stop, walked with the arrows,
 * and each says who sent it. Every message used to add its Reply, reaction and Report buttons to the
 * Tab order, so a long thread stood dozens of Tabs between its name and the message box.
 */

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]');
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const CLOCK = String.raw`\d{1,2}:\d{2}(?: [AP]M)?`;

/** Presses Tab until `target` has the focus; the number of presses it took. */
async function tabsTo(page: Page, target: Locator, limit = 60): Promise<number> {
	for (let tabs = 1; tabs <= limit; tabs++) {
		await page.keyboard.press('Tab');
		if (await target.evaluate((element) => element === document.activeElement)) return tabs;
	}
	const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200));
	throw new Error(`Not reached with ${limit} presses of Tab; the focus is on ${focused}`);
}

test('the messages are one Tab stop: from the thread’s name to the message box takes as many Tabs with 20 messages as with 4', async ({ browser, baseURL }) => {
	const counts: number[] = [];
	for (const earlier of [0, 16]) {
		const thread = await buyersThread(baseURL, { earlier });
		const page = await (await browser.newContext()).newPage();
		await signIn(page, thread.buyer.email, thread.buyerUrl);
		await hydrated(page);
		await expect(messages(page)).toHaveCount(4 + earlier);
		await page.getByRole('heading', { level: 2, name: thread.seller.name }).focus();
		counts.push(await tabsTo(page, composer(page)));
		await page.context().close();
	}
	expect(counts[1]).toBe(counts[0]);
	// The header's few controls, the messages, the newest one's actions, the offer button.
	expect(counts[1]).toBeLessThanOrEqual(10);
});

test('ArrowUp and ArrowDown go from message to message, Home and End to the first and the last; Tab goes on to the focused one’s Reply, Escape back to the message, and the list is entered again where it was left', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const rows = messages(page);
	await expect(rows).toHaveCount(4);
	const heading = page.getByRole('heading', { level: 2, name: thread.seller.name });

	// Entering the list for the first time: the newest message.
	await heading.focus();
	await tabsTo(page, rows.last(), 8);
	await page.keyboard.press('ArrowUp');
	await expect(rows.nth(2)).toBeFocused();
	await page.keyboard.press('ArrowUp');
	await expect(rows.nth(1)).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(rows.nth(2)).toBeFocused();
	await page.keyboard.press('Home');
	await expect(rows.first()).toBeFocused();
	await page.keyboard.press('ArrowUp');
	await expect(rows.first()).toBeFocused();
	await page.keyboard.press('End');
	await expect(rows.last()).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await expect(rows.last()).toBeFocused();

	// The seller's first answer: Tab is its own Reply, Escape the message again.
	await page.keyboard.press('ArrowUp');
	await page.keyboard.press('ArrowUp');
	const answer = rows.nth(1);
	await expect(answer).toBeFocused();
	await page.keyboard.press('Tab');
	await expect(answer.getByRole('button', { name: 'Reply to this message' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(answer).toBeFocused();

	// Its reactions: a row walked with the arrows, round at the ends; Escape closes it.
	await page.keyboard.press('Tab');
	await page.keyboard.press('Tab');
	await expect(answer.getByRole('button', { name: 'Add reaction' })).toBeFocused();
	await page.keyboard.press('Enter');
	const choices = page.getByRole('group', { name: 'Choose a reaction' }).getByRole('button');
	await expect(choices.first()).toBeFocused();
	await page.keyboard.press('ArrowRight');
	await expect(choices.nth(1)).toBeFocused();
	await page.keyboard.press('ArrowLeft');
	await page.keyboard.press('ArrowLeft');
	await expect(choices.last()).toBeFocused();
	await page.keyboard.press('Home');
	await expect(choices.first()).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(answer.getByRole('button', { name: 'Add reaction' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(answer).toBeFocused();

	// On to the message box, then back from the thread's name: the same message, none before it.
	await tabsTo(page, composer(page), 8);
	await heading.focus();
	const list = page.getByRole('list', { name: 'Messages' });
	for (let tabs = 0; tabs < 8 && !(await list.evaluate((element) => element.contains(document.activeElement))); tabs++) await page.keyboard.press('Tab');
	await expect(answer).toBeFocused();
});

test('Tab from the newest message, entered by Tab before any other was focused, goes on to its own controls', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const rows = messages(page);
	await expect(rows).toHaveCount(4);
	await page.getByRole('heading', { level: 2, name: thread.seller.name }).focus();
	await tabsTo(page, rows.last(), 8);
	// It skipped them, straight to the offer button: the message in turn had not changed, so nothing put them back.
	await page.keyboard.press('Tab');
	const inNewest = await rows.last().evaluate((row) => row !== document.activeElement && row.contains(document.activeElement));
	expect(inNewest, await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))).toBe(true);
});

test('each message is named by who sent it, when, and whether it was edited, before its text: "You" or the other member’s name', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await withDatabase(baseURL, (db) => db.query(`update public.messages set edited_at = now() where body = 'Yes, it is. Serviced last month, new chain.'`));
	// A window the thread is longer than.
	await page.setViewportSize({ width: 375, height: 560 });
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const rows = messages(page);
	await expect(rows).toHaveCount(4);
	await expect(rows.first()).toHaveAccessibleName(new RegExp(`^You, ${CLOCK}: Hi! Is the bike still available\\?$`));
	await expect(rows.nth(1)).toHaveAccessibleName(new RegExp(`^Sam Seller, ${CLOCK}, edited: Yes, it is\\. Serviced last month, new chain\\.$`));
	await expect(rows.last()).toHaveAccessibleName(new RegExp(`^Sam Seller, ${CLOCK}: Saturday at 10 works for me\\.$`));
	// Hidden, the bylines take no room: placed outside the scrolling history, they made the thread as long as its messages.
	expect(await page.locator('section.thread').evaluate((section) => section.scrollHeight - section.clientHeight)).toBeLessThanOrEqual(1);
});

test('a message deleted by the other member while the focus is on its Reply keeps the focus on it, now "Message deleted", not on the page', async ({
	browser,
	baseURL
}) => {
	const { buyer, seller, close } = await bothMembers(browser, baseURL);
	try {
		const onBuyer = messages(buyer).filter({ hasText: 'Saturday at 10 works for me.' });
		await onBuyer.focus();
		await buyer.keyboard.press('Tab');
		await expect(onBuyer.getByRole('button', { name: 'Reply to this message' })).toBeFocused();

		seller.once('dialog', (dialog) => void dialog.accept());
		const onSeller = messages(seller).filter({ hasText: 'Saturday at 10 works for me.' });
		await onSeller.hover();
		await onSeller.getByRole('button', { name: 'Delete this message' }).click();
		const deleted = messages(buyer).filter({ hasText: 'Message deleted' });
		await expect(deleted).toHaveCount(1);
		await expect(deleted).toBeFocused();
	} finally {
		await close();
	}
});

test('blocked by the other member while writing, the writer’s focus goes to why the message box went, and back to the box, with the text, on unblock', async ({
	browser,
	baseURL
}) => {
	const { buyer, seller, close } = await bothMembers(browser, baseURL);
	try {
		await composer(buyer).fill('Would you take 400');
		await expect(composer(buyer)).toBeFocused();

		seller.once('dialog', (dialog) => void dialog.accept());
		await seller.getByLabel('Conversation options').click();
		await seller.getByRole('button', { name: 'Block Robin Buyer' }).click();
		const why = buyer.getByRole('status').filter({ hasText: 'Sam Seller is not accepting messages from you.' });
		await expect(why).toBeFocused();

		await seller.getByRole('button', { name: 'Unblock Robin Buyer' }).first().click();
		await expect(composer(buyer)).toBeFocused();
		await expect(composer(buyer)).toHaveValue('Would you take 400');
	} finally {
		await close();
	}
});
