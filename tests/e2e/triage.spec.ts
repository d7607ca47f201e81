import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from './fixtures';
import { insertMember, withDatabase } from './database';
import { DEMO, hydrated, signedInPage as open } from './session';

/**
 * A seller's triage: the "Needs reply" filter following the conversation live, a listing's
 * conversations from its product page, quick replies, and the response-time badge. Every test
 * arranges its own listings (and, where the UI is not what is tested, its messages) in SQL, so
 * it depends on no other spec.
 */

const run = Date.now().toString(36);
const conversations = (page: Page) => page.getByRole('list', { name: 'Conversations' });
const previewAbout = (page: Page, title: string) => conversations(page).getByRole('link').filter({ hasText: title });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });

async function send(page: Page, text: string) {
	await composer(page).fill(text);
	await composer(page).press('Enter');
	await expect(thread(page).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
}

/** A listing of the seller's, made for this run only. */
async function listing(baseURL: string | undefined, sellerId: string, name: string) {
	const title = `${name} ${run}`;
	const { rows } = await withDatabase(baseURL, (db) =>
		db.query<{ id: string }>(
			`insert into public.products (seller_id, title, description, price_cents, image_url)
			 values ($1, $2, 'Arranged by the triage test.', 2500, '/products/lamp.svg') returning id`,
			[sellerId, title]
		)
	);
	return { id: rows[0].id, title };
}

/** Messages sent through send_message as their senders, as the seed does: triggers and events exactly as the app makes them. */
async function messages(baseURL: string | undefined, sends: { from: string; to: string; productId: string; body: string }[]) {
	await withDatabase(baseURL, async (db) => {
		for (const { from, to, productId, body } of sends) {
			await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: from, role: 'authenticated' })]);
			await db.query('select public.send_message($1::uuid, $2::text, p_other_user_id => $3::uuid, p_product_id => $4::uuid)', [randomUUID(), body, to, productId]);
		}
		await db.query(`select set_config('request.jwt.claims', '', false)`);
	});
}

/** A new user who can sign in with password123; a name once per run. */
async function user(baseURL: string | undefined, name: string) {
	const id = randomUUID();
	const username = `${name.toLowerCase()}_${run}`;
	const email = `${username}@example.test`;
	await withDatabase(baseURL, (db) => insertMember(db, { id, email, username, name: `${name} Seller` }));
	return { id, email, name: `${name} Seller` };
}

test('a buyer’s message puts the conversation in the seller’s “Needs reply” live; answering takes it out once he moves on; writing again brings it back', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(90_000);
	const teapot = await listing(baseURL, DEMO.lee.id, 'Teapot');
	const lee = await open(browser, DEMO.lee.email, '/messages');
	const filters = lee.page.getByRole('navigation', { name: 'Inbox filter' });
	await filters.getByRole('link', { name: 'Needs reply' }).click();
	await expect(lee.page).toHaveURL('/messages?filter=needs_reply');
	await expect(filters.getByRole('link', { name: 'Needs reply' })).toHaveAttribute('aria-current', 'page');
	await hydrated(lee.page);
	await expect(previewAbout(lee.page, teapot.title)).toHaveCount(0);

	const ana = await open(browser, DEMO.ana.email, `/messages?conversation=${DEMO.lee.id}__${teapot.id}`);
	await send(ana.page, 'Hello! Is the teapot still available?');
	await expect(previewAbout(lee.page, teapot.title)).toContainText('Hello! Is the teapot still available?');

	// Lee answers from the list: the conversation stays listed while he is in it (no row vanishes
	// under him), answered; back on the list it is gone.
	await previewAbout(lee.page, teapot.title).click();
	await expect(lee.page).toHaveURL(/filter=needs_reply/);
	await expect(thread(lee.page).getByText('Hello! Is the teapot still available?')).toBeVisible();
	await send(lee.page, 'Yes, it is. Collection or post?');
	await expect(previewAbout(lee.page, teapot.title)).toContainText('You: Yes, it is. Collection or post?');
	await filters.getByRole('link', { name: 'Needs reply' }).click();
	await expect(lee.page).toHaveURL('/messages?filter=needs_reply');
	await expect(previewAbout(lee.page, teapot.title)).toHaveCount(0);

	// Ana writes again: it is back.
	await expect(thread(ana.page).getByText('Yes, it is. Collection or post?')).toBeVisible();
	await send(ana.page, 'Post, please.');
	await expect(previewAbout(lee.page, teapot.title)).toContainText('Post, please.');

	await Promise.all([ana.close(), lee.close()]);
});

