import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type Locator, type Page } from './fixtures';
import sharp from 'sharp';
import { readExif } from '../fixtures/photos/exif';
import { withDatabase } from './database';
import { buyersThread } from './fresh-thread';
import { DEMO, hydrated, signedInPage, signIn } from './session';

const CAMERA = 'a0000000-0000-4000-8000-000000000001';
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/photos/${name}`, import.meta.url));

const thread = (page: Page) => page.getByRole('list', { name: 'Messages' });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const messageRow = (page: Page, text: string) => thread(page).locator('li[data-message-id]', { hasText: text });
const history = (page: Page) => page.locator('.thread-history');
const fromBottom = (page: Page) => history(page).evaluate((box) => box.scrollHeight - box.scrollTop - box.clientHeight);
const loaded = (images: Locator) => images.evaluateAll((all) => all.map((img) => (img as HTMLImageElement).naturalWidth > 0));

/** Ana and Sam in their conversation about the camera (from the seed), each in a browser of their own. */
async function anaAndSam(browser: Browser) {
	const contexts = [await browser.newContext(), await browser.newContext()];
	const [ana, sam] = await Promise.all(contexts.map((context) => context.newPage()));
	await signIn(ana, DEMO.ana.email, `/messages?conversation=${DEMO.sam.id}__${CAMERA}`);
	await signIn(sam, DEMO.sam.email, `/messages?conversation=${DEMO.ana.id}__${CAMERA}`);
	await Promise.all([hydrated(ana), hydrated(sam)]);
	return { ana, sam, close: () => Promise.all(contexts.map((context) => context.close())) };
}

const attachmentRows = (baseURL: string | undefined) =>
	withDatabase(baseURL, async (db) => Number((await db.query('select count(*) as n from public.attachments')).rows[0].n));

/** A fresh buyer's thread, signed in, with one generated photo sent under `caption`: its row. */
async function sentPhoto(page: Page, baseURL: string | undefined, photo: { name: string; buffer: Buffer }, caption: string) {
	const chat = await buyersThread(baseURL);
	await signIn(page, chat.buyer.email, chat.buyerUrl);
	await hydrated(page);
	await page.getByLabel('Attach photos').setInputFiles([{ ...photo, mimeType: 'image/png' }]);
	await expect(page.getByRole('list', { name: 'Photos to send' }).getByText('Ready')).toHaveCount(1);
	await composer(page).fill(caption);
	await composer(page).press('Enter');
	return messageRow(page, caption);
}

test('photos: two attached, seen live by the other member (kept at the bottom, or where he scrolled to), opened in the viewer, served without GPS, and 404 to anyone else', async ({
	browser,
	baseURL
}) => {
	// Two browsers and three photos uploaded, resized and loaded: past the default 30 s on a busy machine.
	test.setTimeout(60_000);
	// The fixture really carries a GPS position, so its absence below means something.
	const original = await sharp(readFileSync(fixture('phone-gps.jpg'))).metadata();
	expect(readExif(original.exif!).gpsTags).toEqual(expect.arrayContaining([1, 2, 3, 4]));
	expect(original.xmp?.includes(Buffer.from('GPSLatitude'))).toBe(true);

	const { ana, sam, close } = await anaAndSam(browser);
	// A short window: one photo message is more than the thread's room, however little it held before.
	await sam.setViewportSize({ width: 1280, height: 560 });
	await expect.poll(() => fromBottom(sam)).toBe(0);
	await ana.getByLabel('Attach photos').setInputFiles([fixture('phone-gps.jpg'), fixture('shelf.png')]);
	const chips = ana.getByRole('list', { name: 'Photos to send' });
	await expect(chips.getByRole('listitem')).toHaveCount(2);
	await expect(chips.getByRole('progressbar')).toHaveCount(0);
	await composer(ana).fill('Here is the scratch, and the shelf it sat on');
	await composer(ana).press('Enter');
	await expect(ana.locator('li[data-status="sent"]', { hasText: 'Here is the scratch' })).toHaveCount(1);

	// Sam sees both thumbnails appear without reloading, each loaded at its reserved size.
	const row = messageRow(sam, 'Here is the scratch');
	const thumbnails = row.getByRole('button', { name: /^Open photo \d of 2$/ });
	await expect(thumbnails).toHaveCount(2);
	const images = row.locator('img[src*="/attachments/"]');
	await expect.poll(() => loaded(images)).toEqual([true, true]);
	// He was at the bottom and stays there, photos in view: whether to follow was judged once the
	// message was laid out below him, and a message this tall left him 200-odd pixels above it.
	await expect.poll(() => fromBottom(sam)).toBe(0);
	await expect(images.first()).toBeInViewport();

	// Scrolled up to read, he keeps his place while the next photo arrives below.
	const place = await history(sam).evaluate((box) => {
		box.scrollTop = box.scrollHeight - box.clientHeight - 200;
		return box.scrollTop;
	});
	await ana.getByLabel('Attach photos').setInputFiles([fixture('shelf.png')]);
	await expect(chips.getByText('Ready')).toHaveCount(1);
	await composer(ana).fill('And the box it came in');
	await composer(ana).press('Enter');
	await expect.poll(() => loaded(messageRow(sam, 'And the box it came in').locator('img'))).toEqual([true]);
	expect(await history(sam).evaluate((box) => box.scrollTop)).toBe(place);
	// What came below him is counted in a button that takes him down to it.
	const below = history(sam).getByRole('button', { name: '1 new message ↓' });
	await expect(below).toBeVisible();
	const at = (await below.boundingBox())!;
	await sam.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
	await expect.poll(() => fromBottom(sam)).toBe(0);
	await expect(below).toHaveCount(0);

	// The viewer: keyboard in, arrows, Escape, focus back to the thumbnail that opened it.
	await row.getByRole('button', { name: 'Open photo 1 of 2' }).click();
	const viewer = sam.getByRole('dialog', { name: /^Photo 1 of 2 from Ana/ });
	await expect(viewer).toBeVisible();
	await sam.keyboard.press('ArrowRight');
	await expect(sam.getByRole('dialog', { name: /^Photo 2 of 2 from Ana/ })).toBeVisible();
	// A finger's swipe to the right steps back, as ArrowLeft does; a mouse drag does not.
	const swipe = (pointerType: string) =>
		sam.locator('dialog figure').evaluate((figure, type) => {
			const at = (event: string, x: number) =>
				figure.dispatchEvent(new PointerEvent(event, { pointerType: type, pointerId: 7, clientX: x, clientY: 300, bubbles: true }));
			at('pointerdown', 100);
			at('pointerup', 260);
		}, pointerType);
	await swipe('mouse');
	await expect(sam.getByRole('dialog', { name: /^Photo 2 of 2 from Ana/ })).toBeVisible();
	await swipe('touch');
	await expect(sam.getByRole('dialog', { name: /^Photo 1 of 2 from Ana/ })).toBeVisible();
	await sam.keyboard.press('Escape');
	await expect(sam.getByRole('dialog')).toHaveCount(0);
	await expect(row.getByRole('button', { name: 'Open photo 1 of 2' })).toBeFocused();

	// What is served: WebP, upright (900×1200 shown), no EXIF, no XMP, no GPS anywhere in the bytes.
	const urls = await images.evaluateAll((all) => all.map((img) => (img as HTMLImageElement).src));
	const every = urls.flatMap((url) => [url, url.replace(/\/thumb$/, '/display')]);
	for (const url of every) {
		const response = await sam.request.get(url);
		expect(response.status()).toBe(200);
		expect(response.headers()['content-type']).toBe('image/webp');
		const bytes = await response.body();
		const meta = await sharp(bytes).metadata();
		expect(meta.format).toBe('webp');
		expect(meta.exif).toBeUndefined();
		expect(meta.xmp).toBeUndefined();
		expect(bytes.includes(Buffer.from('GPSLatitude'))).toBe(false);
		expect(bytes.includes(Buffer.from('TestPhone'))).toBe(false);
	}
	const display = await sharp(await (await sam.request.get(every[1])).body()).metadata();
	expect([display.width, display.height]).toEqual([900, 1200]);

	// Ben, in no conversation with Ana and Sam, and a visitor without a session: 404, never the image.
	const benContext = await browser.newContext();
	const ben = await benContext.newPage();
	await signIn(ben, DEMO.ben.email, '/messages');
	const visitor = await browser.newContext();
	for (const url of every) {
		expect((await ben.request.get(url)).status()).toBe(404);
		expect((await visitor.request.get(url)).status()).toBe(404);
	}
	await benContext.close();
	await visitor.close();
	await close();
});

test('a photo smaller than the thread shows it opens in the viewer no smaller than there', async ({ page, baseURL }) => {
	const small = await sharp({ create: { width: 100, height: 60, channels: 3, background: '#c0392b' } }).png().toBuffer();
	const row = await sentPhoto(page, baseURL, { name: 'stamp.png', buffer: small }, 'A small one');
	await expect.poll(() => loaded(row.locator('img'))).toEqual([true]);
	const inThread = (await row.locator('img').boundingBox())!;
	await row.getByRole('button', { name: /^Open photo/ }).click();
	const shown = page.getByRole('dialog').locator('img');
	await expect.poll(() => loaded(shown)).toEqual([true]);
	const inViewer = (await shown.boundingBox())!;
	expect(inViewer.width).toBeGreaterThanOrEqual(Math.min(inThread.width, 320) - 1);
	expect(inViewer.width / inViewer.height).toBeCloseTo(100 / 60, 1);
});

test('a photo’s caption is edited and taken away in its bubble; the photo stays', async ({ page, baseURL }) => {
	const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2e86c1' } }).png().toBuffer();
	const sent = await sentPhoto(page, baseURL, { name: 'lid.png', buffer: photo }, 'The scratch on the lid');
	// By its id from here: the caption it was found by goes.
	const row = page.locator(`#${await sent.getAttribute('id')}`);
	await expect(row).toHaveAttribute('data-status', 'sent');

	await row.hover();
	await row.getByRole('button', { name: 'Edit this message' }).click();
	const caption = page.getByRole('textbox', { name: 'Edit caption' });
	await caption.fill('');
	await page.getByRole('button', { name: 'Save' }).click();
	await expect(caption).toHaveCount(0);
	await expect(row.locator('.bubble-body')).toHaveCount(0);
	await expect(row.getByRole('button', { name: /^Open photo/ })).toHaveCount(1);
	await expect(row).toContainText('edited');

	await page.reload();
	await hydrated(page);
	await expect(row.getByRole('button', { name: /^Open photo/ })).toHaveCount(1);
	await expect(row.locator('.bubble-body')).toHaveCount(0);
	await expect(page.getByRole('link', { name: /Sam Seller/ }).first()).toContainText('Photo');
});

