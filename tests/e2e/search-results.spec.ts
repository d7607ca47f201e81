import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from './fixtures';
import { insertConversation, insertMember, withDatabase } from './database';
import { DEMO, hydrated, signIn } from './session';

// Ben and Lee about the keyboard, a conversation of this file's own (the seed has none about it).
const KEYBOARD = 'a0000000-0000-4000-8000-000000000007';
const HITS = 27;
// A long name makes the "who" line of each hit long: it pushed each row past the sidebar.
const LONG_NAME = 'Maximiliana-Konstantinopolitanische-Wanderverkäuferin';

async function renameLee(baseURL: string | undefined, name: string) {
	await withDatabase(baseURL, (db) => db.query('update public.profiles set display_name = $1 where id = $2', [name, DEMO.lee.id]));
}

test('search results fit the sidebar, and "More results" brings the older hits once each until there are none', async ({ page, baseURL }) => {
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		const conversationId = await insertConversation(db, DEMO.ben.id, DEMO.lee.id, KEYBOARD);
		// Long enough to be cut in the sidebar; the newest is Ben's, so Ben has nothing unread.
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
			 select gen_random_uuid(), $1, case when g % 2 = 1 then $2::uuid else $3::uuid end,
			        'Zephyrine keycaps, note ' || g || ': the legends are doubleshot and the stabilisers were lubed with care before shipping',
			        now() - interval '1 hour' + g * interval '1 minute', now() + interval '30 days'
			   from generate_series(1, $4::int) g`,
			[conversationId, DEMO.ben.id, DEMO.lee.id, HITS]
		);
		await db.query('commit');
	});

	await renameLee(baseURL, LONG_NAME);
	try {
		await searchAndPage(page);
	} finally {
		await renameLee(baseURL, 'Lee Seller');
	}
});

async function searchAndPage(page: Page) {
	await page.setViewportSize({ width: 1280, height: 900 });
	await signIn(page, DEMO.ben.email, '/messages?q=zephyrine');
	await hydrated(page);
	const results = page.getByRole('list', { name: 'Search results' });
	const links = results.getByRole('link');
	await expect(links).toHaveCount(20);

	// Every row within the sidebar; the time whole; the text cut with an ellipsis.
	await page.locator('.search-results').screenshot({ path: test.info().outputPath('search-results.png') });
	const sidebar = await page.locator('.messages-inbox').boundingBox();
	const rows = await links.evaluateAll((all) =>
		all.map((link) => {
			const time = link.querySelector('time')!;
			const text = link.querySelector<HTMLElement>('.preview-text')!;
			const who = link.querySelector<HTMLElement>('.preview-who')!;
			return {
				right: link.getBoundingClientRect().right,
				timeWhole: time.scrollWidth <= time.clientWidth && time.getBoundingClientRect().right <= link.getBoundingClientRect().right,
				textCut: text.scrollWidth > text.clientWidth && getComputedStyle(text).textOverflow === 'ellipsis' && text.getBoundingClientRect().right <= link.getBoundingClientRect().right,
				whoCut: who.scrollWidth > who.clientWidth && who.getBoundingClientRect().right <= time.getBoundingClientRect().left
			};
		})
	);
	for (const row of rows) {
		expect(row.right).toBeLessThanOrEqual(sidebar!.x + sidebar!.width);
		expect(row).toMatchObject({ timeWhole: true, textCut: true, whoCut: true });
	}

	// By keyboard: Enter on "More results" appends the rest, announced politely, and the button goes with the last page.
	const more = page.getByRole('button', { name: 'More results' });
	await more.focus();
	await page.keyboard.press('Enter');
	await expect(links).toHaveCount(HITS);
	await expect(page.getByRole('status').filter({ hasText: /more results/ })).toHaveText(`${HITS - 20} more results, the last of them.`);
	await expect(more).toHaveCount(0);
	// Focus is not dropped with the button: it is on the first of the results just added.
	await expect(links.nth(20)).toBeFocused();
	const hrefs = await links.evaluateAll((all) => all.map((link) => link.getAttribute('href')));
	expect(new Set(hrefs).size).toBe(HITS);
	// Newest first, the oldest last.
	await expect(links.first()).toContainText('note 27:');
	await expect(links.last()).toContainText('note 1:');
}

test('a seller finds conversations by the buyer’s name and by the listing’s title, and opens one', async ({ page, baseURL }) => {
	const run = Date.now().toString(36);
	const listing = { id: randomUUID(), title: `Hiking backpack ${run}` };
	// A name long enough to be cut in the sidebar, and two more buyers asking about the same listing.
	const buyers = [`Friedrich Wilhelm Viktor Albrecht von Hohenzollern-Sigmaringen ${run}`, `Greta Lindqvist ${run}`, `Tomás Ortega ${run}`].map(
		(name, i) => ({ id: randomUUID(), username: `buyer${i}_${run}`, name })
	);
	await withDatabase(baseURL, async (db) => {
		await db.query(`insert into public.products (id, seller_id, title, price_cents, image_url) values ($1, $2, $3, 4900, '/products/backpack.svg')`, [
			listing.id,
			DEMO.lee.id,
			listing.title
		]);
		for (const buyer of buyers) {
			await insertMember(db, { id: buyer.id, email: `${buyer.username}@example.test`, username: buyer.username, name: buyer.name });
			// Sent through send_message as the buyer, as the app sends it.
			await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: buyer.id, role: 'authenticated' })]);
			await db.query('select public.send_message($1::uuid, $2::text, p_other_user_id => $3::uuid, p_product_id => $4::uuid)', [
				randomUUID(),
				`Is it waterproof? (${buyer.username})`,
				DEMO.lee.id,
				listing.id
			]);
			await db.query(`select set_config('request.jwt.claims', '', false)`);
		}
	});

	await page.setViewportSize({ width: 1280, height: 900 });
	await signIn(page, DEMO.lee.email, `/messages?q=${encodeURIComponent(`hohenzollern ${run}`)}`);
	await hydrated(page);
	const found = page.getByRole('list', { name: 'Matching conversations' });
	// No message says the name: the conversation is what matches, and nothing says nothing does.
	await expect(found.getByRole('link')).toHaveCount(1);
	await expect(page.getByText('No messages match.')).toHaveCount(0);
	await expect(page.getByRole('heading', { name: 'Conversations', level: 3 })).toBeVisible();

	// The long name ends in an ellipsis inside the sidebar.
	const sidebar = (await page.locator('.messages-inbox').boundingBox())!;
	const row = await found.getByRole('link').evaluate((link) => {
		const name = link.querySelector<HTMLElement>('.preview-name')!;
		return { right: link.getBoundingClientRect().right, nameCut: name.scrollWidth > name.clientWidth && getComputedStyle(name).textOverflow === 'ellipsis' };
	});
	expect(row.right).toBeLessThanOrEqual(sidebar.x + sidebar.width);
	expect(row.nameCut).toBe(true);

	// By the listing: its three conversations, newest first.
	await page.getByRole('searchbox', { name: 'Search messages' }).fill(`BACKPACK ${run}`);
	await page.getByRole('button', { name: 'Search' }).click();
	await expect(found.getByRole('link')).toHaveCount(3);
	await expect(found.getByRole('link').first()).toContainText(buyers[2].name);
	await expect(found.getByRole('link').last()).toContainText(buyers[0].name.slice(0, 20));
	await page.locator('.search-results').screenshot({ path: test.info().outputPath('conversations-found.png') });

	// Opening one is opening the conversation, as from the inbox.
	await found.getByRole('link').filter({ hasText: 'Greta Lindqvist' }).click();
	await expect(page).toHaveURL(new RegExp(`conversation=${buyers[1].id}__${listing.id}`));
	await expect(page.getByRole('list', { name: 'Messages' }).getByText(`Is it waterproof? (${buyers[1].username})`)).toBeVisible();
});

test('a search too long to run says so under the start of its words, one of emoji alone says it finds only words, and a bad conversation link leads back to the inbox', async ({ page }) => {
	const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
	await signIn(page, DEMO.ben.email, `/messages?q=${encodeURIComponent(words)}`);
	const results = page.getByRole('region', { name: /^Results for/ });
	await expect(results.getByRole('heading')).toHaveText(`Results for “${words.slice(0, 60)}…”`);
	await expect(results).toHaveAccessibleName(`Results for “${words.slice(0, 60)}…”`);
	await expect(results.getByRole('link', { name: 'Clear the search' })).toHaveAttribute('href', '/messages');
	await expect(results.getByRole('alert')).toHaveText('Search for at most 200 characters.');
	// The inbox is still on the first screen, not pushed below the repeated words.
	await expect(page.getByRole('navigation', { name: 'Inbox filter' })).toBeInViewport();
	// Cleared, the results go and the focus is in the emptied search box, for the next search.
	await hydrated(page);
	await results.getByRole('link', { name: 'Clear the search' }).click();
	await expect(page).toHaveURL('/messages');
	await expect(results).toHaveCount(0);
	await expect(page.getByRole('searchbox', { name: 'Search messages' })).toBeFocused();
	await expect(page.getByRole('searchbox', { name: 'Search messages' })).toHaveValue('');
	// Emoji and signs alone are no words: said so, rather than "Type a word" after one was typed.
	await page.goto(`/messages?q=${encodeURIComponent('🚲 !!')}`);
	await expect(page.getByRole('region', { name: /^Results for/ }).getByRole('alert')).toHaveText(
		'Search finds words and numbers: emoji and signs alone find nothing.'
	);

	await page.goto('/messages?conversation=not-a-key');
	await expect(page.getByRole('heading', { name: 'That link is not valid' })).toBeVisible();
	await page.getByRole('link', { name: 'Back to your messages' }).click();
	await expect(page).toHaveURL('/messages');
	await expect(page.getByRole('navigation', { name: 'Inbox filter' })).toBeVisible();
});
