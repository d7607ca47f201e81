import { expect, test, type Page } from './fixtures';
import { callUnblock, DEMO, hydrated, signedInPage as open } from './session';

const LAMP = 'a0000000-0000-4000-8000-000000000005';
const BACKPACK = 'a0000000-0000-4000-8000-000000000002';

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const headerBadge = (page: Page) => page.locator('.thread-header .listing-badge');
const card = (page: Page, name: RegExp) => thread(page).getByRole('article', { name });

/** `asks`: the exact question the form must ask first (the amount is above the asking price). */
async function offer(page: Page, amount: string, asks?: string) {
	const field = page.getByRole('textbox', { name: 'Your offer (€)' });
	const button = page.getByRole('button', { name: 'Make an offer' });
	// A deep link with &offer=1 opens the form by itself; otherwise the button does.
	await expect(field.or(button)).toBeVisible();
	if (!(await field.isVisible())) await button.click();
	await field.fill(amount);
	await page.getByRole('button', { name: 'Send offer' }).click();
	const sent = card(page, new RegExp(`^You offered €${amount}\\.00$`));
	// Above the asking price the form asks once; sent again, the offer goes.
	const question = page.getByRole('alert').filter({ hasText: 'more than the asking price' });
	// Checked here, while the question shows: a wait begun elsewhere polls too seldom to see it for sure.
	if (asks) await expect(question).toHaveText(asks);
	else await expect(sent.or(question)).toBeVisible();
	if (await question.isVisible()) {
		await expect(question).toHaveText(new RegExp(`^That is more than the asking price of €[\\d.]+\\. Send it again to offer €${amount}\\.00\\.$`));
		await expect(sent).toHaveCount(0);
		await page.getByRole('button', { name: 'Send offer' }).click();
	}
	await expect(sent).toBeVisible();
}

