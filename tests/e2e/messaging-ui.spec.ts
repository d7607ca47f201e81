import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContextOptions, type Locator, type Page } from './fixtures';
import { insertConversation, insertMember, withDatabase } from './database';
import { asMember } from './fresh-deal';
import { buyersThread } from './fresh-thread';
import { callUnblock, DEMO, hydrated, signIn } from './session';

// Each test uses its own pair of users and product, so none depends on another's leftovers, and
// none touches what marketplace.spec.ts and realtime.spec.ts use (Ana and Sam about the camera and
// the record player). realtime.spec.ts runs after this file and expects Sam to have nothing unread
// and one "Record player" conversation: every test here leaves Sam with nothing unread, and none
// is about the record player.
const PRODUCT = {
	camera: 'a0000000-0000-4000-8000-000000000001',
	backpack: 'a0000000-0000-4000-8000-000000000002',
	bike: 'a0000000-0000-4000-8000-000000000004',
	lamp: 'a0000000-0000-4000-8000-000000000005',
	mugs: 'a0000000-0000-4000-8000-000000000006'
} as const;

type DemoUser = keyof typeof DEMO;

/** The key of a conversation as `viewer` sees it: the other user, and the product or "general". */
const keyWith = (other: DemoUser, product: string | null) => `${DEMO[other].id}__${product ?? 'general'}`;
const threadUrl = (other: DemoUser, product: string | null) => `/messages?conversation=${keyWith(other, product)}`;

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const messageList = (page: Page) => page.getByRole('list', { name: 'Messages' });
const conversations = (page: Page) => page.getByRole('list', { name: 'Conversations' });
const history = (page: Page) => page.locator('.thread-history');
const messageRow = (page: Page, text: string) => messageList(page).locator('li[data-message-id]', { hasText: text });

async function signedInPage(browser: Browser, user: DemoUser, next = '/messages', options: BrowserContextOptions = {}) {
	const context = await browser.newContext(options);
	const page = await context.newPage();
	await signIn(page, DEMO[user].email, next);
	await hydrated(page);
	return page;
}

/** Opens a thread and waits until the tab is hydrated and its realtime feed is live. */
async function openThread(page: Page, other: DemoUser, product: string | null) {
	await page.goto(threadUrl(other, product));
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 2, name: new RegExp(other, 'i') })).toBeVisible();
	await expect(page.locator('.connection-state')).toHaveCount(0);
}

