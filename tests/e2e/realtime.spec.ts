import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from './fixtures';
import { DEMO, hydrated, signIn } from './session';
import { withDatabase } from './database';
import { asMember } from './fresh-deal';
import { buyersThread } from './fresh-thread';

const RECORD_PLAYER = 'a0000000-0000-4000-8000-000000000003';

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });

async function send(page: Page, text: string) {
	await composer(page).fill(text);
	await composer(page).press('Enter');
	await expect(thread(page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
}

test('a buyer’s first message reaches the seller’s inbox live, the reply reaches the buyer live, and nothing is lost offline', async ({
	browser
}) => {
	const anaContext = await browser.newContext();
	const samContext = await browser.newContext();
	const ana = await anaContext.newPage();
	const sam = await samContext.newPage();
	await signIn(sam, DEMO.sam.email, '/messages');
	await hydrated(sam);
	await expect(sam.getByTestId('unread-total')).toHaveCount(0);

	// Ana starts the conversation from the product page's deep link.
	await signIn(ana, DEMO.ana.email, `/products/${RECORD_PLAYER}`);
	await hydrated(ana);
	await ana.getByRole('link', { name: 'Message seller' }).click();
	await expect(ana).toHaveURL(`/messages?conversation=${DEMO.sam.id}__${RECORD_PLAYER}`);
	await hydrated(ana);
	await expect(ana.getByText('Ask Sam Seller about Record player.')).toBeVisible();
	await send(ana, 'Hi! Is the record player still available?');

	// Sam's inbox shows the new conversation and the unread badges without a reload.
	const preview = sam.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Record player/ });
	await expect(preview).toContainText('Hi! Is the record player still available?');
	await expect(preview).toContainText('1 unread');
	await expect(sam.getByTestId('unread-total')).toHaveText('1 unread');

	// Opening it marks it read; Ana sees "Seen" under her message.
	await preview.click();
	await expect(thread(sam).getByText('Hi! Is the record player still available?')).toBeVisible();
	await expect(sam.getByTestId('unread-total')).toHaveCount(0);
	await expect(thread(ana).locator('li', { hasText: 'Hi! Is the record player still available?' }).getByText('Seen', { exact: true })).toBeVisible();

	// Sam replies; Ana sees it live.
	await hydrated(sam);
	await send(sam, 'Yes, it is! Want to come and try it?');
	await expect(thread(ana).getByText('Yes, it is! Want to come and try it?')).toBeVisible();

	// Ana goes offline while Sam keeps writing; back online, she has every message exactly once.
	// Offline, her thread no longer claims Sam is online: it cannot know (it said "Online" throughout).
	const samStatus = ana.locator('.thread-header .thread-who');
	await expect(samStatus).toContainText('Online');
	await anaContext.setOffline(true);
	await expect(ana.locator('.connection-state')).toContainText('offline');
	await expect(samStatus).not.toContainText('Online');
	const whileOffline = ['First while you were away', 'Second while you were away', 'Third while you were away'];
	for (const text of whileOffline) await send(sam, text);
	// What she writes meanwhile waits, and goes by itself once she is back: in order, once each.
	// (It stayed "Not sent" until she pressed Retry on each, and a reload lost it.)
	const mineOffline = ['Sorry, my train went into a tunnel', 'Still keen!'];
	for (const text of mineOffline) {
		await composer(ana).fill(text);
		await composer(ana).press('Enter');
		await expect(thread(ana).locator('li[data-status="failed"]', { hasText: text })).toContainText('It goes by itself once you are back online.');
	}
	await anaContext.setOffline(false);
	for (const text of whileOffline) await expect(thread(ana).locator('li[data-message-id]', { hasText: text })).toHaveCount(1);
	for (const text of mineOffline) {
		await expect(thread(ana).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
		await expect(thread(sam).locator('li[data-message-id]', { hasText: text })).toHaveCount(1);
	}
	await expect(ana.locator('.connection-state')).toHaveCount(0);
	await expect(samStatus).toContainText('Online');
	const bodies = await thread(ana).locator('li[data-message-id] .bubble-body').allTextContents();
	expect(bodies).toEqual([
		'Hi! Is the record player still available?',
		'Yes, it is! Want to come and try it?',
		...whileOffline,
		...mineOffline
	]);

	await anaContext.close();
	await samContext.close();
});

test('a thread shows the other member online when they already were as it opened, and last seen once they leave', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	// Two members of this test's own: a demo member another spec has signed in meanwhile stays online.
	const thread = await buyersThread(baseURL);
	// The seller (`lee` below) is on the conversation first, and stays on his page; the buyer is `ana`.
	const leeContext = await browser.newContext();
	const lee = await leeContext.newPage();
	await signIn(lee, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`);
	await hydrated(lee);

	// Lee was online before Ana came: the stream only says when someone comes or goes, so her
	// thread showed "@lee" until he reconnected. Her thread opens as she signs in, before her stream connects.
	const anaContext = await browser.newContext();
	const ana = await anaContext.newPage();
	await signIn(ana, thread.buyer.email, thread.buyerUrl);
	const status = ana.locator('.thread-header .thread-who');
	await expect(status).toContainText('Online');

	// Ana starts writing: Lee sees it. She clears her text: it goes at once, not when it would have
	// run out 5 s later (it lingered so, as if she were still writing).
	await hydrated(ana);
	const typing = lee.locator('.thread-header').getByText(`${thread.buyer.name} is typing…`);
	await composer(ana).pressSequentially('Are they');
	await expect(typing).toBeVisible();
	await composer(ana).fill('');
	await expect(typing).toHaveCount(0, { timeout: 2_000 });
	// The same when she leaves the page while writing (a reload here).
	await composer(ana).pressSequentially('Still');
	await expect(typing).toBeVisible();
	await ana.reload();
	await expect(typing).toHaveCount(0, { timeout: 2_000 });

	await leeContext.close();
	await expect(status).toContainText('Last seen');
	await anaContext.close();
});

/**
 * With the database hung (here: a lock every send waits on) and the app server up, a send failed
 * after the server's query timeout saying "Not sent: Messages are unavailable right now;
 * retrying." beside a Retry it needed: it never went by itself. And the thread went on saying the
 * seller was "Online", though the server could relay nothing (nor anyone leaving). Now the send
 * waits, saying so, and goes by itself once the database is back; meanwhile the feed counts as
 * down, so no presence is claimed. An inbox loaded meanwhile said "Try again in a moment" on the
 * page that reloads by itself; it says so now.
 */
test('with the database hung, a send waits saying why and goes by itself once it is back; the thread claims no one online meanwhile', async ({ browser, baseURL }) => {
	test.setTimeout(120_000);
	const fresh = await buyersThread(baseURL);
	const sellerContext = await browser.newContext();
	const seller = await sellerContext.newPage();
	await signIn(seller, fresh.seller.email, `/messages?conversation=${fresh.buyer.id}__${fresh.product}`);
	await hydrated(seller);
	const buyerContext = await browser.newContext();
	const buyer = await buyerContext.newPage();
	await signIn(buyer, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(buyer);
	const status = buyer.locator('.thread-header .thread-who');
	await expect(status).toContainText('Online');

	const words = `Sent while the database hangs ${Date.now()}`;
	const row = thread(buyer).locator('li[data-message-id]', { hasText: words });
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		await db.query('lock table public.messages in access exclusive mode');
		try {
			await composer(buyer).fill(words);
			await composer(buyer).press('Enter');
			// The server gives up after its query timeout (15 s).
			const notice = row.locator('.bubble-failed');
			await expect(notice).toHaveText(/^\s*Not sent yet: messages are unavailable right now\. It goes by itself once they are back\.\s*Send now\s*$/, { timeout: 30_000 });
			await expect(notice).not.toContainText('retrying');
			await expect(status).not.toContainText('Online');
			await expect(buyer.locator('.connection-state')).toHaveText('Reconnecting…');
			// The seller loads her inbox meanwhile (its rows hung too): the page that tries again by
			// itself says so, not the messaging sentence ("Try again in a moment") of the call that gave up.
			await db.query('lock table public.conversation_members in access exclusive mode');
			await seller.goto('/messages', { waitUntil: 'commit' });
			await expect(seller.getByRole('heading', { name: 'Back in a moment' })).toBeVisible({ timeout: 30_000 });
			await expect(seller.getByText('Bazaar is unavailable right now. This page tries again by itself.')).toBeVisible();
		} finally {
			await db.query('rollback');
		}
	});

	// Back: it goes by itself, once, and the seller gets it; the feed is live and says who is online again.
	await expect(thread(buyer).locator('li[data-status="sent"]', { hasText: words })).toHaveCount(1, { timeout: 45_000 });
	// The seller's inbox came back by itself; the message is in the thread she opens from it.
	await expect(seller.getByRole('heading', { name: 'Messages', level: 1 })).toBeVisible({ timeout: 45_000 });
	await seller.goto(`/messages?conversation=${fresh.buyer.id}__${fresh.product}`);
	await expect(thread(seller).locator('li[data-message-id]', { hasText: words })).toHaveCount(1, { timeout: 30_000 });
	await expect(buyer.locator('.connection-state')).toHaveCount(0, { timeout: 30_000 });
	await expect(status).toContainText('Online');
	const stored = await withDatabase(baseURL, (db) => db.query('select count(*)::int as n from public.messages where body = $1', [words]));
	expect(stored.rows[0].n).toBe(1);
	await buyerContext.close();
	await sellerContext.close();
});

test('a listing’s page that loads again after a message about it keeps the tab’s one feed: it does not open another', async ({ browser, baseURL }) => {
	const { buyer, seller, product } = await buyersThread(baseURL);
	const context = await browser.newContext();
	try {
		const page = await context.newPage();
		const streams: string[] = [];
		page.on('request', (request) => {
			if (new URL(request.url()).pathname === '/messages/stream') streams.push(request.url());
		});
		await signIn(page, buyer.email, `/products/${product}`);
		await hydrated(page);
		await expect.poll(() => streams.length).toBe(1);
		// The seller writes about the listing: the page's deal may have moved, so it loads its data again.
		const reloaded = page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/__data.json'));
		await withDatabase(baseURL, (db) =>
			asMember(db, seller.id, 'select public.send_message($1::uuid, $2::text, p_other_user_id => $3::uuid, p_product_id => $4::uuid)', [
				randomUUID(),
				'I can hold it until Friday.',
				buyer.id,
				product
			])
		);
		await reloaded;
		// Time for a restarted feed to have asked for its stream.
		await page.waitForTimeout(1_000);
		expect(streams).toHaveLength(1);
	} finally {
		await context.close();
	}
});
