import { fileURLToPath } from 'node:url';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { expect, test, type Page } from './fixtures';
import { DEMO, hydrated, signIn } from './session';

// Ben and Lee about the bike (from the seed); Lee's unread count there is nobody's concern.
const BIKE = 'a0000000-0000-4000-8000-000000000004';
const EMPTY = 'Write a message or attach a photo before sending.';
const shelf = fileURLToPath(new URL('../fixtures/photos/shelf.png', import.meta.url));

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const composerError = (page: Page) => page.locator('form.composer').getByRole('alert');
const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const isSend = (url: URL) => url.search.endsWith('/send');

test('the composer says "write or attach" for blank or invisible text and takes it back once a photo is attached, an Enter pressed again while sending says nothing, and a reload loses no send on its way', async ({
	page,
	baseURL
}) => {
	await signIn(page, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${BIKE}`);
	await hydrated(page);

	// Nothing to send: said so. Zero-width characters alone are nothing too, as the server judges
	// them. (They went, and came back as a "Not sent" bubble that could never be sent.)
	await composer(page).press('Enter');
	await expect(composerError(page)).toHaveText(EMPTY);
	for (const invisible of ['\u200B\u2060\u200B', '\u200B\u200B\u200D\uFEFF']) {
		await composer(page).fill(invisible);
		await composer(page).press('Enter');
		await expect(composerError(page)).toHaveText(EMPTY);
	}
	await expect(thread(page).locator('li[data-status="failed"]')).toHaveCount(0);
	// A photo attached makes it untrue: it goes, without a keystroke in the text.
	await page.getByLabel('Attach photos').setInputFiles(shelf);
	await expect(page.getByRole('list', { name: 'Photos to send' }).getByText('Ready')).toHaveCount(1);
	await expect(composerError(page)).toHaveCount(0);
	await composer(page).press('Enter');
	await expect(thread(page).locator('li[data-status="sent"]').last().locator('img')).toHaveCount(1);

	// A slow network: the send is still on its way when Enter and Send are pressed again.
	let release = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route(isSend, async (route) => {
		await held;
		await route.continue();
	});
	const text = `Is the saddle original? ${Date.now()}`;
	await composer(page).fill(text);
	await composer(page).press('Enter');
	await expect(thread(page).locator('li[data-status="sending"]', { hasText: text })).toHaveCount(1);
	await composer(page).press('Enter');
	await composer(page).press('Enter');
	await page.getByRole('button', { name: 'Send', exact: true }).click();
	// Absence needs a moment to be meaningful: the error, if any, renders right after the submit.
	await page.waitForTimeout(300);
	await expect(composerError(page)).toHaveCount(0);
	release();
	await expect(thread(page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
	await expect(composerError(page)).toHaveCount(0);
	await expect(thread(page).locator('li[data-status="failed"]')).toHaveCount(0);

	// The page reloads while two sends are on their way: the server stored one and its answer never
	// came back; the other never reached it. Both show again, once each, in order, the second goes
	// by itself, and the server has each once. (The second was lost for good: not in the thread,
	// never sent, the composer empty, nothing said.)
	await page.unrouteAll();
	const stamp = Date.now();
	const answerLost = `Stored, but the answer was lost ${stamp}`;
	const neverArrived = `held request C ${stamp}`;
	let holding = true;
	let caught = 0;
	await page.route(isSend, async (route) => {
		if (!holding) return route.continue();
		// The first reaches the server; neither answer reaches the page, which goes first.
		if (++caught === 1) await route.fetch();
	});
	for (const text of [answerLost, neverArrived]) {
		await composer(page).fill(text);
		await composer(page).press('Enter');
		// The first may be confirmed by its echo on the stream meanwhile.
		await expect(thread(page).locator('li[data-message-id]', { hasText: text })).toHaveCount(1);
	}
	await expect(thread(page).locator('li[data-status="sending"]', { hasText: neverArrived })).toHaveCount(1);
	const stored = (text: string) =>
		withDatabase(baseURL, async (db) => (await db.query<{ n: number }>('select count(*)::int as n from public.messages where body = $1', [text])).rows[0].n);
	await expect.poll(() => stored(answerLost)).toBe(1);
	expect(await stored(neverArrived)).toBe(0);
	holding = false;
	await page.reload();
	await hydrated(page);
	for (const text of [answerLost, neverArrived]) {
		await expect(thread(page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
		await expect(thread(page).locator('li[data-message-id]', { hasText: text })).toHaveCount(1);
	}
	const bodies = await thread(page).locator('li[data-message-id] .bubble-body').allTextContents();
	expect(bodies.slice(-2)).toEqual([answerLost, neverArrived]);
	expect([await stored(answerLost), await stored(neverArrived)]).toEqual([1, 1]);
	// Nothing is left to send again.
	const kept = () => page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('bazaar-messaging:outbox:')));
	await expect.poll(kept).toEqual([]);
});

test('a send another tab left on its way goes from the member’s other open tab, once, without a navigation there', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const threadUrl = `/messages?conversation=${DEMO.lee.id}__${BIKE}`;
	const context = await browser.newContext();
	const [a, b] = [await context.newPage(), await context.newPage()];
	await signIn(b, DEMO.ben.email, threadUrl);
	await hydrated(b);
	await a.goto(threadUrl);
	await hydrated(a);
	// Tab A alone cannot reach the server: its sends wait there, kept in the browser.
	await a.route(isSend, (route) => route.abort('internetdisconnected'));
	const stored = (text: string) =>
		withDatabase(baseURL, async (db) => (await db.query<{ n: number }>('select count(*)::int as n from public.messages where body = $1', [text])).rows[0].n);
	const shown = (page: Page, text: string, status = 'sent') => thread(page).locator(`li[data-status="${status}"]`, { hasText: text });
	const kept = () => b.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('bazaar-messaging:outbox:')));
	const url = b.url();

	// Tab A still open and retrying its own: B sends it too, the server stores it once, and each tab shows it once.
	const retried = `Sent from a tab still retrying ${Date.now()}`;
	await composer(a).fill(retried);
	await composer(a).press('Enter');
	await expect(shown(a, retried, 'failed')).toContainText('Not sent yet: the server cannot be reached.');
	await expect.poll(() => stored(retried), { timeout: 15_000 }).toBe(1);
	for (const page of [a, b]) {
		await expect(shown(page, retried)).toHaveCount(1);
		await expect(thread(page).locator('li[data-message-id]', { hasText: retried })).toHaveCount(1);
	}

	// Tab A closed before its send went: B, never navigated, sends it.
	const left = `Left by a closed tab ${Date.now()}`;
	await composer(a).fill(left);
	await composer(a).press('Enter');
	await expect(shown(a, left, 'failed')).toContainText('Not sent yet: the server cannot be reached.');
	await a.close();
	await expect.poll(() => stored(left), { timeout: 15_000 }).toBe(1);
	await expect(shown(b, left)).toHaveCount(1);
	await expect(thread(b).locator('li[data-message-id]', { hasText: left })).toHaveCount(1);
	await expect.poll(kept).toEqual([]);
	// A while later it is still stored once.
	await b.waitForTimeout(6_000);
	expect([await stored(retried), await stored(left)]).toEqual([1, 1]);
	expect(b.url()).toBe(url);
	await context.close();
});

test('over the send limit a message waits and goes by itself once the minute allows; one written after it waits behind it, and they arrive in the order written', async ({
	page,
	baseURL
}) => {
	test.setTimeout(60_000);
	const fresh = await buyersThread(baseURL);
	// Thirty sends in the last minute: the limit the site keeps.
	const conversation = await withDatabase(baseURL, async (db) => {
		const { rows } = await db.query<{ id: string; limit: number }>(
			`select c.id, s.rate_limit_per_minute as limit from public.conversations c, public.messaging_settings s where c.product_id = $1`,
			[fresh.product]
		);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 select gen_random_uuid(), $1, $2, 'Quick one ' || n, now() - interval '10 seconds', now() + interval '30 days' from generate_series(1, $3) n`,
			[rows[0].id, fresh.buyer.id, rows[0].limit]
		);
		return rows[0].id;
	});
	await signIn(page, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(page);
	const waiting = 'Not sent yet: you are sending messages faster than the site allows. It goes by itself within a minute, in the order you wrote.';
	for (const text of ['Over the limit', 'Written after it']) {
		await composer(page).fill(text);
		await composer(page).press('Enter');
		await expect(thread(page).locator('li[data-status="failed"]', { hasText: text }).getByRole('alert')).toContainText(waiting);
	}

	// The minute moves on (as if it had passed): both go by themselves, the earlier first.
	await withDatabase(baseURL, (db) => db.query(`update public.messages set created_at = now() - interval '2 minutes' where conversation_id = $1 and body like 'Quick one %'`, [conversation]));
	await expect(thread(page).locator('li[data-status="sent"]', { hasText: /Over the limit|Written after it/ })).toHaveCount(2, { timeout: 15_000 });
	const order = await withDatabase(baseURL, (db) =>
		db.query<{ body: string }>(`select body from public.messages where conversation_id = $1 order by created_at desc, id desc limit 2`, [conversation])
	);
	expect(order.rows.map((row) => row.body)).toEqual(['Written after it', 'Over the limit']);
});

