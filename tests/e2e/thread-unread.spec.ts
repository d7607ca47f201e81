import { randomUUID } from 'node:crypto';
import { expect, test, type Browser, type Page } from './fixtures';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

type Thread = Awaited<ReturnType<typeof buyersThread>>;

const messageList = (page: Page) => page.getByRole('list', { name: 'Messages' });
const messageRow = (page: Page, text: string) => messageList(page).locator('li[data-message-id]', { hasText: text });
const history = (page: Page) => page.locator('.thread-history');
const unreadBody = (n: number) => `Unread message ${String(n).padStart(3, '0')}`;

/** `count` more messages from the seller after the thread's own, a tenth of a second apart, written directly (the send limit). */
async function moreFromSeller(baseURL: string | undefined, thread: Thread, count: number) {
	await withDatabase(baseURL, async (db) => {
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 select gen_random_uuid(), c.id, $1, 'Unread message ' || lpad(g::text, 3, '0'),
			        now() - interval '120 seconds' + g * interval '100 milliseconds', now() + interval '30 days'
			   from public.conversations c, generate_series(1, $3::int) g
			  where c.product_id = $2`,
			[thread.seller.id, thread.product, count]
		);
	});
}

/** The buyer's unread count, as the database has it. */
const buyersUnread = (baseURL: string | undefined, thread: Thread) =>
	withDatabase(baseURL, async (db) => {
		const { rows } = await db.query<{ unread_count: number }>(
			`select unread_count from public.conversation_members where user_id = $1 and product_id = $2`,
			[thread.buyer.id, thread.product]
		);
		return rows[0].unread_count;
	});

async function openAs(browser: Browser, email: string, url: string) {
	const page = await (await browser.newContext()).newPage();
	await signIn(page, email, url);
	await hydrated(page);
	return page;
}

test('a message that arrives while the reader is further up is not read until they go down to it', async ({ browser, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await moreFromSeller(baseURL, thread, 70);
	const buyer = await openAs(browser, thread.buyer.email, thread.buyerUrl);
	await expect(messageRow(buyer, unreadBody(70))).toBeAttached();
	await history(buyer).evaluate((box) => box.scrollTo({ top: box.scrollHeight }));
	await expect.poll(() => buyersUnread(baseURL, thread)).toBe(0);

	// Up in the history, where the newest is out of sight.
	await history(buyer).evaluate((box) => box.scrollTo({ top: box.scrollHeight / 2 }));
	await expect(messageRow(buyer, unreadBody(70))).not.toBeInViewport();
	const seller = await openAs(browser, thread.seller.email, '/');
	const response = await seller.request.post('/messages?/send', {
		form: { key: `${thread.buyer.id}__${thread.product}`, id: randomUUID(), body: 'Are you still interested?' },
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin: new URL(seller.url()).origin }
	});
	expect(response.ok()).toBe(true);
	const below = history(buyer).getByRole('button', { name: '1 new message ↓' });
	await expect(below).toBeVisible();
	await buyer.waitForTimeout(1000);
	expect(await buyersUnread(baseURL, thread)).toBe(1);

	await below.click();
	await expect(messageRow(buyer, 'Are you still interested?')).toBeInViewport();
	await expect.poll(() => buyersUnread(baseURL, thread)).toBe(0);

	await buyer.context().close();
	await seller.context().close();
});
