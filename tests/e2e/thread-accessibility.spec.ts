import { expect, test, type Page } from './fixtures';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

/**
 * The thread by keyboard and screen reader: its messages are one Tab stop, walked with the arrows,
 * and each says who sent it. Every message used to add its Reply, reaction and Report buttons to the
 * Tab order, so a long thread stood dozens of Tabs between its name and the message box.
 */

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]');
const CLOCK = String.raw`\d{1,2}:\d{2}(?: [AP]M)?`;

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
