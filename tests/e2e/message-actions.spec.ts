import { expect, test, type Page } from './fixtures';
import { buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]');
/** Where every message of the thread is on the screen. */
const tops = (page: Page) => messages(page).evaluateAll((rows) => rows.map((row) => Math.round(row.getBoundingClientRect().top * 10) / 10));

for (const width of [375, 900, 1280]) {
	test(`at ${width} px a message's actions show over it: hovering or focusing one moves no other message`, async ({ page, baseURL }) => {
		await page.setViewportSize({ width, height: 800 });
		const thread = await buyersThread(baseURL, { earlier: 4 });
		await signIn(page, thread.buyer.email, thread.buyerUrl);
		await hydrated(page);
		await expect(messages(page)).toHaveCount(8);
		await page.mouse.move(0, 0);
		// Once the thread has opened where it opens (at its bottom, photos and fonts laid out).
		let before: number[] = [];
		await expect
			.poll(async () => {
				const previous = before;
				before = await tops(page);
				return JSON.stringify(before) === JSON.stringify(previous);
			})
			.toBe(true);

		// Sam's message and one's own, in the middle of the thread, and the newest at its bottom.
		for (const text of ['Yes, it is.', 'Great. Could I see it', 'Saturday at 10 works']) {
			const row = messages(page).filter({ hasText: text });
			await row.hover();
			await expect(row.getByRole('button', { name: 'Reply to this message' })).toBeVisible();
			expect(await tops(page)).toEqual(before);
			await page.waitForTimeout(400);
			await page.screenshot({ path: test.info().outputPath(`hover-${width}-${text.slice(0, 5)}.png`) });
		}
		// Focused by the keyboard, the same.
		await messages(page).filter({ hasText: 'Yes, it is.' }).focus();
		await page.mouse.move(0, 0);
		expect(await tops(page)).toEqual(before);

		// Shown, they are there to click: nothing of the messages around covers them.
		const row = messages(page).filter({ hasText: 'Great. Could I see it' });
		await row.hover();
		await row.getByRole('button', { name: 'Reply to this message' }).click();
		await expect(page.getByText(/^Replying to/)).toBeVisible();
		const sams = messages(page).filter({ hasText: 'Yes, it is.' });
		await sams.hover();
		// The reaction picker and the report's reasons one at a time.
		await sams.getByRole('button', { name: 'Add reaction' }).click();
		await expect(page.getByRole('group', { name: 'Choose a reaction' })).toBeVisible();
		await sams.hover();
		await sams.getByRole('button', { name: 'Report this message' }).click();
		await expect(sams.getByRole('button', { name: 'Report this message' })).toHaveAttribute('aria-expanded', 'true');
		await expect(page.getByRole('group', { name: 'Choose a reaction' })).toHaveCount(0);
	});
}

test('a message at the top of the view shows its actions inside it, not under the thread header, and they can be clicked', async ({ page, baseURL }) => {
	await page.setViewportSize({ width: 1280, height: 600 });
	const thread = await buyersThread(baseURL, { earlier: 12 });
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const row = messages(page).filter({ hasText: 'Earlier message 6.' });
	// Its top edge 4 px under the top of the thread's view.
	await row.evaluate((element) => {
		const box = element.closest<HTMLElement>('.thread-history')!;
		box.scrollTop += element.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
	});
	await row.hover();
	const reply = row.getByRole('button', { name: 'Reply to this message' });
	await expect(reply).toBeVisible();
	// What a click there hits, without Playwright's own scrolling into view first.
	await page.waitForTimeout(300);
	const box = (await reply.boundingBox())!;
	const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.getAttribute('aria-label') ?? null, [box.x + box.width / 2, box.y + box.height / 2]);
	expect(hit).toBe('Reply to this message');
	await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
	await expect(page.getByText(/^Replying to/)).toBeVisible();
});

test('one message’s actions at a time: a message focused by a click gives way to the one hovered, one focused from the keyboard keeps them', async ({ page, baseURL }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	const thread = await buyersThread(baseURL, { earlier: 4 });
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const sams = messages(page).filter({ hasText: 'Yes, it is.' });
	const mine = messages(page).filter({ hasText: 'Great. Could I see it' });
	const shown = (row: ReturnType<typeof messages>) => row.locator('.bubble-actions').evaluate((bar) => getComputedStyle(bar).opacity);

	// The picker opened and closed again by the mouse: the focus stays on Add reaction.
	await sams.hover();
	const addReaction = sams.getByRole('button', { name: 'Add reaction' });
	await addReaction.click();
	await addReaction.click();
	await expect(page.getByRole('group', { name: 'Choose a reaction' })).toHaveCount(0);
	await expect(addReaction).toBeFocused();
	await mine.hover();
	await expect.poll(() => shown(mine)).toBe('1');
	await expect.poll(() => shown(sams)).toBe('0');

	// From the keyboard, the focused button's actions stay while the pointer rests on another message.
	await page.keyboard.press('Shift+Tab');
	await expect(sams.getByRole('button', { name: 'Reply to this message' })).toBeFocused();
	await expect.poll(() => shown(sams)).toBe('1');
	await mine.hover();
	await expect.poll(() => shown(sams)).toBe('1');
});