test('photos: a 12 MB file and a text file named .jpg are refused with a clear message, and nothing is stored', async ({
	browser,
	baseURL
}) => {
	const { ana, close } = await anaAndSam(browser);
	const before = await attachmentRows(baseURL);
	const big = { name: 'big.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(12 * 1024 * 1024)]) };
	const text = { name: 'not-a-photo.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('not-a-photo.jpg')) };

	await ana.getByLabel('Attach photos').setInputFiles([big, text]);
	const refusal = ana.getByRole('alert');
	await expect(refusal).toContainText('big.jpg is 12.0 MB; photos can be at most 10 MB.');
	await expect(refusal).toContainText('not-a-photo.jpg is not a photo we can send (JPEG, PNG, WebP or GIF).');
	await expect(ana.getByRole('list', { name: 'Photos to send' }).getByRole('listitem')).toHaveCount(0);

	// The server decides for itself, whatever the browser let through (same-origin, as the page's
	// own requests are). Its 413 for a body over 10 MB is answered before the body is read, which
	// tests/db/attachment-endpoints.test.ts checks with a client that reads early answers.
	const renamed = await ana.request.post('/messages/attachments', { multipart: { file: text }, headers: { origin: new URL(baseURL!).origin } });
	expect(renamed.status()).toBe(415);
	expect((await renamed.json()).message).toMatch(/JPEG, PNG, WebP or GIF/);

	expect(await attachmentRows(baseURL)).toBe(before);
	await close();
});

test('reactions toggle live both ways, with who reacted in the button’s name', async ({ browser }) => {
	const { ana, sam, close } = await anaAndSam(browser);
	await composer(ana).fill('Would you ship it to Lyon?');
	await composer(ana).press('Enter');
	const onSam = messageRow(sam, 'Would you ship it to Lyon?');
	const onAna = messageRow(ana, 'Would you ship it to Lyon?');
	await expect(onSam).toHaveCount(1);

	await onSam.hover();
	await onSam.getByRole('button', { name: 'Add reaction' }).click();
	await sam.getByRole('group', { name: 'Choose a reaction' }).getByRole('button', { name: 'React with 👍' }).click();
	await expect(onSam.getByRole('button', { name: /^👍 1: you$/ })).toHaveAttribute('aria-pressed', 'true');
	const thumbsOnAna = onAna.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /^👍 1: Sam/ });
	await expect(thumbsOnAna).toHaveAttribute('aria-pressed', 'false');

	// Ana adds hers on the same emoji; Sam sees the count go to two, then back when she takes it back.
	await thumbsOnAna.click();
	await expect(onSam.getByRole('button', { name: /^👍 2: you and Ana/ })).toBeVisible();
	await onAna.getByRole('button', { name: /^👍 2/ }).click();
	await expect(onSam.getByRole('button', { name: /^👍 1: you$/ })).toBeVisible();

	// Sam takes his back: no reactions left on either side.
	await onSam.getByRole('button', { name: /^👍 1: you$/ }).click();
	await expect(onAna.getByRole('group', { name: 'Reactions' }).getByRole('button')).toHaveCount(0);
	await close();
});

