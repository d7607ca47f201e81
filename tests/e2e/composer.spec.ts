import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { expect, test, type Page } from './fixtures';
import { buyersThread } from './fresh-thread';
import { DEMO, hydrated, signIn } from './session';

// Ben and Lee about the bike (from the seed); Lee's unread count there is nobody's concern.
const BIKE = 'a0000000-0000-4000-8000-000000000004';

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const chips = (page: Page) => page.getByRole('list', { name: 'Photos to send' });

/** `count` small, different PNGs with long names, as a phone's camera names them. */
async function photoFiles(dir: string, count: number): Promise<string[]> {
	mkdirSync(dir, { recursive: true });
	const paths: string[] = [];
	for (let i = 0; i < count; i++) {
		const path = `${dir}/IMG_20261206_1830${String(i).padStart(2, '0')}_bike_detail.png`;
		await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } })
			.png()
			.toFile(path);
		paths.push(path);
	}
	return paths;
}

async function openBike(page: Page) {
	await signIn(page, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${BIKE}`);
	await hydrated(page);
	await expect(composer(page)).toBeVisible();
}

test('six photos on a phone: the chips take a bounded strip that scrolls sideways, and the thread keeps its room', async ({ page }, testInfo) => {
	await page.setViewportSize({ width: 375, height: 740 });
	await openBike(page);
	const history = page.locator('.thread-history');
	const before = (await history.boundingBox())!.height;

	await page.getByLabel('Attach photos').setInputFiles(await photoFiles(testInfo.outputPath('photos'), 6));
	await expect(chips(page).getByRole('listitem')).toHaveCount(6);
	await expect(chips(page).getByText('Ready')).toHaveCount(6);
	await page.screenshot({ path: testInfo.outputPath('six-chips.png') });

	// One chip high, not six: the thread loses no more than that.
	const chip = (await chips(page).getByRole('listitem').first().boundingBox())!;
	const strip = (await chips(page).boundingBox())!;
	expect(strip.height).toBeLessThan(chip.height * 1.5);
	expect((await history.boundingBox())!.height).toBeGreaterThan(before - chip.height * 1.5);
	// Sideways within the composer, never the page.
	expect(strip.x + strip.width).toBeLessThanOrEqual(375);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	// The last chip is reachable: Tab to its remove button brings it into view.
	const lastRemove = chips(page).getByRole('button', { name: /^Remove / }).last();
	await lastRemove.focus();
	await expect(lastRemove).toBeInViewport();

	for (let i = 0; i < 6; i++) await chips(page).getByRole('button', { name: /^Remove / }).first().click();
	await expect(chips(page)).toHaveCount(0);
});

test('Send clicked before the page has its script: the message goes once, and the page after it has an empty box, not the sent text back as a draft', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	// The page's script held back until the send is on its way, and the send's answer until the
	// script has run: the page comes alive with the typed text in its box while the post travels.
	let releaseScript!: () => void;
	const scriptHeld = new Promise<void>((resolve) => (releaseScript = resolve));
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await scriptHeld;
		await route.continue();
	});
	let releaseAnswer!: () => void;
	const answerHeld = new Promise<void>((resolve) => (releaseAnswer = resolve));
	await page.route(/\/messages\?.*\/send/, async (route) => {
		if (route.request().method() !== 'POST') return route.continue();
		releaseScript();
		await answerHeld;
		await route.continue();
	});
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	const text = `Typed before the script ${Date.now()}`;
	await composer(page).fill(text);
	// The old page alive: its event stream opens once it has hydrated.
	const cameAlive = page.waitForRequest((request) => request.resourceType() === 'eventsource');
	await page.getByRole('button', { name: 'Send' }).click({ noWaitAfter: true });
	await cameAlive;
	releaseAnswer();
	await page.waitForURL(/&\/send$/);

	await expect(page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]', { hasText: text })).toHaveCount(1);
	await hydrated(page);
	await expect(composer(page)).toHaveValue('');
	await page.reload();
	await hydrated(page);
	await expect(composer(page)).toHaveValue('');
});
