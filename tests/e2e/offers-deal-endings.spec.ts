import { withDatabase } from './database';
import { expect, test, type Locator, type Page } from './fixtures';
import { asMember, offerOn, reservedListing } from './fresh-deal';
import { buyersThread } from './fresh-thread';
import { hydrated, signedInPage as open } from './session';

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const card = (page: Page, name: RegExp) => thread(page).getByRole('article', { name });

/** Whether a card has stepped back with the closed ones: its left stripe the colour of its border, not the live deal's accent. */
const steppedBack = (offer: Locator) =>
	offer.evaluate((element) => {
		const style = getComputedStyle(element);
		return style.borderLeftColor === style.borderTopColor;
	});

test('a listing reserved for one buyer, sold to another: the seller is told whose deal ends, and her accepted card says it ended, both sides, live and after a reload', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(60_000);
	const { seller, ana, bo, product } = await reservedListing(baseURL);
	const anas = await open(browser, ana.email, `/messages?conversation=${seller.id}__${product}`);
	const hers = card(anas.page, /^You offered €400\.00$/);
	await expect(hers.locator('.offer-state')).toHaveText('Accepted');
	expect(await steppedBack(hers)).toBe(false);

	// The seller, in Bo's conversation, sells it to Bo: the question says the listing is Ana's for now.
	const lees = await open(browser, seller.email, `/messages?conversation=${bo.id}__${product}`);
	const asked = new Promise<string>((resolve) => lees.page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
	await lees.page.getByLabel('Conversation options').click();
	await lees.page.getByRole('button', { name: 'Mark as sold to Bo Late' }).click();
	expect(await asked).toBe(
		'Mark “Brass lamp” as sold to Bo Late? It is reserved for Ana Keen, whose accepted offer ends. Open offers from other buyers will be declined.'
	);
	await expect(lees.page.locator('.thread-header .listing-badge')).toHaveText('Sold');

	// Ana's open thread follows live, and a reload reads the same; so does the seller's copy of her conversation.
	const ended = 'Accepted · deal ended: sold to another buyer';
	await expect(thread(anas.page).getByText('Sold to another buyer', { exact: true })).toBeVisible();
	await expect(hers.locator('.offer-state')).toHaveText(ended);
	expect(await steppedBack(hers)).toBe(true);
	await anas.page.reload();
	await hydrated(anas.page);
	await expect(hers.locator('.offer-state')).toHaveText(ended);
	expect(await steppedBack(hers)).toBe(true);
	await lees.page.goto(`/messages?conversation=${ana.id}__${product}`);
	await hydrated(lees.page);
	const leesCopy = card(lees.page, /^Ana Keen offered €400\.00$/);
	await expect(leesCopy.locator('.offer-state')).toHaveText(ended);
	expect(await steppedBack(leesCopy)).toBe(true);

	// The listing's page tells Ana her deal ended, not just "Sold".
	await anas.page.goto(`/products/${product}`);
	await expect(anas.page.locator('.deal-note')).toHaveText(
		'Lee Seller accepted your offer of €400.00; that deal ended: the listing went to another buyer. See the offer'
	);
	await Promise.all([anas.close(), lees.close()]);
});

test('an error on an offer card goes once the offer changes: the seller accepts offline, then the buyer withdraws', async ({ browser, baseURL }) => {
	const { buyer, seller, product } = await buyersThread(baseURL);
	const offer = await withDatabase(baseURL, (db) => offerOn(db, buyer.id, seller.id, product, 40_000));
	const lees = await open(browser, seller.email, `/messages?conversation=${buyer.id}__${product}`);
	const robins = card(lees.page, /^Robin Buyer offered €400\.00$/);
	await expect(robins.locator('.offer-state')).toHaveText('Waiting for you');

	await lees.page.context().setOffline(true);
	const asked = new Promise<string>((resolve) => lees.page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
	await robins.getByRole('button', { name: 'Accept offer' }).click();
	expect(await asked).toBe("Accept Robin Buyer's offer of €400.00? “Road bike, 56 cm” is then reserved for them, and other buyers' open offers are declined.");
	const error = robins.getByRole('alert');
	await expect(error).toHaveText('You appear to be offline. Try again when you are connected.');
	await lees.page.context().setOffline(false);

	// Back online, the buyer takes the offer back: the card says so, and the error about accepting it goes.
	await withDatabase(baseURL, (db) => asMember(db, buyer.id, `select public.respond_to_offer($1, 'withdraw')`, [offer]));
	await expect(robins.locator('.offer-state')).toHaveText('Withdrawn');
	await expect(error).toHaveCount(0);
	await lees.close();
});

test("a listing sold to the buyer whose offer is open closes that offer, live on both sides: nobody reads it was declined", async ({ browser, baseURL }) => {
	const { buyer, seller, product } = await buyersThread(baseURL);
	await withDatabase(baseURL, (db) => offerOn(db, buyer.id, seller.id, product, 40_000));
	const robins = await open(browser, buyer.email, `/messages?conversation=${seller.id}__${product}`);
	const sams = await open(browser, seller.email, `/messages?conversation=${buyer.id}__${product}`);
	const robinsOffer = card(robins.page, /^You offered €400\.00$/);
	await expect(robinsOffer.locator('.offer-state')).toHaveText('Waiting for Sam Seller');

	sams.page.once('dialog', (dialog) => void dialog.accept());
	await sams.page.getByLabel('Conversation options').click();
	await sams.page.getByRole('button', { name: 'Mark as sold to Robin Buyer' }).click();
	await expect(card(sams.page, /^Robin Buyer offered €400\.00$/).locator('.offer-state')).toHaveText('Closed · sold to Robin Buyer');
	await expect(thread(robins.page).getByText('Sam Seller marked this as sold to you')).toBeVisible();
	await expect(robinsOffer.locator('.offer-state')).toHaveText('Closed · sold to you');
	await expect(robinsOffer.getByRole('button')).toHaveCount(0);
	for (const page of [robins.page, sams.page]) await expect(thread(page).getByText(/declined/)).toHaveCount(0);
	await Promise.all([robins.close(), sams.close()]);
});
