import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
import { DEMO, hydrated, signIn, signInThroughForm } from './session';

test('ana opens a product, follows "Message seller" and lands in the conversation signed in', async ({ page }) => {
	await signIn(page, DEMO.ana.email);
	await page.getByRole('link', { name: /Vintage film camera/ }).click();
	await expect(page.getByRole('heading', { name: 'Vintage film camera' })).toBeVisible();
	await hydrated(page);
	await page.getByRole('link', { name: 'Message seller' }).click();
	await expect(page).toHaveURL(`/messages?conversation=${DEMO.sam.id}__a0000000-0000-4000-8000-000000000001`);
	await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('the session cookie is HttpOnly and SameSite, and signing out ends the session even for a copy of the cookie', async ({ page, playwright, baseURL }) => {
	const signedIn = page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST');
	await signInThroughForm(page, DEMO.lee.email);
	const setCookie = (await (await signedIn).headerValue('set-cookie')) ?? '';
	expect(setCookie).toMatch(/^bazaar-session=[^;]+;.*HttpOnly/i);
	expect(setCookie).toMatch(/SameSite=Lax/i);
	expect(setCookie).toMatch(/Max-Age=604800/i);
	const copied = (await page.context().cookies()).find((cookie) => cookie.name === 'bazaar-session')!.value;

	const withCopy = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `bazaar-session=${copied}` } });
	expect((await withCopy.get('/messages', { maxRedirects: 0 })).status()).toBe(200);
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
	const after = await withCopy.get('/messages', { maxRedirects: 0 });
	expect(after.status()).toBe(303);
	expect(after.headers()['location']).toMatch(/^\/login/);
	await withCopy.dispose();
});

test('a visitor who follows "Message seller" signs in and comes back to the conversation', async ({ page }) => {
	await page.goto('/products/a0000000-0000-4000-8000-000000000004');
	await hydrated(page);
	await page.getByRole('link', { name: 'Message seller' }).click();
	await expect(page).toHaveURL(/\/login\?next=/);
	await page.getByLabel('Email').fill(DEMO.ben.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(`/messages?conversation=${DEMO.lee.id}__a0000000-0000-4000-8000-000000000004`);
});

test('a visitor who follows "Make an offer" signs in and comes back to the offer form, its amount ready to type', async ({ page, baseURL }) => {
	const { buyer, seller, product } = await buyersThread(baseURL);
	await page.goto(`/products/${product}`);
	await hydrated(page);
	await page.getByRole('link', { name: 'Make an offer' }).click();
	await expect(page).toHaveURL(/\/login\?next=/);
	await page.getByLabel('Email').fill(buyer.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL(new RegExp(`/messages\\?conversation=${seller.id}__${product}`));
	await expect(page.getByRole('textbox', { name: 'Your offer (€)' })).toBeFocused();
});

test('what a member (or their password manager) types into sign-in before the page has loaded its scripts stays, and signs them in', async ({ page }) => {
	// The scripts held back a second: the form is on screen and typed into before it is interactive.
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await held;
		await route.continue();
	});
	await page.goto('/login?next=%2Fmessages', { waitUntil: 'domcontentloaded' });
	await page.getByLabel('Email').fill(DEMO.ana.email);
	await page.getByLabel('Password').fill('password123');
	release();
	await hydrated(page);
	await expect(page.getByLabel('Email')).toHaveValue(DEMO.ana.email);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page).toHaveURL('/messages');
});