test('from his own product page the seller lists only the conversations about that listing, and “Show all” goes back', async ({
	browser,
	baseURL
}) => {
	const vase = await listing(baseURL, DEMO.lee.id, 'Glass vase');
	const stool = await listing(baseURL, DEMO.lee.id, 'Bar stool');
	await messages(baseURL, [
		{ from: DEMO.ana.id, to: DEMO.lee.id, productId: vase.id, body: 'Does the vase have any chips?' },
		{ from: DEMO.ben.id, to: DEMO.lee.id, productId: vase.id, body: 'Would you take 20 for the vase?' },
		{ from: DEMO.ben.id, to: DEMO.lee.id, productId: stool.id, body: 'How tall is the stool?' }
	]);

	const lee = await open(browser, DEMO.lee.email, `/products/${vase.id}`);
	await expect(lee.page.getByText('This is your listing.')).toBeVisible();
	await lee.page.getByRole('link', { name: 'Conversations about this listing' }).click();
	await expect(lee.page).toHaveURL(`/messages?filter=listing&product=${vase.id}`);
	await expect(lee.page.getByRole('heading', { name: `Conversations about ${vase.title}` })).toBeVisible();
	await expect(conversations(lee.page).getByRole('link')).toHaveCount(2);
	await expect(previewAbout(lee.page, vase.title)).toHaveCount(2);
	await expect(previewAbout(lee.page, stool.title)).toHaveCount(0);

	await hydrated(lee.page);
	await lee.page.getByRole('link', { name: 'Show all' }).click();
	await expect(lee.page).toHaveURL('/messages');
	await expect(lee.page.getByRole('heading', { name: /^Conversations about/ })).toHaveCount(0);
	await expect(previewAbout(lee.page, stool.title)).toHaveCount(1);
	await expect(previewAbout(lee.page, vase.title)).toHaveCount(2);

	await lee.close();
});

test('a quick reply saved on one device is in the picker of the member’s other device at once, and a delete there takes it away here', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(60_000);
	const seller = await user(baseURL, 'Devi');
	const kettle = await listing(baseURL, seller.id, 'Kettle');
	await messages(baseURL, [{ from: DEMO.ana.id, to: seller.id, productId: kettle.id, body: 'Does the kettle whistle?' }]);
	const path = `/messages?conversation=${DEMO.ana.id}__${kettle.id}`;
	const [laptop, phone] = [await open(browser, seller.email, path), await open(browser, seller.email, path)];
	const popover = (page: Page) => page.getByRole('dialog', { name: 'Quick replies' });

	// The phone's quick replies are open, none yet, as the laptop saves one.
	const listed = (page: Page) => popover(page).getByRole('list', { name: 'Manage quick replies' }).getByRole('listitem');
	for (const { page } of [phone, laptop]) await page.getByRole('button', { name: 'Quick replies' }).click();
	await expect(popover(phone.page).getByText('No quick replies yet.')).toBeVisible();
	await popover(laptop.page).getByRole('button', { name: 'Manage' }).click();
	await popover(laptop.page).getByRole('textbox', { name: 'New quick reply' }).fill('Yes, it whistles.');
	await popover(laptop.page).getByRole('button', { name: 'Save', exact: true }).click();
	await expect(listed(laptop.page).filter({ hasText: 'Yes, it whistles.' })).toHaveCount(1);
	const picker = popover(phone.page).getByRole('listbox', { name: 'Saved quick replies' });
	await expect(picker.getByRole('option', { name: 'Yes, it whistles.' })).toHaveCount(1);

	// An edit under way on the laptop as the phone deletes the reply: what was typed is kept, and it says why.
	await popover(laptop.page).getByRole('button', { name: 'Edit “Yes, it whistles.”' }).click();
	await popover(laptop.page).getByRole('textbox', { name: 'Edit quick reply' }).fill('Yes, it whistles loudly.');
	await popover(phone.page).getByRole('button', { name: 'Manage' }).click();
	await popover(phone.page).getByRole('button', { name: 'Delete “Yes, it whistles.”' }).click();
	await expect(popover(laptop.page).getByRole('alert')).toHaveText(
		'“Yes, it whistles.” was deleted on another device: your changes to it are under New quick reply, to save as a new one.'
	);
	await expect(popover(laptop.page).getByRole('textbox', { name: 'New quick reply' })).toHaveValue('Yes, it whistles loudly.');
	await popover(laptop.page).getByRole('textbox', { name: 'New quick reply' }).fill('');
	await expect(listed(phone.page)).toHaveCount(0);
	await expect(listed(laptop.page)).toHaveCount(0);

	// An edit opened with nothing typed just closes: Done then brings nothing back.
	await popover(laptop.page).getByRole('textbox', { name: 'New quick reply' }).fill('Ask me anything.');
	await popover(laptop.page).getByRole('button', { name: 'Save', exact: true }).click();
	await expect(listed(phone.page).filter({ hasText: 'Ask me anything.' })).toHaveCount(1);
	await popover(laptop.page).getByRole('button', { name: 'Edit “Ask me anything.”' }).click();
	await popover(phone.page).getByRole('button', { name: 'Delete “Ask me anything.”' }).click();
	await expect(popover(laptop.page).getByRole('alert')).toHaveText('“Ask me anything.” was deleted on another device.');
	await expect(popover(laptop.page).getByRole('textbox', { name: 'New quick reply' })).toHaveValue('');
	await popover(laptop.page).getByRole('button', { name: 'Done' }).click();
	await laptop.page.reload();
	await laptop.page.getByRole('button', { name: 'Quick replies' }).click();
	await expect(popover(laptop.page).getByText('No quick replies yet.')).toBeVisible();
	await expect(listed(phone.page)).toHaveCount(0);
	await Promise.all([laptop.close(), phone.close()]);
});

