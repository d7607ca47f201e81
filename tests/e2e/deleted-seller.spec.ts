import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

// A seller who deletes their account takes their listings off sale: before, the listing stayed
// on the home page "Sold by Deleted user", with buttons into a conversation nobody could write in.
test("a deleted seller's listing is off the home page, and its page says so to the buyer who asked, with nothing to press", async ({
	page,
	browser,
	baseURL
}) => {
	const { buyer, seller, product, buyerUrl } = await buyersThread(baseURL);
	// Removing the login erases the account, as the account page's delete does.
	await withDatabase(baseURL, (db) => db.query('delete from auth.users where id = $1', [seller.id]));

	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await expect(page.locator(`a[href="/products/${product}"]`)).toHaveCount(0);
	expect((await page.request.get(`/products/${product}`)).status()).toBe(404);

	const context = await browser.newContext();
	const buyersPage = await context.newPage();
	await signIn(buyersPage, buyer.email, `/products/${product}`);
	await expect(buyersPage.getByText('No longer for sale: its seller deleted their account.')).toBeVisible();
	await expect(buyersPage.getByRole('link', { name: 'Message seller' })).toHaveCount(0);
	await expect(buyersPage.getByRole('link', { name: 'Make an offer' })).toHaveCount(0);
	// Their conversation says it too.
	await buyersPage.goto(buyerUrl);
	await hydrated(buyersPage);
	await expect(buyersPage.locator('.thread-header .listing-badge')).toHaveText('Withdrawn');
	await context.close();
});

// Before, the preview showed "Withdrawn" beside the conversation's last update, "Available again".
test("a deleted seller's withdrawn listing: the buyer's inbox and thread say why, beside the Withdrawn badge", async ({ browser, baseURL }) => {
	const { buyer, seller, product, buyerUrl } = await buyersThread(baseURL);
	await withDatabase(baseURL, async (db) => {
		// Its last update: the listing made available again, as set_listing_status posts it.
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
			 select gen_random_uuid(), c.id, $2, 'system', 'Available again', jsonb_build_object('event', 'listing.available', 'actor_id', $2::uuid), now() + interval '30 days'
			   from public.conversations c where c.product_id = $1`,
			[product, seller.id]
		);
		await db.query('delete from auth.users where id = $1', [seller.id]);
	});

	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, buyer.email, buyerUrl);
	await hydrated(page);
	const said = 'No longer for sale: the seller deleted their account';
	const preview = page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: /Road bike, 56 cm/ });
	await expect(preview.locator('.listing-badge')).toHaveText('Withdrawn');
	await expect(preview).toContainText(said);
	await expect(preview).not.toContainText('Available again');
	await expect(page.locator('.thread-header .listing-badge')).toHaveText('Withdrawn');
	await expect(page.getByRole('list', { name: 'Messages' }).getByText(said)).toBeVisible();
	await context.close();
});