async function send(page: Page, text: string) {
	await composer(page).fill(text);
	await composer(page).press('Enter');
	await expect(messageList(page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
}

/** Sends through the app's own form action with the page's session, as the composer does. */
async function sendByAction(page: Page, key: string, body: string) {
	const origin = new URL(page.url()).origin;
	const response = await page.request.post('/messages?/send', {
		form: { key, id: randomUUID(), body },
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin }
	});
	expect(response.status()).toBe(200);
	expect(((await response.json()) as { type: string }).type).toBe('success');
}

/** A message's hover actions (Reply, Edit, Delete, Report) show on hover or focus, as a person would reveal them. */
async function messageAction(row: Locator, name: string) {
	await row.hover();
	const button = row.getByRole('button', { name });
	await expect(button).toBeVisible();
	await button.click();
}

/** Chooses an item of the thread's "Conversation options" menu, opening it unless it is open. */
async function conversationMenu(page: Page, item: string) {
	const menu = page.locator('details.thread-menu');
	if (!(await menu.evaluate((details) => (details as HTMLDetailsElement).open))) await page.getByLabel('Conversation options').click();
	await menu.getByRole('button', { name: item, exact: true }).click();
}

/** Ids of the messages at least partly inside the history's visible area. */
function visibleMessageIds(page: Page): Promise<string[]> {
	return history(page).evaluate((scroller) => {
		const box = scroller.getBoundingClientRect();
		return [...scroller.querySelectorAll<HTMLElement>('li[data-message-id]')]
			.filter((li) => {
				const r = li.getBoundingClientRect();
				return r.bottom > box.top + 1 && r.top < box.bottom - 1;
			})
			.map((li) => li.dataset.messageId!);
	});
}

test('history: 500 messages load page by page while scrolling up, each exactly once, in order, without losing the place', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const TOTAL = 500;
	const body = (n: number) => `History message ${String(n).padStart(3, '0')}`;
	// Ben and Sam about the backpack: 500 messages, seven minutes apart over two and a half days,
	// written directly (the per-minute send limit would take 17 minutes through the app).
	// Senders alternate in runs; the newest is Sam's, so Sam has nothing unread.
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		const conversationId = await insertConversation(db, DEMO.ben.id, DEMO.sam.id, PRODUCT.backpack);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 select gen_random_uuid(), $1, case when (g / 3) % 2 = 0 then $3::uuid else $2::uuid end,
			        'History message ' || lpad(g::text, 3, '0'),
			        now() - interval '10 minutes' - ($4 - g) * interval '7 minutes', now() + interval '30 days'
			   from generate_series(1, $4) g`,
			[conversationId, DEMO.ben.id, DEMO.sam.id, TOTAL]
		);
		await db.query('commit');
	});

	const ben = await signedInPage(browser, 'ben');
	await openThread(ben, 'sam', PRODUCT.backpack);
	const rows = messageList(ben).locator('li[data-message-id]');

	// The newest page, scrolled to the newest message.
	await expect(rows).toHaveCount(50);
	await expect(messageRow(ben, body(TOTAL))).toBeInViewport();
	await expect(ben.getByText('This is the start of your conversation.')).toHaveCount(0);

	const start = ben.getByText('This is the start of your conversation.');
	for (let pageNumber = 2; pageNumber <= TOTAL / 50; pageNumber++) {
		const before = await rows.count();
		// Odd pages: to the very top; even pages: close to it, where a wheel or a finger may stop
		// (and where the browser's own scroll anchoring would apply). What is first on screen then
		// is measured at once, before the scroll event asks for the older page.
		const top = pageNumber % 2 ? 0 : 40;
		const firstVisible = await history(ben).evaluate((scroller, y) => {
			scroller.scrollTo({ top: y });
			const box = scroller.getBoundingClientRect();
			return [...scroller.querySelectorAll<HTMLElement>('li[data-message-id]')].find((li) => li.getBoundingClientRect().bottom > box.top + 1)
				?.dataset.messageId;
		}, top);
		expect(firstVisible).toBeTruthy();
		await expect(rows).toHaveCount(Math.min(before + 50, TOTAL));
		await expect(ben.getByRole('button', { name: 'Loading…' })).toHaveCount(0);
		// The place is kept: what was first on screen is still on screen, and the history did not jump to the top.
		expect(await visibleMessageIds(ben)).toContain(firstVisible);
		expect(await history(ben).evaluate((scroller) => scroller.scrollTop)).toBeGreaterThan(200);
	}
	await expect(rows).toHaveCount(TOTAL);
	await expect(ben.getByRole('button', { name: 'Load older messages' })).toHaveCount(0);
	await history(ben).evaluate((scroller) => scroller.scrollTo({ top: 0 }));
	await expect(start).toBeInViewport();

	const bodies = await rows.locator('.bubble-body').allTextContents();
	expect(bodies).toEqual(Array.from({ length: TOTAL }, (_, i) => body(i + 1)));
	const ids = await rows.evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.messageId));
	expect(new Set(ids).size).toBe(TOTAL);
	// Scrolling at the start again loads nothing more.
	await history(ben).evaluate((scroller) => scroller.scrollTo({ top: 0 }));
	await expect(rows).toHaveCount(TOTAL);

	await ben.context().close();
});

test('edit, delete and reply: the other side sees "edited" and "Message deleted" live, and the reply quotes the original', async ({
	browser
}) => {
	// Ana and Lee about the desk lamp.
	const ana = await signedInPage(browser, 'ana');
	await openThread(ana, 'lee', PRODUCT.lamp);
	await send(ana, 'Is the lamp still available?');

	const lee = await signedInPage(browser, 'lee');
	await openThread(lee, 'ana', PRODUCT.lamp);
	await expect(messageRow(lee, 'Is the lamp still available?')).toBeVisible();

	// Ana edits her message; Lee sees the new text marked "edited" without reloading.
	const original = messageRow(ana, 'Is the lamp still available?');
	const originalId = await original.getAttribute('data-message-id');
	await messageAction(original, 'Edit this message');
	const editBox = ana.getByRole('textbox', { name: 'Edit message' });
	await editBox.fill('Is the oak lamp still available?');
	await ana.getByRole('button', { name: 'Save' }).click();
	await expect(editBox).toHaveCount(0);
	const anaEdited = ana.locator(`[data-message-id="${originalId}"]`);
	await expect(anaEdited.locator('.bubble-body')).toHaveText('Is the oak lamp still available?');
	await expect(anaEdited.getByText('edited', { exact: true })).toBeVisible();
	const leeEdited = lee.locator(`[data-message-id="${originalId}"]`);
	await expect(leeEdited.locator('.bubble-body')).toHaveText('Is the oak lamp still available?');
	await expect(leeEdited.getByText('edited', { exact: true })).toBeVisible();

	// Lee replies to it: the composer says what he replies to, and both see the quote.
	await messageAction(leeEdited, 'Reply to this message');
	await expect(lee.locator('.composer-reply')).toContainText('Replying to Ana Buyer: Is the oak lamp still available?');
	await send(lee, 'Yes, it is. Pick-up only.');
	await expect(lee.locator('.composer-reply')).toHaveCount(0);
	const leeQuote = messageRow(lee, 'Yes, it is. Pick-up only.').locator('.bubble-quote');
	await expect(leeQuote).toContainText('Ana Buyer');
	await expect(leeQuote).toContainText('Is the oak lamp still available?');
	const anaQuote = messageRow(ana, 'Yes, it is. Pick-up only.').locator('.bubble-quote');
	await expect(anaQuote).toContainText('You');
	await expect(anaQuote).toContainText('Is the oak lamp still available?');

	// Ana deletes a message: "Message deleted" for both, and in Lee's inbox preview.
	await send(ana, 'Sorry, wrong chat: ignore this');
	const mistake = messageRow(ana, 'Sorry, wrong chat: ignore this');
	const mistakeId = await mistake.getAttribute('data-message-id');
	await expect(messageRow(lee, 'Sorry, wrong chat: ignore this')).toBeVisible();
	ana.once('dialog', (dialog) => void dialog.accept());
	await messageAction(mistake, 'Delete this message');
	for (const page of [ana, lee]) {
		const row = page.locator(`[data-message-id="${mistakeId}"]`);
		await expect(row.locator('.bubble-body')).toHaveText('Message deleted');
		// Nowhere in the page any more, screen-reader-only text included.
		await expect(page.getByText('Sorry, wrong chat: ignore this')).toHaveCount(0);
	}
	await expect(conversations(lee).getByRole('link', { name: /Oak desk lamp/ })).toContainText('Message deleted');

	// What each saw live is what the server has.
	await lee.reload();
	await expect(lee.locator(`[data-message-id="${originalId}"]`).getByText('edited', { exact: true })).toBeVisible();
	await expect(lee.locator(`[data-message-id="${mistakeId}"] .bubble-body`)).toHaveText('Message deleted');
	await expect(messageRow(lee, 'Yes, it is. Pick-up only.').locator('.bubble-quote')).toContainText('Is the oak lamp still available?');

	await ana.context().close();
	await lee.context().close();
});

test('on a laptop’s window the four inbox filters sit on one line', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 720 });
	await signIn(page, DEMO.ana.email, '/messages');
	const filters = page.getByRole('navigation', { name: 'Inbox filter' }).getByRole('link');
	await expect(filters).toHaveCount(4);
	const tops = await filters.evaluateAll((links) => links.map((link) => Math.round(link.getBoundingClientRect().top)));
	expect(new Set(tops).size).toBe(1);
});

test('archive and unarchive move a conversation between All and Archived; Unread lists only conversations with unread messages, and one marked unread until opened', async ({
	browser
}) => {
	test.setTimeout(60_000);
	// Ben has one conversation with an unread message (Lee's general one) and one where he wrote last
	// (Lee about the mugs). (Not Sam: realtime.spec.ts looks for the only "Record player" in Sam's inbox.)
	const lee = await signedInPage(browser, 'lee');
	await sendByAction(lee, keyWith('ben', null), 'Hi Ben, a new batch of mugs arrives on Friday.');
	await lee.context().close();

	const ben = await signedInPage(browser, 'ben');
	await sendByAction(ben, keyWith('lee', PRODUCT.mugs), 'Are the mugs microwave safe?');

	const unreadOne = (page: Page) => conversations(page).getByRole('link').filter({ hasText: 'Lee Seller' }).filter({ hasText: 'General' });
	const mugs = (page: Page) => conversations(page).getByRole('link').filter({ hasText: 'Ceramic mug set' });

	await ben.goto('/messages');
	await hydrated(ben);
	await expect(unreadOne(ben)).toContainText('1 unread');
	await expect(mugs(ben)).toBeVisible();

	// Unread: the unread conversation, not the read one, and nothing without an unread count.
	const filters = ben.getByRole('navigation', { name: 'Inbox filter' });
	await filters.getByRole('link', { name: 'Unread' }).click();
	await expect(ben).toHaveURL('/messages?filter=unread');
	await expect(filters.getByRole('link', { name: 'Unread' })).toHaveAttribute('aria-current', 'page');
	await expect(unreadOne(ben)).toBeVisible();
	await expect(mugs(ben)).toHaveCount(0);
	const unreadRows = conversations(ben).getByRole('listitem');
	for (const row of await unreadRows.all()) await expect(row.locator('.unread-badge')).toContainText('unread');

	// Reading it takes it out of Unread.
	await unreadOne(ben).click();
	await expect(messageRow(ben, 'Hi Ben, a new batch of mugs arrives on Friday.')).toBeVisible();
	await ben.goto('/messages?filter=unread');
	await expect(unreadOne(ben)).toHaveCount(0);

	// Marked unread from its menu: back to the inbox, where it counts as unread again until opened,
	// in the header's total too (one more than this page's first load had).
	await ben.goto('/messages');
	await hydrated(ben);
	const badge = ben.getByTestId('unread-total');
	const total = async () => ((await badge.count()) ? Number((await badge.textContent())!.replace(/\D/g, '')) : 0);
	const before = await total();
	await unreadOne(ben).click();
	await expect(messageRow(ben, 'Hi Ben, a new batch of mugs arrives on Friday.')).toBeVisible();
	await conversationMenu(ben, 'Mark as unread');
	await expect(ben).toHaveURL('/messages');
	await expect(unreadOne(ben)).toContainText('1 unread');
	await expect.poll(total).toBe(before + 1);
	await ben.waitForTimeout(300);
	expect(await total(), 'the total stays').toBe(before + 1);
	await ben.goto('/messages?filter=unread');
	await expect(unreadOne(ben)).toContainText('1 unread');
	await unreadOne(ben).click();
	await expect(unreadOne(ben)).not.toContainText('unread');
	await ben.goto('/messages?filter=unread');
	await expect(unreadOne(ben)).toHaveCount(0);

	// Archive: gone from All at once, listed under Archived.
	await ben.goto('/messages');
	await hydrated(ben);
	await mugs(ben).click();
	await expect(messageRow(ben, 'Are the mugs microwave safe?')).toBeVisible();
	await hydrated(ben);
	await conversationMenu(ben, 'Archive');
	await expect(mugs(ben)).toHaveCount(0);
	await expect(unreadOne(ben)).toBeVisible();
	await filters.getByRole('link', { name: 'Archived' }).click();
	await expect(ben).toHaveURL('/messages?filter=archived');
	await expect(mugs(ben)).toBeVisible();
	await expect(unreadOne(ben)).toHaveCount(0);
	await ben.reload();
	await expect(mugs(ben)).toBeVisible();

	// Unarchive: opened from Archived (the inbox stays on that filter), it leaves Archived at once and is back in All.
	await mugs(ben).click();
	await expect(ben).toHaveURL(/filter=archived/);
	await expect(messageRow(ben, 'Are the mugs microwave safe?')).toBeVisible();
	await conversationMenu(ben, 'Unarchive');
	// The menu closes after an action; its items are then hidden but there.
	await expect(ben.getByRole('button', { name: 'Archive', exact: true, includeHidden: true })).toBeAttached();
	await expect(mugs(ben)).toHaveCount(0);
	await ben.goto('/messages?filter=archived');
	await expect(mugs(ben)).toHaveCount(0);
	await ben.goto('/messages');
	await expect(mugs(ben)).toBeVisible();

	await ben.context().close();
});

test('search finds a message by the start of a word; the result opens the thread at that message, loading older pages', async ({
	browser,
	baseURL
}) => {
	// Ana and Sam, general conversation: the message to find, then 80 newer ones, so it is not on the first page.
	const target = randomUUID();
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		const {
			rows: [conversation]
		} = await db.query<{ id: string }>(
			`insert into public.conversations (user_low, user_high) values ($1, $2) returning id`,
			[DEMO.ana.id, DEMO.sam.id]
		);
		await db.query(
			`insert into public.conversation_members (conversation_id, user_id, other_user_id) values ($1, $2, $3), ($1, $3, $2)`,
			[conversation.id, DEMO.ana.id, DEMO.sam.id]
		);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 values ($1, $2, $3, 'I can meet you at the Quixotic Lane market on Saturday.', now() - interval '3 hours', now() + interval '30 days')`,
			[target, conversation.id, DEMO.sam.id]
		);
		// The newest is Sam's, so Sam has nothing unread.
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 select gen_random_uuid(), $1, case when g % 2 = 0 then $3::uuid else $2::uuid end, 'Filler ' || g,
			        now() - interval '2 hours' + g * interval '1 minute', now() + interval '30 days'
			   from generate_series(1, 80) g`,
			[conversation.id, DEMO.ana.id, DEMO.sam.id]
		);
		await db.query('commit');
	});

	const ana = await signedInPage(browser, 'ana');
	const search = ana.getByRole('searchbox', { name: 'Search messages' });

	// The middle of a word is not a match.
	await search.fill('xotic');
	await search.press('Enter');
	await expect(ana).toHaveURL('/messages?q=xotic');
	await expect(ana.getByText('No messages match.')).toBeVisible();
	// The focus stays in the search box (it fell to the page), to search again.
	await expect(search).toBeFocused();

	await search.fill('quix');
	await search.press('Enter');
	await expect(ana).toHaveURL('/messages?q=quix');
	const results = ana.getByRole('list', { name: 'Search results' });
	await expect(results.getByRole('link')).toHaveCount(1);
	const hit = results.getByRole('link');
	await expect(hit).toContainText('Sam Seller');
	await expect(hit).toContainText('Quixotic Lane market');
	await expect(hit).toHaveAttribute('href', `${threadUrl('sam', null)}#message-${target}`);

	await hydrated(ana);
	await hit.click();
	await expect(ana).toHaveURL(`${threadUrl('sam', null)}#message-${target}`);
	const found = ana.locator(`#message-${target}`);
	await expect(found).toBeInViewport();
	await expect(found).toHaveClass(/highlight/);
	await expect(found.locator('.bubble-body')).toHaveText('I can meet you at the Quixotic Lane market on Saturday.');
	// It took an older page: the newest messages are loaded too, below it.
	await expect(messageRow(ana, 'Filler 80')).toHaveCount(1);

	await ana.context().close();
});

