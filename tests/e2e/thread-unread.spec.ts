import { randomUUID } from 'node:crypto';
import { expect, test, type Browser, type Page } from './fixtures';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { signedInPage } from './session';

type Thread = Awaited<ReturnType<typeof buyersThread>>;

const messageList = (page: Page) => page.getByRole('list', { name: 'Messages' });
const messageRow = (page: Page, text: string) => messageList(page).locator('li[data-message-id]', { hasText: text });
const divider = (page: Page) => messageList(page).getByRole('listitem').filter({ hasText: 'New messages' });
const history = (page: Page) => page.locator('.thread-history');
const unreadBody = (n: number) => `Unread message ${String(n).padStart(3, '0')}`;
/** The seller's last message of the buyer's thread (tests/e2e/fresh-thread.ts): the buyer's first unread one. */
const FIRST_UNREAD = 'Saturday at 10 works for me.';

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

const openAs = async (browser: Browser, email: string, url: string) => (await signedInPage(browser, email, url)).page;

test('a thread with more unread messages than a page opens at the first unread one under "New messages", and is read only once scrolled down to the newest', async ({
	browser,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await moreFromSeller(baseURL, thread, 70);
	const buyer = await openAs(browser, thread.buyer.email, thread.buyerUrl);

	// Older than the newest page: loaded, and shown near the top with the divider right above it.
	await expect(divider(buyer)).toBeInViewport();
	await expect(messageRow(buyer, FIRST_UNREAD)).toBeInViewport();
	await expect(messageRow(buyer, unreadBody(70))).not.toBeInViewport();
	const order = await messageList(buyer)
		.getByRole('listitem')
		.evaluateAll((lis) => lis.map((li) => (li.textContent?.includes('New messages') ? 'divider' : ((li as HTMLElement).dataset.messageId ?? ''))));
	const firstUnreadId = await messageRow(buyer, FIRST_UNREAD).getAttribute('data-message-id');
	expect(order.indexOf('divider')).toBe(order.indexOf(firstUnreadId!) - 1);
	const dividerTop = await divider(buyer).evaluate((li) => li.getBoundingClientRect().top - li.closest('.thread-history')!.getBoundingClientRect().top);
	expect(dividerTop).toBeLessThan(100);

	// Not read yet: the count stays, and the seller sees no "Seen".
	const seller = await openAs(browser, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await expect(messageRow(seller, unreadBody(70))).toBeVisible();
	await buyer.waitForTimeout(1000);
	expect(await buyersUnread(baseURL, thread)).toBe(71);
	await expect(messageList(seller).getByText('Seen', { exact: true })).toHaveCount(0);

	// Scrolled down to the newest: read, and seen.
	await history(buyer).evaluate((box) => box.scrollTo({ top: box.scrollHeight }));
	await expect.poll(() => buyersUnread(baseURL, thread)).toBe(0);
	await expect(messageRow(seller, unreadBody(70)).getByText('Seen', { exact: true })).toBeVisible();
	// The divider stays where the run started while the thread is open.
	await expect(divider(buyer)).toHaveCount(1);

	await buyer.context().close();
	await seller.context().close();
});

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

	// Another, and the reader scrolls down by themselves, near enough to the bottom to have read it
	// but short of the very end: read, and the button goes with it.
	// The button scrolls down again a frame after the click, and a scroll is taken in at the next
	// frame: on a loaded CI host the second message came before either, and was read at the bottom.
	const frames = () => buyer.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
	await frames();
	await history(buyer).evaluate((box) => box.scrollTo({ top: box.scrollHeight / 2 }));
	await expect(messageRow(buyer, 'Are you still interested?')).not.toBeInViewport();
	await frames();
	const again = await seller.request.post('/messages?/send', {
		form: { key: `${thread.buyer.id}__${thread.product}`, id: randomUUID(), body: 'Shall I keep it for you?' },
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin: new URL(seller.url()).origin }
	});
	expect(again.ok()).toBe(true);
	await expect(below).toBeVisible();
	await history(buyer).evaluate((box) => box.scrollTo({ top: box.scrollHeight - box.clientHeight - 80 }));
	await expect.poll(() => buyersUnread(baseURL, thread)).toBe(0);
	await expect(below).toHaveCount(0);

	await buyer.context().close();
	await seller.context().close();
});

