import { expect, test, type Page } from './fixtures';
import { buyersThread } from './fresh-thread';
import { DEMO, hydrated, signIn } from './session';

// Ben and Lee about the bike: Lee already has Ben's seeded message unread there, and no other
// spec counts what Ben adds to it (messaging-ui.spec.ts sends there too).
const BIKE = 'a0000000-0000-4000-8000-000000000004';

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const messageRow = (page: Page, text: string) => page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]', { hasText: text });

test('editing by keyboard: Enter on Edit puts the caret at the end of the text, Escape cancels, and focus goes back to Edit after Cancel and Save', async ({
	page
}) => {
	await signIn(page, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${BIKE}`);
	await hydrated(page);
	const text = `Could you hold it until Sunday? ${Date.now()}`;
	await composer(page).fill(text);
	await composer(page).press('Enter');
	const row = page.locator('li[data-status="sent"]', { hasText: text });
	await expect(row).toHaveCount(1);
	const id = await row.getAttribute('data-message-id');
	const mine = page.locator(`[data-message-id="${id}"]`);
	const editButton = mine.getByRole('button', { name: 'Edit this message' });
	const editBox = page.getByRole('textbox', { name: 'Edit message' });

	// Enter on Edit: the box has focus, the caret after the last character.
	await editButton.focus();
	await page.keyboard.press('Enter');
	await expect(editBox).toBeFocused();
	const end = text.length;
	expect(await editBox.evaluate((box: HTMLTextAreaElement) => [box.selectionStart, box.selectionEnd])).toEqual([end, end]);

	// Escape leaves the text as it was and gives focus back to Edit.
	await page.keyboard.type(' (typed, then abandoned)');
	await page.keyboard.press('Escape');
	await expect(editBox).toHaveCount(0);
	await expect(mine.locator('.bubble-body')).toHaveText(text);
	await expect(editButton).toBeFocused();

	// Cancel does the same.
	await page.keyboard.press('Enter');
	await expect(editBox).toBeFocused();
	await page.getByRole('button', { name: 'Cancel' }).focus();
	await page.keyboard.press('Enter');
	await expect(editBox).toHaveCount(0);
	await expect(editButton).toBeFocused();

	// Save: the new text is shown and focus is back on Edit, ready for the next change.
	await page.keyboard.press('Enter');
	await expect(editBox).toBeFocused();
	await page.keyboard.type(', please');
	await page.getByRole('button', { name: 'Save' }).focus();
	await page.keyboard.press('Enter');
	await expect(editBox).toHaveCount(0);
	await expect(mine.locator('.bubble-body')).toHaveText(`${text}, please`);
	await expect(mine.getByText('edited', { exact: true })).toBeVisible();
	await expect(editButton).toBeFocused();
	await expect(messageRow(page, `${text}, please`)).toHaveCount(1);
});

test('editing keeps the composer’s keys: Enter saves, Shift+Enter makes a new line, and Enter while composing an IME character saves nothing', async ({
	page,
	baseURL
}) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const text = 'Great. Could I see it on Saturday morning?';
	const mine = messageRow(page, text);
	const editBox = page.getByRole('textbox', { name: 'Edit message' });
	await mine.getByRole('button', { name: 'Edit this message' }).focus();
	await page.keyboard.press('Enter');
	await expect(editBox).toBeFocused();

	await page.keyboard.type(' Or Sunday?');
	await page.keyboard.press('Shift+Enter');
	await page.keyboard.type('Either works.');
	await expect(editBox).toHaveValue(`${text} Or Sunday?\nEither works.`);

	// An IME's Enter confirms the character being composed: it is not the writer's Enter.
	await editBox.evaluate((box) => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true })));
	await expect(editBox).toBeVisible();

	await page.keyboard.press('Enter');
	await expect(editBox).toHaveCount(0);
	await expect(mine.getByText('edited', { exact: true })).toBeVisible();
	expect(await mine.locator('.bubble-body').textContent()).toBe(`${text} Or Sunday?\nEither works.`);
});

for (const width of [375, 900, 1280]) {
	test(`at ${width} px the edit box and its Save and Cancel stay inside the bubble and in sight`, async ({ browser }) => {
		const context = await browser.newContext({ viewport: { width, height: 800 } });
		const page = await context.newPage();
		await signIn(page, DEMO.ben.email, `/messages?conversation=${DEMO.lee.id}__${BIKE}`);
		await hydrated(page);
		// A thread taller than the window, read from a little above the bottom: the edit box grows
		// the last message downwards, past the bottom edge, and no pinning follows it there.
		await composer(page).fill(Array.from({ length: 30 }, (_, line) => `Line ${line}`).join('\n'));
		await composer(page).press('Enter');
		const text = `Width check ${width} ${Date.now()}`;
		await composer(page).fill(text);
		await composer(page).press('Enter');
		const row = page.locator('li[data-status="sent"]', { hasText: text });
		await expect(row).toHaveCount(1);
		const mine = page.locator(`[data-message-id="${await row.getAttribute('data-message-id')}"]`);
		await mine.click();
		await page.getByRole('list', { name: 'Messages' }).evaluate((list) => list.closest('.thread-history')!.scrollBy(0, -40));
		// The scroll left the pointer over another message, whose actions now show instead: back on this one.
		await mine.hover();
		await mine.getByRole('button', { name: 'Edit this message' }).click();
		const bubble = (await mine.locator('.bubble').boundingBox())!;
		for (const part of [page.getByRole('textbox', { name: 'Edit message' }), mine.getByRole('button', { name: 'Save' }), mine.getByRole('button', { name: 'Cancel' })]) {
			await expect(part).toBeInViewport({ ratio: 1 });
			const box = (await part.boundingBox())!;
			expect(box.x).toBeGreaterThanOrEqual(bubble.x);
			expect(box.x + box.width).toBeLessThanOrEqual(bubble.x + bubble.width + 0.5);
		}
		await context.close();
	});
}

test('deleting by keyboard leaves focus on the message, now "Message deleted", not on the page', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const row = messageRow(page, 'Could I see it on Saturday morning?');
	const deleteButton = row.getByRole('button', { name: 'Delete this message' });
	await row.focus();
	await deleteButton.focus();
	page.once('dialog', (dialog) => void dialog.accept());
	await page.keyboard.press('Enter');
	await expect(row).toHaveCount(0);
	const deleted = page.getByRole('list', { name: 'Messages' }).locator('li[data-message-id]', { hasText: 'Message deleted' });
	await expect(deleted).toHaveCount(1);
	await expect(deleted).toBeFocused();
	// The thread keeps its place in the Tab order: from the message, Shift+Tab goes back before the thread, Tab comes back to it.
	await page.keyboard.press('Shift+Tab');
	await page.keyboard.press('Tab');
	await expect(deleted).toBeFocused();
});

test('the edit box is as tall as the message it edits: ten lines show whole, none scrolled inside it', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const text = Array.from({ length: 10 }, (_, line) => `Line ${line + 1} of a long question`).join('\n');
	await composer(page).fill(text);
	await composer(page).press('Enter');
	const mine = page.locator('li[data-status="sent"]', { hasText: 'Line 10 of a long question' });
	await expect(mine).toHaveCount(1);
	await mine.getByRole('button', { name: 'Edit this message' }).focus();
	await page.keyboard.press('Enter');
	const editBox = page.getByRole('textbox', { name: 'Edit message' });
	await expect(editBox).toHaveValue(text);
	expect(await editBox.evaluate((box) => box.scrollHeight - box.clientHeight)).toBeLessThanOrEqual(1);
});

test('an edit being typed keeps its text when the same message is edited in another tab', async ({ browser, baseURL }) => {
	const thread = await buyersThread(baseURL);
	const context = await browser.newContext();
	try {
		const tabA = await context.newPage();
		await signIn(tabA, thread.buyer.email, thread.buyerUrl);
		await hydrated(tabA);
		const tabB = await context.newPage();
		await tabB.goto(thread.buyerUrl);
		await hydrated(tabB);
		const id = await tabA.locator('li[data-message-id]', { hasText: 'Great. Could I see it on Saturday morning?' }).getAttribute('data-message-id');
		const row = (page: typeof tabA) => page.locator(`li[data-message-id="${id}"]`);
		await row(tabA).hover();
		await row(tabA).getByRole('button', { name: 'Edit this message' }).click();
		await row(tabA).locator('textarea').fill('Great. Could I see it on Sunday instead?');
		await row(tabB).hover();
		await row(tabB).getByRole('button', { name: 'Edit this message' }).click();
		await row(tabB).locator('textarea').fill('Edited in the other tab');
		await row(tabB).locator('textarea').press('Enter');
		await expect(row(tabB)).toContainText('Edited in the other tab');
		// The other tab's edit reaches this one as an event; a moment for it to have come.
		await expect(row(tabA).locator('.bubble-edit')).toHaveCount(1);
		await tabA.waitForTimeout(2000);
		await expect(row(tabA).locator('textarea')).toHaveValue('Great. Could I see it on Sunday instead?');
	} finally {
		await context.close();
	}
});