test('an unsent draft survives a reload and a visit to the inbox, and goes once it is sent', async ({ browser }) => {
	// Ben and Lee about the bike. (The text was dropped by either, without a word.)
	const ben = await signedInPage(browser, 'ben');
	await openThread(ben, 'lee', PRODUCT.bike);
	const draft = 'Would you take 400 for the bike if I pick it up today?';
	await composer(ben).fill(draft);

	await ben.goto('/messages');
	await hydrated(ben);
	await expect(composer(ben)).toHaveCount(0);
	await openThread(ben, 'lee', PRODUCT.bike);
	await expect(composer(ben)).toHaveValue(draft);
	await ben.reload();
	await hydrated(ben);
	await expect(composer(ben)).toHaveValue(draft);
	// Another conversation has its own (empty) box.
	await openThread(ben, 'sam', PRODUCT.camera);
	await expect(composer(ben)).toHaveValue('');

	await openThread(ben, 'lee', PRODUCT.bike);
	await composer(ben).press('Enter');
	await expect(messageRow(ben, draft)).toHaveAttribute('data-status', 'sent');
	await ben.reload();
	await hydrated(ben);
	await expect(composer(ben)).toHaveValue('');
	await ben.context().close();
});

test('a draft and a send on its way are their writer’s: the next member on the tab never sees them, and the send never goes as them', async ({
	browser,
	baseURL
}) => {
	// Ben writes to Lee about the bike and signs out unsent; Ana signs in on the same tab and
	// opens her own conversation with Lee about the bike, whose key reads the same from her side.
	const ben = await signedInPage(browser, 'ben');
	await openThread(ben, 'lee', PRODUCT.bike);
	// A send that finds no connection waits in the browser, under Ben's id.
	const waiting = `Ben’s send on its way ${Date.now()}`;
	await ben.route((url) => url.search.endsWith('/send'), (route) => route.abort('internetdisconnected'));
	await composer(ben).fill(waiting);
	await composer(ben).press('Enter');
	await expect(messageRow(ben, waiting)).toContainText('Not sent yet: the server cannot be reached.');
	const sends = () => ben.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('bazaar-messaging:outbox:')));
	await expect.poll(sends).toEqual([expect.stringContaining(DEMO.ben.id)]);
	const secret = 'Ben’s unsent draft: call me on 0151 2345678';
	await composer(ben).fill(secret);
	const drafts = () => ben.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('bazaar-messaging:draft:')));
	await expect.poll(drafts).toHaveLength(1);
	await ben.getByRole('button', { name: 'Sign out' }).click();
	await expect(ben.getByRole('link', { name: 'Sign in' })).toBeVisible();
	await hydrated(ben);
	await expect.poll(drafts).toEqual([]);

	// Back online as Ana: Ben's send is forgotten, neither shown nor sent.
	await ben.unrouteAll();
	await signIn(ben, DEMO.ana.email, threadUrl('lee', PRODUCT.bike));
	await hydrated(ben);
	await expect(composer(ben)).toHaveValue('');
	await expect.poll(sends).toEqual([]);
	// Absence needs a moment to be meaningful: a send would leave as soon as the page started.
	await ben.waitForTimeout(500);
	await expect(messageRow(ben, waiting)).toHaveCount(0);
	const stored = await withDatabase(baseURL, (db) => db.query('select sender_id from public.messages where body = $1', [waiting]));
	expect(stored.rows).toEqual([]);
	await ben.context().close();
});