test('opening loads at most 500 messages to find the first unread one: further back, it shows the oldest loaded and no divider until the run start is loaded', async ({
	browser,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await moreFromSeller(baseURL, thread, 600);
	const buyer = await openAs(browser, thread.buyer.email, thread.buyerUrl);
	const rows = messageList(buyer).locator('li[data-message-id]');

	// The newest 500 (the 101st to the 600th), with the oldest of them in view (and the page above it, loaded as at any top).
	await expect(messageRow(buyer, unreadBody(101))).toBeInViewport();
	expect(await rows.count()).toBeGreaterThanOrEqual(500);
	expect(await rows.count()).toBeLessThanOrEqual(550);
	await expect(messageRow(buyer, unreadBody(600))).not.toBeInViewport();
	// Nothing loaded says where the run starts, so no divider says so either.
	await expect(divider(buyer)).toHaveCount(0);
	await buyer.waitForTimeout(500);
	expect(await buyersUnread(baseURL, thread)).toBe(601);

	// Scrolled up to the start: the divider is where the run starts.
	const start = buyer.getByText('This is the start of your conversation.');
	await expect(async () => {
		await history(buyer).evaluate((box) => box.scrollTo({ top: 0 }));
		await expect(start).toBeVisible({ timeout: 1000 });
	}).toPass();
	await expect(rows).toHaveCount(604);
	const firstUnreadId = await messageRow(buyer, FIRST_UNREAD).getAttribute('data-message-id');
	const afterDivider = await divider(buyer).evaluate((li) => (li.nextElementSibling as HTMLElement | null)?.dataset.messageId);
	expect(afterDivider).toBe(firstUnreadId);
	expect(await buyersUnread(baseURL, thread)).toBe(601);

	await buyer.context().close();
});

test('by keyboard from a thread opened at its first unread message: Tab from the header and Shift+Tab from the message box land on a message in sight, read nothing, load nothing; Reply puts the focus in the message box', async ({
	browser,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await moreFromSeller(baseURL, thread, 70);
	const buyer = await openAs(browser, thread.buyer.email, thread.buyerUrl);
	await expect(divider(buyer)).toBeInViewport();
	const rowsLoaded = await messageList(buyer).locator('li[data-message-id]').count();
	const focusedRow = () => buyer.evaluate(() => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('li[data-message-id]')?.textContent ?? null);

	// Shift+Tab from the message box: the first unread message itself (not its buttons, which come
	// after it in the page), where the reader goes on from.
	await buyer.getByRole('textbox', { name: 'Message', exact: true }).focus();
	for (let i = 0; i < 8 && !(await focusedRow()); i++) await buyer.keyboard.press('Shift+Tab');
	expect(await focusedRow()).toContain(FIRST_UNREAD);
	expect(await buyer.evaluate(() => document.activeElement?.matches('li[data-message-id]'))).toBe(true);
	await expect(messageRow(buyer, FIRST_UNREAD)).toBeInViewport();
	await expect(messageRow(buyer, unreadBody(70))).not.toBeInViewport();

	// From the conversation's name forward: the same message, not the "Load older messages" button.
	await buyer.getByRole('heading', { level: 2 }).first().focus();
	for (let i = 0; i < 8 && !(await focusedRow()); i++) await buyer.keyboard.press('Tab');
	expect(await focusedRow()).toContain(FIRST_UNREAD);
	await buyer.waitForTimeout(1000);
	expect(await messageList(buyer).locator('li[data-message-id]').count()).toBe(rowsLoaded);
	expect(await buyersUnread(baseURL, thread)).toBe(71);

	// Reply by keyboard: the next keys are the reply.
	await buyer.keyboard.press('Tab');
	await expect(buyer.locator(':focus')).toHaveAccessibleName(/Reply/);
	await buyer.keyboard.press('Enter');
	await expect(buyer.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
	await buyer.keyboard.type('Saturday it is');
	await expect(buyer.getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('Saturday it is');
	await buyer.context().close();
});
