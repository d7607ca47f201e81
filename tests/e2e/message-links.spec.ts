import { expect, test, type Browser, type Page } from './fixtures';
import { withDatabase } from './database';
import { DEMO, hydrated, signIn } from './session';

/**
 * Links and email addresses in a message open from both members' bubbles, in a new tab with
 * rel nofollow ugc, and a long URL wraps inside its bubble; with contact masking on, the
 * recipient gets no link at all, only "(contact details hidden)". The fixture fails either
 * test on a Content-Security-Policy violation or an uncaught page error.
 */

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const bubble = (page: Page, stamp: string) => thread(page).locator('li[data-message-id]', { hasText: stamp }).locator('.bubble-body');
const REL = 'noopener noreferrer nofollow ugc';

async function open(browser: Browser, email: string, path: string) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, email, path);
	await hydrated(page);
	await expect(page.locator('.connection-state')).toHaveCount(0);
	return { page, close: () => context.close() };
}

const masking = (baseURL: string | undefined, on: boolean) =>
	withDatabase(baseURL, (db) => db.query('update public.messaging_settings set contact_masking = $1', [on]));

test.afterEach(({ baseURL }) => masking(baseURL, false));

async function pair(browser: Browser) {
	const sam = await open(browser, DEMO.sam.email, `/messages?conversation=${DEMO.lee.id}__general`);
	const lee = await open(browser, DEMO.lee.email, `/messages?conversation=${DEMO.sam.id}__general`);
	return { sam: sam.page, lee: lee.page, close: () => Promise.all([sam.close(), lee.close()]) };
}

test('links and email addresses open from both members’ bubbles, in a new tab, and a long URL wraps', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	await masking(baseURL, false);
	const { sam, lee, close } = await pair(browser);
	try {
		const stamp = Date.now().toString(36);
		const long = `https://example.com/listing/${'a'.repeat(180)}`;
		await composer(sam).fill(`Photos (example.com/p/${stamp}), or mail sam@example.com. Also ${long}`);
		await composer(sam).press('Enter');

		for (const page of [sam, lee]) {
			const body = bubble(page, stamp);
			await expect(body.locator('a')).toHaveCount(3);
			const [site, mail, longLink] = [body.locator('a').nth(0), body.locator('a').nth(1), body.locator('a').nth(2)];
			// As written, without the brackets or the full stop around them.
			await expect(site).toHaveText(`example.com/p/${stamp}`);
			await expect(site).toHaveAttribute('href', `https://example.com/p/${stamp}`);
			await expect(mail).toHaveText('sam@example.com');
			await expect(mail).toHaveAttribute('href', 'mailto:sam@example.com');
			for (const link of [site, mail, longLink]) {
				await expect(link).toHaveAttribute('rel', REL);
				await expect(link).toHaveAttribute('target', '_blank');
			}
			await expect(body).toHaveAttribute('dir', 'auto');
			await expect(body).toHaveText(`Photos (example.com/p/${stamp}), or mail sam@example.com. Also ${long}`);
			// The long URL breaks across lines inside its bubble rather than widening it.
			const [linkBox, bubbleBox] = [await longLink.boundingBox(), await body.boundingBox()];
			expect(linkBox!.x + linkBox!.width).toBeLessThanOrEqual(bubbleBox!.x + bubbleBox!.width + 1);
			expect(linkBox!.height).toBeGreaterThan(2 * (await site.boundingBox())!.height);
		}
	} finally {
		await close();
	}
});

test('with contact masking on, the recipient sees no link, only that contact details are hidden', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	await masking(baseURL, true);
	const { sam, lee, close } = await pair(browser);
	try {
		const stamp = Date.now().toString(36);
		await composer(sam).fill(`See www.example.com/${stamp} (${stamp})`);
		await composer(sam).press('Enter');

		// The sender keeps their text, link included.
		await expect(bubble(sam, stamp).locator('a')).toHaveAttribute('href', `https://www.example.com/${stamp}`);
		// The recipient, live and after a reload: the masked text, nothing to click.
		for (const reload of [false, true]) {
			if (reload) {
				await lee.reload();
				await hydrated(lee);
			}
			await expect(bubble(lee, stamp)).toHaveText(`See (contact details hidden) (${stamp})`);
			await expect(bubble(lee, stamp).locator('a')).toHaveCount(0);
		}
	} finally {
		await close();
	}
});