test('a reader at the bottom of a long thread stays there as the composer grows and as a failed send’s notice shows', async ({ browser, baseURL }) => {
	// A member made for this test writes Ben 25 times (a demo member would then meet the send
	// limit in the tests after this one); an error line under the composer then shrinks the
	// thread's box. (The newest message went under it, its time and "Seen" cut off.)
	const username = `scroller_${Date.now().toString(36)}`;
	await withDatabase(baseURL, (db) =>
		insertMember(db, { id: randomUUID(), email: `${username}@example.test`, username, name: 'Scroller' })
	);
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, `${username}@example.test`, '/messages');
	for (let i = 1; i <= 25; i++) await sendByAction(page, keyWith('ben', null), `Still thinking about it, note ${i}`);
	await page.goto(`/messages?conversation=${keyWith('ben', null)}`);
	await hydrated(page);
	const newest = messageRow(page, 'Still thinking about it, note 25');
	await expect(newest).toBeInViewport({ ratio: 1 });

	await composer(page).fill('x'.repeat(4001));
	await composer(page).press('Enter');
	await expect(page.getByRole('alert')).toHaveText('Messages can be at most 4000 characters; this one has 4001.');
	await expect(newest).toBeInViewport({ ratio: 1 });

	// The server out of reach: the send fails below the newest message, and its notice shows whole.
	// (It was cut off under the composer: the thread followed the new bubble, not what grew under it.)
	// The browser is online meanwhile, so the notice says the server cannot be reached (it said "no
	// connection ... once you are back online" to a member who was).
	await page.route((url) => url.search.endsWith('/send'), (route) => route.abort('connectionrefused'));
	await composer(page).fill('Are you still there?');
	await composer(page).press('Enter');
	const notice = messageRow(page, 'Are you still there?').locator('.bubble-failed');
	await expect(notice).toContainText('Not sent yet: the server cannot be reached. It goes by itself once it answers.');
	expect(await page.evaluate(() => navigator.onLine)).toBe(true);
	await expect(notice).toBeInViewport({ ratio: 1 });
	await context.close();
});