test('the deal in the conversation: an offer, a counter, an accept that reserves the listing for one buyer everywhere, then sold', async ({
	browser
}) => {
	// Three members in three browsers through a whole deal: about 25 s on a quiet machine.
	test.setTimeout(90_000);
	// Buyer B (Ben) and buyer A (Ana) each offer on Lee's lamp, from the product page's deep link.
	const ben = await open(browser, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${LAMP}&offer=1`);
	// The link was followed to make an offer: the amount field has focus.
	await expect(ben.page.getByRole('textbox', { name: 'Your offer (€)' })).toBeFocused();
	// The link's &offer=1 is read once, on arrival, not left in the address to open the form again
	// later. (A page error on the way, such as replaceState called before the router started, fails
	// the test: see fixtures.ts.)
	await expect.poll(() => new URL(ben.page.url()).searchParams.has('offer')).toBe(false);
	// Escape puts the form away, as it closes the menu, and focus goes to the button that opens it again.
	await ben.page.getByRole('textbox', { name: 'Your offer (€)' }).press('Escape');
	await expect(ben.page.getByRole('textbox', { name: 'Your offer (€)' })).toHaveCount(0);
	await expect(ben.page.getByRole('button', { name: 'Make an offer' })).toBeFocused();
	// €70 on a €39 lamp: the form asks first (a slip such as 390 for 39 is the usual reason).
	await offer(ben.page, '70', 'That is more than the asking price of €39.00. Send it again to offer €70.00.');
	// Sent, the form closes and focus goes to the composer, not nowhere.
	await expect(ben.page.getByRole('textbox', { name: 'Message', exact: true })).toBeFocused();
	// The offer sent here is no stale link's: no "open here" note about it, then or after a reload.
	const openHere = (page: Page) => page.getByRole('status').filter({ hasText: 'Your offer is open here' });
	await expect(openHere(ben.page)).toHaveCount(0);
	await ben.page.reload();
	await hydrated(ben.page);
	await expect(card(ben.page, /^You offered €70\.00$/)).toBeVisible();
	await expect(openHere(ben.page)).toHaveCount(0);
	// Back on the product page, Ben sees his offer waiting, not a button for a second one, and a way to it.
	await ben.page.goto(`/products/${LAMP}`);
	await expect(ben.page.getByText('Your offer of €70.00 is waiting for Lee Seller.')).toBeVisible();
	await expect(ben.page.getByRole('link', { name: 'Make an offer' })).toHaveCount(0);
	await ben.page.getByRole('link', { name: 'See the offer' }).click();
	await hydrated(ben.page);
	await expect(card(ben.page, /^You offered €70\.00$/)).toBeVisible();
	const ana = await open(browser, DEMO.ana.email, `/products/${LAMP}`);
	await ana.page.getByRole('link', { name: 'Make an offer' }).click();
	await hydrated(ana.page);
	await expect.poll(() => new URL(ana.page.url()).searchParams.has('offer')).toBe(false);
	await offer(ana.page, '75');
	await expect(openHere(ana.page)).toHaveCount(0);

	// Ben keeps the listing's page open in another tab: it follows the deal live.
	const bensListing = await ben.page.context().newPage();
	await bensListing.goto(`/products/${LAMP}`);
	await hydrated(bensListing);
	await expect(bensListing.locator('.deal-note')).toHaveText('Your offer of €70.00 is waiting for Lee Seller. See the offer');

	// Lee counters Ana's offer; Ana sees the counter live and accepts it.
	const lee = await open(browser, DEMO.lee.email, `/messages?conversation=${DEMO.ana.id}__${LAMP}`);
	const anas = card(lee.page, /^Ana.* offered €75\.00$/);
	await expect(anas).toContainText('Waiting for you');
	await anas.getByRole('button', { name: 'Counter offer' }).click();
	// A counter that asks no more than her offer is asked about first: accepting gets him as much.
	await lee.page.getByRole('textbox', { name: 'Counter offer (€)' }).fill('70');
	await lee.page.getByRole('button', { name: 'Send counter' }).click();
	await expect(lee.page.getByRole('alert').filter({ hasText: 'no more than the offer' })).toHaveText(
		'That is no more than the offer of €75.00, which accepting gets you. Send it again to counter with €70.00.'
	);
	await expect(card(lee.page, /countered €70\.00$/)).toHaveCount(0);
	await lee.page.getByRole('textbox', { name: 'Counter offer (€)' }).fill('85');
	await lee.page.getByRole('button', { name: 'Send counter' }).click();
	// The form and the card's buttons gone, the focus is on the card that says what was done.
	await expect(anas).toBeFocused();
	const counter = card(ana.page, /^Lee.* countered €85\.00$/);
	await expect(counter).toContainText('Waiting for you');
	await expect(card(ana.page, /^You offered €75\.00$/)).toContainText('Countered');
	// Accepting commits her, so it asks first; dismissed, nothing happens.
	const dismissed = new Promise<string>((resolve) => ana.page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.message()))));
	await counter.getByRole('button', { name: 'Accept offer' }).click();
	expect(await dismissed).toBe("Accept Lee Seller's price of €85.00? “Oak desk lamp” is then reserved for you.");
	await expect(counter).toContainText('Waiting for you');
	ana.page.once('dialog', (dialog) => void dialog.accept());
	await counter.getByRole('button', { name: 'Accept offer' }).click();
	await expect(counter).toContainText('Accepted');
	await expect(counter).toBeFocused();
	await expect(thread(ana.page).getByText("You accepted Lee Seller's counter-offer of €85.00")).toBeVisible();
	await expect(headerBadge(ana.page)).toHaveText('Reserved');
	// Each inbox words the deal for its reader, as the thread does: the amount was Lee's counter, never "your offer" to him.
	// By the name it starts with: Lee's preview of Ben's conversation names Ana too.
	const lampPreview = (page: Page, other: string) =>
		page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: new RegExp(`^${other} .*Oak desk lamp`) });
	await expect(lampPreview(ana.page, 'Lee Seller')).toContainText("You accepted Lee Seller's counter-offer of €85.00");
	await expect(lampPreview(lee.page, 'Ana Buyer')).toContainText('Ana Buyer accepted your counter-offer of €85.00');
	await expect(thread(lee.page).getByText('Ana Buyer accepted your counter-offer of €85.00')).toBeVisible();
	// Lee made the deal: his copy of the update in Ben's conversation says with whom; Ben's (below) does not.
	await expect(lampPreview(lee.page, 'Ben Buyer')).toContainText('Reserved for Ana Buyer');

	// Ben's open thread follows live: reserved for another buyer, his open offer declined, no new offer.
	await expect(headerBadge(ben.page)).toHaveText('Reserved');
	await expect(thread(ben.page).getByText('Reserved for another buyer')).toBeVisible();
	await expect(card(ben.page, /^You offered €70\.00$/)).toContainText('Declined');
	await expect(ben.page.getByRole('button', { name: 'Make an offer' })).toHaveCount(0);
	await expect(bensListing.locator('.listing-badge')).toHaveText('Reserved');
	await expect(bensListing.locator('.deal-note')).toHaveText('Your offer of €70.00 was declined: the listing is reserved for another buyer. See the offer');
	// A "Make an offer" link from a page drawn before the reservation says why no form opens.
	await bensListing.goto(`/messages?conversation=${DEMO.lee.id}__${LAMP}&offer=1`);
	await expect(bensListing.getByRole('status').filter({ hasText: 'This listing is reserved: it takes no offers for now.' })).toBeVisible();
	await bensListing.close();
	// The listing's page tells Ana it is hers, beside its "Reserved" badge.
	const anasListing = await ana.page.context().newPage();
	await anasListing.goto(`/products/${LAMP}`);
	await expect(anasListing.locator('.deal-note')).toHaveText("Reserved for you. You accepted Lee Seller's counter-offer of €85.00. Go to the conversation");
	await anasListing.close();

	// Lee marks it sold to Ana: both buyers see "Sold" in the thread and in the inbox.
	lee.page.once('dialog', (dialog) => void dialog.accept());
	await lee.page.getByLabel('Conversation options').click();
	await lee.page.getByRole('button', { name: 'Mark as sold to Ana Buyer' }).click();
	await expect(headerBadge(lee.page)).toHaveText('Sold');
	for (const buyer of [ana, ben]) {
		await expect(headerBadge(buyer.page)).toHaveText('Sold');
		const preview = buyer.page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Oak desk lamp/ });
		await expect(preview.locator('.listing-badge')).toHaveText('Sold');
	}
	// At the price the two agreed, not the €39.00 the lamp was listed at.
	await expect(thread(ana.page).getByText('Lee Seller marked this as sold to you for €85.00')).toBeVisible();
	await expect(thread(lee.page).getByText('You marked this as sold to Ana Buyer for €85.00')).toBeVisible();
	await expect(thread(ben.page).getByText('Sold to another buyer')).toBeVisible();
	await expect(ben.page.getByRole('button', { name: 'Make an offer' })).toHaveCount(0);

	// Nor does a reload or the product page offer Ben a way to make one.
	await ben.page.goto(`/products/${LAMP}`);
	await expect(ben.page.locator('.listing-badge')).toHaveText('Sold');
	await expect(ben.page.getByRole('link', { name: 'Make an offer' })).toHaveCount(0);
	await expect(ben.page.getByRole('link', { name: 'Message seller' })).toBeVisible();
	await expect(ben.page.locator('.deal-note')).toHaveText('Your offer of €70.00 was declined: the listing went to another buyer. See the offer');
	await ana.page.goto(`/products/${LAMP}`);
	await expect(ana.page.locator('.deal-note')).toHaveText('Lee Seller marked this as sold to you for €85.00. Go to the conversation');

	await Promise.all([ana.close(), ben.close(), lee.close()]);
});

test('a block closes the offer open between the two: the buyer sees it declined live, and may offer again after the unblock', async ({ browser }) => {
	const ana = await open(browser, DEMO.ana.email, `/messages?conversation=${DEMO.sam.id}__${BACKPACK}&offer=1`);
	await offer(ana.page, '60');
	const sam = await open(browser, DEMO.sam.email, `/messages?conversation=${DEMO.ana.id}__${BACKPACK}`);
	const anas = card(sam.page, /^Ana.* offered €60\.00$/);
	await expect(anas).toContainText('Waiting for you');
	try {
		// Blocking asks first, and says what it does to the offer.
		const asked = new Promise<string>((resolve) => sam.page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
		await sam.page.getByLabel('Conversation options').click();
		await sam.page.getByRole('button', { name: 'Block Ana Buyer' }).click();
		expect(await asked).toBe('Block Ana Buyer? Neither of you can write to the other until you unblock them. Offers open between you are closed.');
		await expect(anas).toContainText('Declined');
		await expect(thread(sam.page).getByText("You declined Ana Buyer's offer of €60.00")).toBeVisible();
		// Ana's open thread follows live: her offer declined, nothing left for her to press.
		await expect(card(ana.page, /^You offered €60\.00$/)).toContainText('Declined');
		await expect(thread(ana.page).getByText('Sam Seller declined your offer of €60.00')).toBeVisible();
		await expect(card(ana.page, /^You offered €60\.00$/).getByRole('button')).toHaveCount(0);
	} finally {
		await callUnblock(sam.page, DEMO.ana.id);
	}
	// Unblocked, nothing is open: the listing's page says so and offers a new one.
	await ana.page.goto(`/products/${BACKPACK}`);
	await expect(ana.page.locator('.deal-note')).toHaveText('Sam Seller declined your offer of €60.00. See the offer');
	await expect(ana.page.getByRole('link', { name: 'Make an offer' })).toBeVisible();
	await Promise.all([ana.close(), sam.close()]);
});