test('quick replies: saved, edited and deleted in Manage, kept after a reload, inserted with “/” and the keyboard, and sent', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(90_000);
	const clock = await listing(baseURL, DEMO.lee.id, 'Wall clock');
	await messages(baseURL, [{ from: DEMO.ana.id, to: DEMO.lee.id, productId: clock.id, body: 'Is the clock still for sale?' }]);
	const path = `/messages?conversation=${DEMO.ana.id}__${clock.id}`;
	const lee = await open(browser, DEMO.lee.email, path);
	const page = lee.page;
	const popover = page.getByRole('dialog', { name: 'Quick replies' });

	await page.getByRole('button', { name: 'Quick replies' }).click();
	await popover.getByRole('button', { name: 'Manage' }).click();
	const newReply = popover.getByRole('textbox', { name: 'New quick reply' });
	await expect(newReply).toBeFocused();

	// Too long: the server's refusal is shown, and what was typed is still there to shorten.
	const tooLong = `Thanks for asking! ${'Lots of detail. '.repeat(32)}`;
	await newReply.fill(tooLong);
	await popover.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(popover.getByRole('alert')).toHaveText('Quick replies can be at most 500 characters.');
	await expect(newReply).toHaveValue(tooLong);
	await expect(popover.getByRole('listitem')).toHaveCount(0);

	for (const text of ['Yes, it is still available.', 'I can post it tomorrow.']) {
		await newReply.fill(text);
		await popover.getByRole('button', { name: 'Save', exact: true }).click();
		await expect(popover.getByRole('listitem').filter({ hasText: text })).toHaveCount(1);
		await expect(newReply).toHaveValue('');
	}

	// Edit the first, delete the second.
	await popover.getByRole('button', { name: 'Edit “Yes, it is still available.”' }).click();
	const edit = popover.getByRole('textbox', { name: 'Edit quick reply' });
	await expect(edit).toBeFocused();
	await edit.fill('Yes, still available: collection or post.');
	await popover
		.getByRole('listitem')
		.filter({ has: page.getByRole('textbox', { name: 'Edit quick reply' }) })
		.getByRole('button', { name: 'Save' })
		.click();
	await expect(popover.getByRole('listitem').filter({ hasText: 'Yes, still available: collection or post.' })).toHaveCount(1);
	await popover.getByRole('button', { name: 'Delete “I can post it tomorrow.”' }).click();
	await expect(popover.getByRole('listitem').filter({ hasText: 'I can post it tomorrow.' })).toHaveCount(0);
	// A delete can be undone while nothing else was done: the reply comes back, and stays after a reload.
	await popover.getByRole('status').filter({ hasText: 'Deleted “I can post it tomorrow.”.' }).getByRole('button', { name: 'Undo' }).click();
	await expect(popover.getByRole('listitem').filter({ hasText: 'I can post it tomorrow.' })).toHaveCount(1);
	await expect(newReply).toBeFocused();
	// The same words saved again are refused, not listed twice.
	await newReply.fill('yes, still available: collection or post.');
	await popover.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(popover.getByRole('alert')).toHaveText('You already keep this quick reply.');
	await expect(popover.getByRole('listitem')).toHaveCount(2);
	await newReply.fill('');
	await popover.getByRole('button', { name: 'Delete “I can post it tomorrow.”' }).click();
	await expect(popover.getByRole('listitem').filter({ hasText: 'I can post it tomorrow.' })).toHaveCount(0);
	// Typed but not saved, a reply is saved by Done rather than thrown away.
	await newReply.fill('Collection from Camden only.');
	await popover.getByRole('button', { name: 'Done' }).click();
	await expect(popover.getByRole('listbox', { name: 'Saved quick replies' }).getByRole('option', { name: 'Collection from Camden only.' })).toHaveCount(1);
	await popover.getByRole('button', { name: 'Manage' }).click();
	await popover.getByRole('button', { name: 'Delete “Collection from Camden only.”' }).click();
	await expect(popover.getByRole('listitem').filter({ hasText: 'Collection from Camden only.' })).toHaveCount(0);
	await page.keyboard.press('Escape');
	await expect(popover).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Quick replies' })).toBeFocused();

	// Kept by the server: loaded afresh as the inbox (whose page does not read them), then into the
	// conversation in the browser, "/" in the empty message opens them and the keyboard picks one.
	await page.goto('/messages');
	await hydrated(page);
	await previewAbout(page, clock.title).click();
	await expect(page).toHaveURL(new RegExp(`conversation=${DEMO.ana.id}__${clock.id}`));
	await composer(page).click();
	await composer(page).press('/');
	const options = popover.getByRole('listbox', { name: 'Saved quick replies' });
	await expect(options).toBeFocused();
	await expect(options.getByRole('option')).toHaveText(['Yes, still available: collection or post.']);
	// The first is chosen from the start: Enter alone inserts it.
	await expect(options.getByRole('option', { selected: true })).toHaveText('Yes, still available: collection or post.');
	await page.keyboard.press('Enter');
	await expect(popover).toHaveCount(0);
	await expect(composer(page)).toBeFocused();
	await expect(composer(page)).toHaveValue('Yes, still available: collection or post.');
	await composer(page).press('Enter');
	await expect(thread(page).locator('li[data-status="sent"]', { hasText: 'Yes, still available: collection or post.' })).toHaveCount(1);

	// Writing on after the "/" (a message that starts with one) loses no key; nor does Escape the slash.
	await composer(page).press('/');
	await expect(options).toBeFocused();
	await page.keyboard.type('2 of them left');
	await expect(popover).toHaveCount(0);
	await expect(composer(page)).toHaveValue('/2 of them left');
	await composer(page).fill('');
	// A space straight after the "/" writes on too; the first reply being chosen does not make it a pick.
	await composer(page).press('/');
	await expect(options).toBeFocused();
	await page.keyboard.type(' or so');
	await expect(composer(page)).toHaveValue('/ or so');
	await composer(page).fill('');
	await composer(page).press('/');
	await expect(options).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(composer(page)).toBeFocused();
	await expect(composer(page)).toHaveValue('/');
	await composer(page).fill('');
	// Opened by the button, the list writes no slash: Escape closes it, a key typed is just that key.
	const button = page.getByRole('button', { name: 'Quick replies' });
	await button.click();
	await expect(options).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(button).toBeFocused();
	await expect(composer(page)).toHaveValue('');
	await button.click();
	await expect(options).toBeFocused();
	await page.keyboard.type('h');
	await expect(composer(page)).toHaveValue('h');
	await composer(page).fill('');

	const ana = await open(browser, DEMO.ana.email, `/messages?conversation=${DEMO.lee.id}__${clock.id}`);
	await expect(thread(ana.page).getByText('Yes, still available: collection or post.')).toBeVisible();

	await Promise.all([ana.close(), lee.close()]);
});

test('the response-time badge: none for a seller without replies, “within an hour” for one who answers fast', async ({ page, baseURL }) => {
	const quiet = await user(baseURL, 'Quinn');
	const quietListing = await listing(baseURL, quiet.id, 'Desk chair');
	await page.goto(`/products/${quietListing.id}`);
	await expect(page.getByText(`Listed by ${quiet.name}`)).toBeVisible();
	await expect(page.getByText(/Usually replies/)).toHaveCount(0);

	// Five buyers' questions, each answered at once.
	const fast = await user(baseURL, 'Rory');
	const listings = [];
	for (let i = 1; i <= 5; i++) listings.push(await listing(baseURL, fast.id, `Poster ${i}`));
	await messages(
		baseURL,
		listings.flatMap(({ id }) => [
			{ from: DEMO.ben.id, to: fast.id, productId: id, body: 'Is this still available?' },
			{ from: fast.id, to: DEMO.ben.id, productId: id, body: 'Yes, it is.' }
		])
	);
	await page.goto(`/products/${listings[0].id}`);
	await expect(page.getByText(`Listed by ${fast.name}`)).toBeVisible();
	await expect(page.getByText('Usually replies within an hour')).toBeVisible();
});