test('a blocked buyer cannot send; the seller unblocking lets him again', async ({ browser }) => {
	// Ben and Sam about the camera.
	const ben = await signedInPage(browser, 'ben');
	await openThread(ben, 'sam', PRODUCT.camera);
	await send(ben, 'Does the camera come with a lens?');

	const sam = await signedInPage(browser, 'sam');
	await openThread(sam, 'ben', PRODUCT.camera);
	await expect(messageRow(sam, 'Does the camera come with a lens?')).toBeVisible();

	try {
		await expect(ben.locator('.thread-who')).toContainText('Online');
		// Blocking asks first.
		const asked = new Promise<string>((resolve) => sam.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
		await conversationMenu(sam, 'Block Ben Buyer');
		expect(await asked).toBe('Block Ben Buyer? Neither of you can write to the other until you unblock them.');
		await expect(sam.getByText('You blocked Ben Buyer. Unblock them to send messages.')).toBeVisible();
		await expect(composer(sam)).toHaveCount(0);

		// Ben's open tab learns it live: the composer gives way to the notice, without a reload.
		await expect(ben.getByRole('status').filter({ hasText: 'Sam Seller is not accepting messages from you.' })).toBeVisible();
		await expect(composer(ben)).toHaveCount(0);
		// Nor is Sam shown online to him any more: no presence crosses a block.
		await expect(ben.locator('.thread-who')).not.toContainText('Online');
		// Nor does his message offer an edit, a reply or a reaction the server would refuse.
		const his = messageRow(ben, 'Does the camera come with a lens?');
		await expect(his.getByRole('button', { name: 'Delete this message' })).toBeVisible();
		for (const refused of ['Edit this message', 'Reply to this message', 'Add reaction']) await expect(his.getByRole('button', { name: refused })).toHaveCount(0);

		// A send that still gets through (a stale tab, a script) is refused by the server, and says why.
		const origin = new URL(ben.url()).origin;
		const refused = await ben.request.post(`/messages?conversation=${keyWith('sam', PRODUCT.camera)}&/send`, {
			form: { key: keyWith('sam', PRODUCT.camera), id: crypto.randomUUID(), body: 'Hello? Are you there?' },
			headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin }
		});
		expect(await refused.text()).toContain('This user is not accepting messages from you.');
		await expect(messageRow(sam, 'Hello? Are you there?')).toHaveCount(0);

		// Reloaded, his thread still says he cannot write, with no composer.
		await ben.reload();
		await hydrated(ben);
		await expect(ben.getByRole('status').filter({ hasText: 'Sam Seller is not accepting messages from you.' })).toBeVisible();
		await expect(composer(ben)).toHaveCount(0);
		// Nor is Sam shown online to him any more: no presence crosses a block.
		await expect(ben.locator('.thread-who')).not.toContainText('Online');

		// The notice that says how to write again has the way to do it, as the menu has.
		const notice = sam.getByRole('status').filter({ hasText: 'You blocked Ben Buyer. Unblock them to send messages.' });
		await notice.getByRole('button', { name: 'Unblock Ben Buyer' }).click();
		// Unblocked to write: the composer is back, with the focus.
		await expect(composer(sam)).toBeFocused();
		await expect(notice).toHaveCount(0);
		// And Ben's composer comes back live.
		await expect(composer(ben)).toBeVisible();
	} finally {
		// Never leave the block behind for the tests after this one.
		await callUnblock(sam, DEMO.ben.id);
	}

	await ben.reload();
	await hydrated(ben);
	await expect(ben.locator('.connection-state')).toHaveCount(0);
	await send(ben, 'Great, thanks for unblocking me.');
	// Sam, reading the thread, gets it live and has it marked read.
	await expect(messageRow(sam, 'Great, thanks for unblocking me.')).toBeVisible();
	await expect(sam.getByTestId('unread-total')).toHaveCount(0);

	await ben.context().close();
	await sam.context().close();
});

test('without JavaScript: sign in, send from the thread, and a too-long message shows the error and keeps the text', async ({ browser }) => {
	// Ana and Lee about the mugs.
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto(`/login?next=${encodeURIComponent(threadUrl('lee', PRODUCT.mugs))}`);
	await page.getByLabel('Email').fill(DEMO.ana.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(threadUrl('lee', PRODUCT.mugs));
	await expect(page.getByRole('heading', { level: 2, name: 'Lee Seller' })).toBeVisible();
	await expect(page.getByText('Ask Lee Seller about Ceramic mug set.')).toBeVisible();

	await composer(page).fill('Sent without JavaScript: are the mugs still there?');
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(messageRow(page, 'Sent without JavaScript: are the mugs still there?')).toHaveCount(1);
	await expect(composer(page)).toHaveValue('');
	await expect(page.getByRole('alert')).toHaveCount(0);
	// The reloaded page still is this thread.
	await expect(page.getByRole('heading', { level: 2, name: 'Lee Seller' })).toBeVisible();

	const tooLong = 'x'.repeat(4001);
	await composer(page).fill(tooLong);
	await page.getByRole('button', { name: 'Send' }).click();
	await expect(page.getByRole('alert')).toHaveText('Messages can be at most 4000 characters; this one has 4001.');
	await expect(composer(page)).toHaveValue(tooLong);
	await expect(messageList(page).locator('li[data-message-id]')).toHaveCount(1);

	// The first message was stored once.
	await page.goto(threadUrl('lee', PRODUCT.mugs));
	await expect(messageRow(page, 'Sent without JavaScript: are the mugs still there?')).toHaveCount(1);
	await context.close();
});

// A thread with what bubbles can show: a reply, an edited and a deleted message, and unread ones
// (Ana and Lee, their general conversation from the demo data). Fixed ids: written once for both runs.
const AXE_MESSAGES = [
	'c0000000-0000-4000-8000-000000000001',
	'c0000000-0000-4000-8000-000000000002',
	'c0000000-0000-4000-8000-000000000003',
	'c0000000-0000-4000-8000-000000000004'
];
async function arrangeAxeThread(baseURL: string | undefined) {
	await withDatabase(baseURL, async (db) => {
		const {
			rows: [conversation]
		} = await db.query<{ id: string }>(
			`select id from public.conversations where user_low = $1 and user_high = $2 and product_id is null`,
			[DEMO.ana.id, DEMO.lee.id]
		);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, created_at, edited_at, deleted_at, expires_at)
			 values ($4, $1, $2, 'Lovely! Are the new ones glazed too?', 'b0000000-0000-4000-8000-000000000004', now() - interval '50 minutes', null, null, now() + interval '30 days'),
			        ($5, $1, $2, '', null, now() - interval '45 minutes', null, now() - interval '44 minutes', now() + interval '30 days'),
			        ($6, $1, $3, 'Yes, a blue glaze this time.', null, now() - interval '30 minutes', now() - interval '20 minutes', null, now() + interval '30 days'),
			        ($7, $1, $3, 'They should be listed next week.', null, now() - interval '29 minutes', null, null, now() + interval '30 days')
			 on conflict (id) do nothing`,
			[conversation.id, DEMO.ana.id, DEMO.lee.id, ...AXE_MESSAGES]
		);
		// Ana has read up to her own messages, not Lee's two after them (again for the second run).
		await db.query(
			`update public.conversation_members set last_read_at = m.created_at, last_read_message_id = m.id, unread_count = 2
			   from public.messages m
			  where m.id = $3 and conversation_members.conversation_id = $1 and conversation_members.user_id = $2`,
			[conversation.id, DEMO.ana.id, AXE_MESSAGES[1]]
		);
	});
}

for (const colorScheme of ['light', 'dark'] as const) {
	test(`axe finds no accessibility violations on the product page, the inbox and a thread (${colorScheme})`, async ({
		browser,
		baseURL
	}) => {
		// Three full scans: about 23 s on a quiet machine.
		test.setTimeout(90_000);
		await arrangeAxeThread(baseURL);
		const page = await signedInPage(browser, 'ana', '/');
		await page.emulateMedia({ colorScheme });
		const scan = async (what: string) => {
			// A message's actions fade in and out as the pointer comes and goes: measured mid-fade,
			// their text is nearly the background's colour. Scanned once every transition has ended.
			await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
			const results = await new AxeBuilder({ page }).analyze();
			const found = results.violations.map((v) => ({
				what,
				rule: v.id,
				impact: v.impact,
				help: v.help,
				nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`)
			}));
			expect(found, JSON.stringify(found, null, 2)).toEqual([]);
			// The scan did look at colours (rather than finding nothing to check).
			expect(results.passes.map((rule) => rule.id)).toContain('color-contrast');
		};

		await page.goto(`/products/${PRODUCT.camera}`);
		await hydrated(page);
		await expect(page.getByRole('heading', { name: 'Vintage film camera' })).toBeVisible();
		await scan('product page');

		await page.goto('/messages');
		await hydrated(page);
		await expect(conversations(page).getByRole('link').first()).toBeVisible();
		await scan('inbox');

		await openThread(page, 'lee', null);
		await expect(messageRow(page, 'They should be listed next week.')).toBeVisible();
		await expect(page.locator(`#message-${AXE_MESSAGES[1]} .bubble-body`)).toHaveText('Message deleted');
		await expect(page.locator(`#message-${AXE_MESSAGES[2]}`).getByText('edited', { exact: true })).toBeVisible();
		await expect(page.locator(`#message-${AXE_MESSAGES[0]} .bubble-quote`)).toContainText('Lee Seller');
		// The "New messages" divider stays while the thread is open, though opening it marked it read.
		const divider = messageList(page).getByRole('listitem').filter({ hasText: 'New messages' });
		await expect(divider).toBeVisible();
		await expect(conversations(page).locator('a[aria-current="page"] .unread-badge')).toHaveCount(0);
		await expect(divider).toBeVisible();
		const order = await messageList(page).getByRole('listitem').evaluateAll((lis) => lis.map((li) => li.id || li.textContent?.trim()));
		expect(order.indexOf('New messages')).toBe(order.indexOf(`message-${AXE_MESSAGES[2]}`) - 1);
		await scan('thread');

		// With a reply being written, a message's actions shown and the menu open.
		await messageAction(messageRow(page, 'They should be listed next week.'), 'Reply to this message');
		await expect(page.locator('.composer-reply')).toBeVisible();
		await messageRow(page, 'They should be listed next week.').hover();
		await page.getByLabel('Conversation options').click();
		await expect(page.getByRole('button', { name: 'Block Lee Seller' })).toBeVisible();
		await scan('thread with reply and menu');

		await page.goto('/messages?q=glaze');
		await hydrated(page);
		await expect(page.getByRole('list', { name: 'Search results' })).toBeVisible();
		await scan('search results');

		await page.context().close();
	});
}