test('a wrong password shows "Invalid email or password" and nothing else', async ({ page }) => {
	await page.goto('/login');
	await hydrated(page);
	await page.getByLabel('Email').fill(DEMO.ana.email);
	await page.getByLabel('Password').fill('not-the-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
	await expect(page.getByLabel('Email')).toHaveValue(DEMO.ana.email);
	await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('without JavaScript, a wrong password comes back as a page with the email still filled in', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	// An email of its own: failed sign-ins count per email.
	const email = `nobody_${Date.now().toString(36)}@example.test`;
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('not-the-password');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
	await expect(page.getByLabel('Email')).toHaveValue(email);
	await context.close();
});

test('five wrong passwords for one account make the next try wait, with how long, even with the right password', async ({ page }) => {
	// An email of its own, so no other test's sign-ins count towards it.
	const email = `limit_${Date.now().toString(36)}@example.test`;
	await page.goto('/login');
	await hydrated(page);
	// Each try waits for its answer: the alert keeps the same text from one failure to the next.
	const submit = async () => {
		const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST');
		await page.getByRole('button', { name: 'Sign in' }).click();
		await answered;
	};
	for (let i = 0; i < 5; i++) {
		await page.getByLabel('Email').fill(email);
		await page.getByLabel('Password').fill(`guess-${i}`);
		await submit();
		await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
	}
	await page.getByLabel('Password').fill('password123');
	await submit();
	await expect(page.getByRole('alert')).toHaveText('Too many failed sign-ins. Try again in 15 minutes.');
	// Another account from the same browser signs in as usual.
	await page.getByLabel('Email').fill(DEMO.ben.email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('a seller sees no "Message seller" link on their own product', async ({ page }) => {
	await signIn(page, DEMO.sam.email);
	await page.goto('/products/a0000000-0000-4000-8000-000000000001');
	await expect(page.getByText('This is your listing.')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Message seller' })).toHaveCount(0);
});

// Before, a listing left the home page the moment an offer on it was accepted, for its seller too,
// who had no other page listing it; and "Sold by" read oddly under a "Sold" badge.
test('a reserved listing stays on the home page with its badge, for visitors and its seller; a sold one leaves it', async ({ page, browser, baseURL }) => {
	const { seller, product } = await buyersThread(baseURL);
	const card = page.locator(`a[href="/products/${product}"]`);
	const setStatus = (status: string) => withDatabase(baseURL, (db) => db.query('update public.products set status = $2 where id = $1', [product, status]));

	await setStatus('reserved');
	await page.goto('/');
	await expect(card.locator('.listing-badge')).toHaveText('Reserved');
	await card.click();
	await expect(page.getByText(`Listed by ${seller.name}`)).toBeVisible();
	const sellers = await (await browser.newContext()).newPage();
	await signIn(sellers, seller.email, '/');
	await expect(sellers.locator(`a[href="/products/${product}"] .listing-badge`)).toHaveText('Reserved');

	await setStatus('sold');
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	await expect(card).toHaveCount(0);
	await sellers.context().close();
});

/**
 * A buyer who blocked a listing's seller was offered "Message seller" and "Make an offer" on its
 * page, and both led to a thread saying "You blocked Sam Seller. Unblock them to send messages."
 * The page says that itself now, with the way to unblock (here, or in the conversation); blocked
 * by the seller, it says what the thread says, and offers nothing that cannot work.
 */
test('the page of a listing whose seller the buyer blocked says so and unblocks; blocked by the seller, it offers no way to write', async ({ browser, baseURL }) => {
	const thread = await buyersThread(baseURL);
	const block = (blocker: string, blocked: string) =>
		withDatabase(baseURL, (db) => db.query('insert into public.user_blocks (blocker_id, blocked_id) values ($1, $2)', [blocker, blocked]));
	const blocks = () =>
		withDatabase(baseURL, async (db) => (await db.query('select count(*)::int as n from public.user_blocks where $1 in (blocker_id, blocked_id)', [thread.buyer.id])).rows[0].n);
	await block(thread.buyer.id, thread.seller.id);

	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, thread.buyer.email, `/products/${thread.product}`);
	await hydrated(page);
	const said = page.getByRole('status').filter({ hasText: 'You blocked Sam Seller. Unblock them to send messages.' });
	await expect(said).toBeVisible();
	await expect(page.getByRole('link', { name: 'Message seller' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Make an offer' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Go to the conversation' })).toHaveAttribute('href', thread.buyerUrl);

	// Unblocked from the page: it shows the ways to write again, without leaving it.
	await page.getByRole('button', { name: 'Unblock Sam Seller' }).click();
	await expect(page.getByRole('link', { name: 'Message seller' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Make an offer' })).toBeVisible();
	await expect(said).toHaveCount(0);
	await expect(page).toHaveURL(`/products/${thread.product}`);
	expect(await blocks()).toBe(0);

	// Without script, the same button lifts the block and opens the conversation, ready to write.
	await block(thread.buyer.id, thread.seller.id);
	const plain = await browser.newContext({ javaScriptEnabled: false });
	const plainPage = await plain.newPage();
	await signIn(plainPage, thread.buyer.email, `/products/${thread.product}`);
	await plainPage.getByRole('button', { name: 'Unblock Sam Seller' }).click();
	await expect(plainPage).toHaveURL(thread.buyerUrl);
	await expect(plainPage.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
	expect(await blocks()).toBe(0);
	await plain.close();

	// The seller blocked the buyer: the page says what the thread says, and offers no way to write.
	await block(thread.seller.id, thread.buyer.id);
	await page.reload();
	await hydrated(page);
	await expect(page.getByRole('status').filter({ hasText: 'Sam Seller is not accepting messages from you.' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Message seller' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Make an offer' })).toHaveCount(0);
	await expect(page.getByRole('button', { name: /Unblock/ })).toHaveCount(0);
	await context.close();
});
