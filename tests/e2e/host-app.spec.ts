import { expect, test } from './fixtures';
import { withDatabase } from './database';
import { DEMO, hydrated } from './session';

// tests/host-app is a marketplace of its own that uses the messaging module only through the
// package's exports (built by `npm run package`), mounted at /chat with its own sign-in. It
// runs on its own throwaway database (playwright.config.ts starts it).
const HOST = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4173) + 1}`;
const LAMP = 'a0000000-0000-4000-8000-000000000005';

test('a host app using only the package exports renders the inbox and sends a message on PostgreSQL', async ({ browser }) => {
	const buyerContext = await browser.newContext({ baseURL: HOST });
	const buyer = await buyerContext.newPage();
	await buyer.goto(`/sign-in?as=${DEMO.ben.id}&next=${encodeURIComponent(`/chat?conversation=${DEMO.lee.id}__${LAMP}`)}`);
	await hydrated(buyer);
	await expect(buyer.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
	await expect(buyer.getByRole('heading', { level: 2, name: 'Lee Seller' })).toBeVisible();
	// The module's links follow the host's options, not the demo's paths.
	await expect(buyer.locator('.thread-header').getByRole('link', { name: /Oak desk lamp/ })).toHaveAttribute('href', `/listing/${LAMP}`);

	const text = `Is the lamp still for sale? ${Date.now()}`;
	await buyer.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
	await buyer.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
	await expect(buyer.getByRole('list', { name: 'Messages' }).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
	await expect(buyer.getByRole('list', { name: 'Conversations' }).getByText(`You: ${text}`)).toBeVisible();

	const stored = await withDatabase(HOST, async (db) => (await db.query('select sender_id from public.messages where body = $1', [text])).rows);
	expect(stored).toEqual([{ sender_id: DEMO.ben.id }]);

	// The seller's inbox on the host shows it unread, and opening it shows the message.
	const sellerContext = await browser.newContext({ baseURL: HOST });
	const seller = await sellerContext.newPage();
	await seller.goto(`/sign-in?as=${DEMO.lee.id}`);
	await hydrated(seller);
	const preview = seller.locator(`a.preview[data-conversation-key="${DEMO.ben.id}__${LAMP}"]`);
	await expect(preview).toContainText(text);
	await expect(preview).toContainText('1 unread');
	await preview.click();
	await expect(seller.getByRole('list', { name: 'Messages' }).getByText(text)).toBeVisible();
	// Opening it marks it read.
	await expect(preview).not.toContainText('unread');
	await buyerContext.close();
	await sellerContext.close();
});