test('narrow screen: the inbox alone, a conversation alone with a way back', async ({ browser }) => {
	const lee = await signedInPage(browser, 'lee', '/messages', { viewport: { width: 375, height: 740 } });
	const list = conversations(lee);
	await expect(list).toBeVisible();
	await expect(lee.getByText('Choose a conversation to read it here.')).toBeHidden();
	const noSideways = () => lee.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
	expect(await noSideways()).toBe(true);

	// Ben about the bike (from the demo data).
	await list.getByRole('link', { name: /Road bike/ }).click();
	await expect(lee).toHaveURL(threadUrl('ben', PRODUCT.bike));
	await expect(lee.getByRole('heading', { level: 2, name: 'Ben Buyer' })).toBeVisible();
	await expect(messageRow(lee, 'Would you take 420 for the bike?')).toBeVisible();
	await expect(composer(lee)).toBeVisible();
	await expect(list).toBeHidden();
	const back = lee.getByRole('link', { name: 'Back to conversations' });
	await expect(back).toBeVisible();
	expect(await noSideways()).toBe(true);

	await back.click();
	await expect(lee).toHaveURL('/messages');
	await expect(list).toBeVisible();
	await expect(lee.getByRole('heading', { level: 2, name: 'Ben Buyer' })).toHaveCount(0);
	await expect(back).toHaveCount(0);

	await lee.context().close();
});

test('phone with its keyboard open: the composer and Send stay in the window; back keeps the filter', async ({ browser }) => {
	// 375 × 380: what a phone leaves above its keyboard (the page asks for the content to be resized).
	const lee = await signedInPage(browser, 'lee', '/messages?filter=needs_reply', { viewport: { width: 375, height: 380 }, hasTouch: true, isMobile: true });
	await lee.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Road bike/ }).tap();
	await expect(lee).toHaveURL(/conversation=.*filter=needs_reply|filter=needs_reply.*conversation=/);
	// The page fits the window: nothing to scroll to reach the composer (it was held at 480 px).
	expect(await lee.evaluate(() => document.documentElement.scrollHeight - window.innerHeight)).toBeLessThanOrEqual(0);
	await composer(lee).tap();
	await expect(composer(lee)).toBeInViewport({ ratio: 1 });
	await expect(lee.getByRole('button', { name: 'Send', exact: true })).toBeInViewport({ ratio: 1 });
	// "←" goes back to the list it came from, Needs reply, not to All.
	await lee.getByRole('link', { name: 'Back to conversations' }).tap();
	await expect(lee).toHaveURL('/messages?filter=needs_reply');
	await lee.context().close();
});

test('phone: Return makes a new line (a touch keyboard has no Shift+Enter), and Send sends both lines', async ({ browser, baseURL }) => {
	const { buyer, buyerUrl } = await buyersThread(baseURL);
	const context = await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
	const page = await context.newPage();
	await signIn(page, buyer.email, buyerUrl);
	await hydrated(page);
	await expect(page.getByText(/^Return for a new line/)).toBeVisible();
	const rows = messageList(page).locator('li[data-message-id]');
	const before = await rows.count();
	await composer(page).tap();
	await page.keyboard.type('Is it still available?');
	await page.keyboard.press('Enter');
	await page.keyboard.type('I could collect on Saturday.');
	await expect(composer(page)).toHaveValue('Is it still available?\nI could collect on Saturday.');
	await expect(rows).toHaveCount(before);
	await page.getByRole('button', { name: 'Send', exact: true }).tap();
	await expect(rows).toHaveCount(before + 1);
	await expect(rows.last()).toHaveAttribute('data-status', 'sent');
	await expect(rows.last().locator('.bubble-body')).toHaveText('Is it still available?\nI could collect on Saturday.');
	await context.close();
});

test('phone: the quick replies offer no keys a touch keyboard lacks; with a mouse and keyboard they say ↑ ↓ and Enter', async ({ browser, baseURL }) => {
	const { buyer, buyerUrl } = await buyersThread(baseURL);
	await withDatabase(baseURL, (db) => asMember(db, buyer.id, 'select public.save_quick_reply($1::uuid, $2::text)', [randomUUID(), 'Is it still available?']));
	for (const [device, shown] of [
		[{ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true }, false],
		[{ viewport: { width: 1280, height: 800 } }, true]
	] as const) {
		const context = await browser.newContext(device);
		const page = await context.newPage();
		await signIn(page, buyer.email, buyerUrl);
		await hydrated(page);
		await page.getByRole('button', { name: 'Quick replies' }).click();
		const popover = page.getByRole('dialog', { name: 'Quick replies' });
		await expect(popover.getByText('Is it still available?')).toBeVisible();
		if (shown) await expect(popover.getByText('↑ ↓ to choose, Enter to insert')).toBeVisible();
		else await expect(popover.getByText('↑ ↓ to choose, Enter to insert')).toBeHidden();
		await context.close();
	}
});