test('by keyboard, removing a photo moves the focus to the next one’s ×, the last one’s to the message box, and so does dismissing a refusal', async ({
	page,
	baseURL
}) => {
	const fresh = await buyersThread(baseURL);
	await signIn(page, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(page);
	await page.getByLabel('Attach photos').setInputFiles([fixture('shelf.png'), fixture('phone-gps.jpg')]);
	const chips = page.getByRole('list', { name: 'Photos to send' }).getByRole('listitem');
	await expect(chips.filter({ hasText: 'Ready' })).toHaveCount(2);

	await page.getByRole('button', { name: 'Remove shelf.png' }).focus();
	await page.keyboard.press('Enter');
	await expect(chips).toHaveCount(1);
	await expect(page.getByRole('button', { name: 'Remove phone-gps.jpg' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(chips).toHaveCount(0);
	await expect(composer(page)).toBeFocused();

	await page.getByLabel('Attach photos').setInputFiles([fixture('not-a-photo.jpg')]);
	const dismiss = page.getByRole('alert').getByRole('button', { name: 'Dismiss' });
	await dismiss.focus();
	await page.keyboard.press('Enter');
	await expect(dismiss).toHaveCount(0);
	await expect(composer(page)).toBeFocused();
});

test('by keyboard, taking back one’s only reaction moves the focus to the next reaction, the last one’s to its message', async ({ page, baseURL }) => {
	const fresh = await buyersThread(baseURL);
	await signIn(page, fresh.buyer.email, fresh.buyerUrl);
	await hydrated(page);
	const row = messageRow(page, 'Saturday at 10 works for me.');
	for (const emoji of ['👍', '❤️']) {
		await row.hover();
		await row.getByRole('button', { name: 'Add reaction' }).click();
		await page.getByRole('group', { name: 'Choose a reaction' }).getByRole('button', { name: `React with ${emoji}` }).click();
		await expect(row.getByRole('button', { name: `${emoji} 1: you` })).toBeVisible();
	}
	await row.getByRole('button', { name: '👍 1: you' }).focus();
	await page.keyboard.press('Enter');
	await expect(row.getByRole('button', { name: '👍 1: you' })).toHaveCount(0);
	await expect(row.getByRole('button', { name: '❤️ 1: you' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(row.getByRole('group', { name: 'Reactions' })).toHaveCount(0);
	await expect(row).toBeFocused();
});

test('the photo viewer keeps Tab inside it: past Close the focus comes back to its buttons, not stranded on the page behind', async ({ browser, baseURL }) => {
	const fresh = await buyersThread(baseURL, { earlier: 30 });
	const buyer = await signedInPage(browser, fresh.buyer.email, fresh.buyerUrl);
	const seller = await signedInPage(browser, fresh.seller.email, `/messages?conversation=${fresh.buyer.id}__${fresh.product}`);
	try {
		await buyer.page.getByLabel('Attach photos').setInputFiles([fixture('shelf.png'), fixture('phone-gps.jpg')]);
		await expect(buyer.page.getByRole('list', { name: 'Photos to send' }).getByRole('listitem').filter({ hasText: 'Ready' })).toHaveCount(2);
		await composer(buyer.page).fill('Two angles');
		await composer(buyer.page).press('Enter');
		const row = messageRow(seller.page, 'Two angles');
		await row.getByRole('button', { name: 'Open photo 2 of 2' }).click();
		const viewer = seller.page.getByRole('dialog', { name: 'Photo 2 of 2 from Robin Buyer' });
		await expect(viewer.getByRole('button', { name: 'Close photo' })).toBeFocused();
		// Past its last button a modal dialog lets the focus out to the browser's own controls (the
		// page, headless); its buttons stay Tab stops meanwhile, so the next Tab is back on the first.
		await seller.page.keyboard.press('Tab');
		await expect(viewer.getByRole('button', { name: 'Close photo' })).not.toBeFocused();
		const tabStops = () => viewer.getByRole('button').evaluateAll((buttons) => buttons.map((button) => (button as HTMLElement).tabIndex));
		expect(await tabStops()).toEqual([0, 0, 0]);
		await seller.page.keyboard.press('Tab');
		// A viewer taller than the window scrolls, and Chromium stops on it first, as on any scroller.
		if (await viewer.evaluate((dialog) => dialog === document.activeElement)) await seller.page.keyboard.press('Tab');
		await expect(viewer.getByRole('button', { name: 'Previous photo' })).toBeFocused();
		await seller.page.keyboard.press('Escape');
		await expect(viewer).toHaveCount(0);
	} finally {
		await buyer.close();
		await seller.close();
	}
});
