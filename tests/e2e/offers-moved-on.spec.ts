import { randomUUID } from 'node:crypto';
import { insertMember, withDatabase } from './database';
import { expect, test, type Browser, type Page } from './fixtures';
import { asMember, offerOn } from './fresh-deal';
import { hydrated, signIn } from './session';

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const card = (page: Page, name: RegExp) => thread(page).getByRole('article', { name });

/** A seller and a buyer of a test's own, and the seller's €120 record player. */
async function freshListing(baseURL: string | undefined) {
	const tag = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
	const member = (name: string) => ({ id: randomUUID(), username: `${name.split(' ')[0].toLowerCase()}_${tag}`, name, email: `${name.split(' ')[0].toLowerCase()}_${tag}@example.test` });
	const [seller, buyer] = [member('Sam Seller'), member('Ben Buyer')];
	const product = randomUUID();
	await withDatabase(baseURL, async (db) => {
		for (const user of [seller, buyer]) await insertMember(db, user);
		await db.query(
			`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
			 values ($1, $2, 'Record player', 'Plays 33 and 45.', 12000, 'EUR', '/products/lamp.svg', 'active')`,
			[product, seller.id]
		);
	});
	return { seller, buyer, product };
}

/**
 * A member's page whose live feed never connects (its event stream is held unanswered): it hears
 * of nothing that happens after it loaded, as a tab does whose event is late, until it catches up.
 */
async function deafPage(browser: Browser, email: string, path: string) {
	const context = await browser.newContext();
	await context.route((url) => url.pathname.endsWith('/messages/stream'), () => {});
	const page = await context.newPage();
	await signIn(page, email, path);
	await hydrated(page);
	return { page, close: () => context.close() };
}

test('an answer to an offer that moved on unheard is refused, and its card shows the offer as it is now at once, the refusal beside it', async ({
	browser,
	baseURL
}) => {
	const { seller, buyer, product } = await freshListing(baseURL);
	const withdraw = (offer: string) => withDatabase(baseURL, (db) => asMember(db, buyer.id, `select public.respond_to_offer($1, 'withdraw')`, [offer]));
	const first = await withDatabase(baseURL, (db) => offerOn(db, buyer.id, seller.id, product, 10_000));
	const sams = await deafPage(browser, seller.email, `/messages?conversation=${buyer.id}__${product}`);

	// Ben withdraws his offer; Sam's tab has not heard it and counters it.
	const offered = card(sams.page, /^Ben Buyer offered €100\.00$/);
	await expect(offered.locator('.offer-state')).toHaveText('Waiting for you');
	await withdraw(first);
	await offered.getByRole('button', { name: 'Counter offer' }).click();
	await sams.page.getByRole('textbox', { name: 'Counter offer (€)' }).fill('115');
	await sams.page.getByRole('button', { name: 'Send counter' }).click();
	await expect(offered.getByRole('alert')).toHaveText('This offer is no longer open.');
	await expect(offered.locator('.offer-state')).toHaveText('Withdrawn');
	await expect(offered.getByRole('button')).toHaveCount(0);
	await expect(sams.page.getByRole('textbox', { name: 'Counter offer (€)' })).toHaveCount(0);
	await expect(thread(sams.page).getByText('Ben Buyer withdrew their offer of €100.00')).toBeVisible();
	// The focus went with the form: it is on the card, which says what the offer is now.
	await expect(offered).toBeFocused();
	await expect(offered.getByRole('alert')).toHaveText('This offer is no longer open.');

	// The card's own buttons too: a new offer, withdrawn unheard, then declined.
	const second = await withDatabase(baseURL, (db) => offerOn(db, buyer.id, seller.id, product, 10_500));
	await sams.page.reload();
	await hydrated(sams.page);
	const again = card(sams.page, /^Ben Buyer offered €105\.00$/);
	await expect(again.locator('.offer-state')).toHaveText('Waiting for you');
	await withdraw(second);
	await again.getByRole('button', { name: 'Decline offer' }).click();
	await expect(again.getByRole('alert')).toHaveText('This offer is no longer open.');
	await expect(again.locator('.offer-state')).toHaveText('Withdrawn');
	await expect(again.getByRole('button')).toHaveCount(0);
	await expect(thread(sams.page).getByText('Ben Buyer withdrew their offer of €105.00')).toBeVisible();
	await sams.close();
});

test('an offer withdrawn live while the seller types a counter keeps the focus on its card, which says "Withdrawn"', async ({ page, baseURL }) => {
	const { seller, buyer, product } = await freshListing(baseURL);
	const offer = await withDatabase(baseURL, (db) => offerOn(db, buyer.id, seller.id, product, 10_000));
	await signIn(page, seller.email, `/messages?conversation=${buyer.id}__${product}`);
	await hydrated(page);
	const offered = card(page, /^Ben Buyer offered €100\.00$/);
	await offered.getByRole('button', { name: 'Counter offer' }).click();
	const amount = page.getByRole('textbox', { name: 'Counter offer (€)' });
	await amount.fill('115');
	await expect(amount).toBeFocused();

	await withDatabase(baseURL, (db) => asMember(db, buyer.id, `select public.respond_to_offer($1, 'withdraw')`, [offer]));
	await expect(offered.locator('.offer-state')).toHaveText('Withdrawn');
	await expect(amount).toHaveCount(0);
	await expect(offered).toBeFocused();
});