test("a digest's link followed while signed in as another member opens nothing to write in, and says whose it is", async ({ browser }) => {
	// Ben's digest links to his conversation with Lee about the bike, addressed to him.
	const link = `${threadUrl('lee', PRODUCT.bike)}&for=${DEMO.ben.id}`;
	const sam = await signedInPage(browser, 'sam', link);
	await expect(sam.getByRole('alert')).toHaveText('This link was sent to another account: sign out, then sign in as them to open it.');
	await expect(composer(sam)).toHaveCount(0);
	await expect(sam.getByRole('heading', { level: 2, name: 'Lee Seller' })).toHaveCount(0);
	await sam.context().close();
	const ben = await signedInPage(browser, 'ben', link);
	await expect(ben.getByRole('heading', { level: 2, name: 'Lee Seller' })).toBeVisible();
	await expect(composer(ben)).toBeVisible();
	await ben.context().close();
});

test('a conversation clicked on a slow network says at once that it is opening, on a phone too', async ({ browser }) => {
	for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
		const lee = await signedInPage(browser, 'lee', '/messages', { viewport });
		await lee.route('**/__data.json**', async (route) => {
			await new Promise((resolve) => setTimeout(resolve, 1500));
			await route.continue();
		});
		await conversations(lee).getByRole('link', { name: /Road bike/ }).click();
		await expect(lee.getByRole('status').filter({ hasText: 'Opening the conversation…' })).toBeVisible();
		await expect(lee.getByRole('heading', { level: 2, name: 'Ben Buyer' })).toBeVisible();
		await expect(lee.getByText('Opening the conversation…')).toHaveCount(0);
		await lee.context().close();
	}
});

test('marked unread in one window, a conversation open in another of the same member stays unread until something new comes', async ({
	browser,
	baseURL
}) => {
	const { buyer, seller, product, buyerUrl } = await buyersThread(baseURL);
	const context = await browser.newContext();
	const [a, b] = [await context.newPage(), await context.newPage()];
	await signIn(a, buyer.email, buyerUrl);
	await hydrated(a);
	await b.goto(buyerUrl);
	await hydrated(b);
	const row = (page: Page) => conversations(page).locator(`a[data-conversation-key="${seller.id}__${product}"]`);
	await expect(row(a)).not.toContainText('unread');
	await conversationMenu(a, 'Mark as unread');
	await expect(a).toHaveURL('/messages');
	await expect(row(a)).toContainText('1 unread');
	// Window B, still showing the conversation, does not read it back (it did, at once).
	await expect(row(b)).toContainText('1 unread');
	await a.waitForTimeout(1000);
	await expect(row(a)).toContainText('1 unread');
	// Something new, seen in B where it is open: read there, as any arrival is.
	const sellersPage = await context.browser()!.newContext().then((c) => c.newPage());
	await signIn(sellersPage, seller.email, '/');
	await sendByAction(sellersPage, `${buyer.id}__${product}`, 'Saturday at 11 works too.');
	await expect(messageRow(b, 'Saturday at 11 works too.')).toBeVisible();
	await expect(row(a)).not.toContainText('unread');
	await sellersPage.context().close();
	await context.close();
});