test('a send refused for good can be deleted (it was never stored), and stays gone after a reload; one that goes by itself cannot', async ({ page, baseURL }) => {
	const fresh = await buyersThread(baseURL);
	await signIn(page, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(page);
	await page.route(isSend, (route) => route.abort('internetdisconnected'));
	const words = `Refused for good ${Date.now()}`;
	await composer(page).fill(words);
	await composer(page).press('Enter');
	const row = thread(page).locator('li[data-message-id]', { hasText: words });
	const remove = row.getByRole('button', { name: 'Delete this unsent message' });
	await expect(row.locator('.bubble-failed')).toContainText('Not sent yet: the server cannot be reached.');
	await expect(remove).toHaveCount(0);

	// The seller blocks the buyer meanwhile: let through, the send is refused, and stays until deleted.
	await withDatabase(baseURL, async (db) => {
		await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: fresh.seller.id, role: 'authenticated' })]);
		await db.query('select public.block_user($1)', [fresh.buyer.id]);
		await db.query(`select set_config('request.jwt.claims', '', false)`);
	});
	await page.unroute(isSend);
	await row.getByRole('button', { name: 'Send now' }).click();
	await expect(row.locator('.bubble-failed')).toContainText(/^\s*Not sent: /);
	await remove.click();
	await expect(row).toHaveCount(0);
	await page.reload();
	await hydrated(page);
	await expect(thread(page).locator('li[data-message-id]', { hasText: words })).toHaveCount(0);
	const stored = await withDatabase(baseURL, (db) => db.query('select count(*)::int as n from public.messages where body = $1', [words]));
	expect(stored.rows[0].n).toBe(0);
});

test('a send with no answer for a few seconds says it is still sending, then shows as sent', async ({ page, baseURL }) => {
	const fresh = await buyersThread(baseURL);
	await signIn(page, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(page);
	await page.route(isSend, async (route) => {
		await new Promise((done) => setTimeout(done, 6_000));
		await route.continue();
	});
	const words = `Slow to answer ${Date.now()}`;
	await composer(page).fill(words);
	await composer(page).press('Enter');
	const row = thread(page).locator('li[data-message-id]', { hasText: words });
	const status = row.locator('.bubble-meta .status');
	await expect(status).toHaveText('Sending…');
	await expect(status).toHaveText('Still sending…', { timeout: 5_000 });
	await expect(row).toHaveAttribute('data-status', 'sent', { timeout: 15_000 });
	await expect(status).toHaveCount(0);
});