test('phone: a message shows its actions once tapped, not every message all the time', async ({ browser }) => {
	const lee = await signedInPage(browser, 'lee', threadUrl('ben', PRODUCT.bike), { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
	const row = messageRow(lee, 'Would you take 420 for the bike?');
	await expect(row).toBeVisible();
	// Folded away: no height, nothing to see (every message's Reply and Report filled the thread).
	const actionsHeight = () => row.locator('.bubble-actions').evaluate((el) => el.getBoundingClientRect().height);
	expect(await actionsHeight()).toBe(0);
	await row.locator('.bubble').tap();
	await expect.poll(actionsHeight).toBeGreaterThan(0);
	await row.getByRole('button', { name: 'Reply to this message' }).tap();
	await expect(lee.getByText(/^Replying to/)).toBeVisible();
	await lee.context().close();
});

test('keyboard only: Tab to a conversation, Enter opens it, Enter sends, Shift+Enter makes a new line', async ({ browser }) => {
	// Ben and Lee about the desk lamp.
	const ben = await signedInPage(browser, 'ben', '/');
	await sendByAction(ben, keyWith('lee', PRODUCT.lamp), 'Hi Lee, is the lamp shade linen?');
	await ben.goto('/messages');
	await hydrated(ben);

	const focused = () => ben.evaluate(() => {
		const el = document.activeElement as HTMLElement | null;
		return { tag: el?.tagName ?? '', id: el?.id ?? '', href: el?.getAttribute('href') ?? '', text: el?.textContent ?? '' };
	});
	const tabUntil = async (done: (el: Awaited<ReturnType<typeof focused>>) => boolean, limit = 40) => {
		for (let i = 0; i < limit; i++) {
			await ben.keyboard.press('Tab');
			if (done(await focused())) return;
		}
		throw new Error(`Not reached with ${limit} presses of Tab; focus is on ${JSON.stringify(await focused())}`);
	};

	const lampLink = conversations(ben).getByRole('link').filter({ hasText: 'Oak desk lamp' });
	await tabUntil((el) => el.href === threadUrl('lee', PRODUCT.lamp));
	await expect(lampLink).toBeFocused();
	await ben.keyboard.press('Enter');
	await expect(ben).toHaveURL(threadUrl('lee', PRODUCT.lamp));
	await expect(messageRow(ben, 'Hi Lee, is the lamp shade linen?')).toBeVisible();
	await expect(ben.locator('.connection-state')).toHaveCount(0);

	await tabUntil((el) => el.id === 'composer-body');
	await expect(composer(ben)).toBeFocused();
	await ben.keyboard.type('First line');
	await ben.keyboard.press('Shift+Enter');
	await ben.keyboard.type('Second line');
	await expect(composer(ben)).toHaveValue('First line\nSecond line');
	await expect(messageRow(ben, 'First line')).toHaveCount(0);
	await ben.keyboard.press('Enter');

	const sent = messageList(ben).locator('li[data-status="sent"]', { hasText: 'Second line' });
	await expect(sent).toHaveCount(1);
	expect(await sent.locator('.bubble-body').evaluate((p) => (p as HTMLElement).innerText)).toBe('First line\nSecond line');
	await expect(composer(ben)).toHaveValue('');
	await expect(composer(ben)).toBeFocused();

	await ben.context().close();
});

test('unknown or foreign conversations are 404 pages; a malformed key is a clear 400 page; never a stack trace', async ({
	browser,
	baseURL
}) => {
	const ana = await signedInPage(browser, 'ana', '/');
	const expectCleanErrorPage = async (url: string, status: number, heading: string, message: string) => {
		const response = await ana.goto(url);
		expect(response?.status(), url).toBe(status);
		await expect(ana.getByRole('heading', { level: 1, name: heading })).toBeVisible();
		await expect(ana.getByText(message, { exact: true })).toBeVisible();
		await expect(ana.getByRole('link', { name: 'Back to the marketplace' })).toBeVisible();
		const text = await ana.locator('body').innerText();
		expect(text).not.toMatch(/\bat .+:\d+|node_modules|Error:|BZ001|SQLSTATE|stack/i);
	};

	// Someone who does not exist.
	await expectCleanErrorPage(`/messages?conversation=${randomUUID()}__general`, 404, 'Not found', 'This user does not exist.');
	// A product whose seller is neither side (the camera is Sam's; Ana and Lee cannot talk about it).
	await expectCleanErrorPage(
		threadUrl('lee', PRODUCT.camera),
		404,
		'Not found',
		"Lee Seller does not sell this listing: message its seller from the listing's page."
	);
	// A product that does not exist.
	await expectCleanErrorPage(`/messages?conversation=${DEMO.lee.id}__${randomUUID()}`, 404, 'Not found', 'This product does not exist.');
	// Oneself.
	await expectCleanErrorPage(`/messages?conversation=${DEMO.ana.id}__general`, 404, 'Not found', 'You can’t message yourself.');
	// Malformed keys.
	for (const key of ['not-a-key', `${DEMO.lee.id}__`, `${DEMO.lee.id}__${PRODUCT.lamp}__extra`, '%27%3B--']) {
		await expectCleanErrorPage(`/messages?conversation=${key}`, 400, 'That link is not valid', 'This conversation link is not valid.');
	}

	// Someone else's conversation (Ben and Lee about the bike) is not found through the history endpoint either.
	const bike = await withDatabase(baseURL, async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`select id from public.conversations where user_low = $1 and user_high = $2 and product_id = $3`,
			[DEMO.ben.id, DEMO.lee.id, PRODUCT.bike]
		);
		return rows[0].id;
	});
	const foreign = await ana.request.get(`/messages/history?conversation_id=${bike}`);
	expect(foreign.status()).toBe(404);
	expect(await foreign.json()).toEqual({ message: 'This conversation does not exist or you are not part of it.' });
	const malformed = await ana.request.get('/messages/history?conversation_id=nope');
	expect(malformed.status()).toBe(400);
	expect(await malformed.json()).toEqual({ message: 'conversation_id must be a conversation id.' });

	// A send to a malformed key is refused with the same words, not an error page.
	const origin = new URL(ana.url()).origin;
	const refused = await ana.request.post('/messages?/send', {
		form: { key: 'not-a-key', id: randomUUID(), body: 'hello' },
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin }
	});
	const result = (await refused.json()) as { type: string; status: number; data: string };
	expect(result.type).toBe('failure');
	expect(result.status).toBe(400);
	expect(result.data).toContain('This conversation link is not valid.');

	await ana.context().close();
});

test('mute and unmute: the inbox says "Muted" and the menu offers "Unmute", after a reload too, and unmuting undoes both', async ({ browser }) => {
	const ana = await signedInPage(browser, 'ana');
	await sendByAction(ana, keyWith('lee', null), 'Hello Lee, a general question.');
	await openThread(ana, 'lee', null);
	const general = conversations(ana).locator(`a[data-conversation-key="${keyWith('lee', null)}"]`);
	await expect(general).not.toContainText('Muted');

	await conversationMenu(ana, 'Mute');
	await expect(general).toContainText('Muted');
	// Nothing else in view changes: it is said, as archiving is.
	await expect(ana.locator('.thread [aria-live="polite"]')).toHaveText('Conversation muted: no notifications or emails for it.');
	await ana.reload();
	await hydrated(ana);
	await expect(general).toContainText('Muted');
	await conversationMenu(ana, 'Unmute');
	await expect(general).not.toContainText('Muted');
	await expect(ana.locator('.thread [aria-live="polite"]')).toHaveText('Conversation unmuted.');
	await ana.reload();
	await hydrated(ana);
	await expect(general).not.toContainText('Muted');
	await ana.getByLabel('Conversation options').click();
	await expect(ana.locator('details.thread-menu').getByRole('button', { name: 'Mute', exact: true })).toBeVisible();

	// By keyboard: Escape closes the menu, and after choosing an item focus is back on the menu's
	// button (it was on the page itself, the chosen item hidden with the menu).
	const options = ana.getByLabel('Conversation options');
	const menuOpen = () => ana.locator('details.thread-menu').evaluate((details) => (details as HTMLDetailsElement).open);
	await ana.keyboard.press('Escape');
	expect(await menuOpen()).toBe(false);
	await expect(options).toBeFocused();
	await ana.keyboard.press('Enter');
	expect(await menuOpen()).toBe(true);
	await ana.locator('details.thread-menu').getByRole('button', { name: 'Mute', exact: true }).focus();
	await ana.keyboard.press('Enter');
	await expect(general).toContainText('Muted');
	await expect(options).toBeFocused();
	expect(await menuOpen()).toBe(false);
	await conversationMenu(ana, 'Unmute');
	await expect(general).not.toContainText('Muted');
	await ana.context().close();
});

test('opening another conversation announces nothing; a message arriving in the open one is announced', async ({ browser }) => {
	const lee = await signedInPage(browser, 'lee');
	await sendByAction(lee, keyWith('ana', null), 'General news from Lee.');
	await sendByAction(lee, keyWith('ana', PRODUCT.lamp), 'The lamp shade is linen.');
	const ana = await signedInPage(browser, 'ana');
	await openThread(ana, 'lee', null);
	const liveRegion = ana.locator('.thread [aria-live="polite"]');
	await expect(liveRegion).toHaveText('');

	await conversations(ana).locator(`a[data-conversation-key="${keyWith('lee', PRODUCT.lamp)}"]`).click();
	await expect(messageRow(ana, 'The lamp shade is linen.')).toBeVisible();
	await expect(ana.locator('.connection-state')).toHaveCount(0);
	await expect(liveRegion).toHaveText('');

	await sendByAction(lee, keyWith('ana', PRODUCT.lamp), 'It dims, too.');
	await expect(liveRegion).toHaveText('Lee Seller: It dims, too.');
	await lee.context().close();
	await ana.context().close();
});
