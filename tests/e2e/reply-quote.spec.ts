import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { bothMembers, buyersThread } from './fresh-thread';
import { hydrated, signIn } from './session';

test('a reply’s quote leads to the message it answers: older than the page, it is loaded, shown and focused, by mouse or by keyboard', async ({ page, baseURL }) => {
	// 60 earlier messages: the first of them is not on the thread's newest page of 50.
	const thread = await buyersThread(baseURL, { earlier: 60 });
	await withDatabase(baseURL, (db) =>
		db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, created_at, expires_at)
			 select gen_random_uuid(), m.conversation_id, $1, 'About your very first question: yes.', m.id, now(), now() + interval '30 days'
			   from public.messages m where m.body = 'Earlier message 1.' and m.sender_id = $2`,
			[thread.seller.id, thread.buyer.id]
		).then(() =>
			// All read: the thread opens at its bottom, not at an unread run it would load back to.
			db.query(`update public.conversation_members set last_read_at = now() + interval '1 second', unread_count = 0 where user_id = $1`, [thread.buyer.id])
		)
	);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const list = page.getByRole('list', { name: 'Messages' });
	// By its own text: the reply's quote says it too.
	const original = list.locator('li[data-message-id]').filter({ has: page.locator('.bubble-body', { hasText: /^Earlier message 1\.$/ }) });
	await expect(original).toHaveCount(0);

	const reply = list.locator('li[data-message-id]', { hasText: 'About your very first question' });
	// The author and the text told apart by a colon (Chromium puts a space on each side of the
	// hidden one: its own line's end, and the hidden span's).
	const quote = reply.getByRole('link', { name: /^In reply to You ?: Earlier message 1\.$/ });
	await quote.click();
	await expect(original).toBeInViewport();
	await expect(original).toBeFocused();

	// By keyboard, back at the bottom: from the reply, Tab to its quote, Enter.
	await original.evaluate((row) => row.closest('.thread-history')!.scrollTo({ top: 1e9 }));
	await expect(original).not.toBeInViewport();
	await reply.focus();
	await page.keyboard.press('Tab');
	await expect(quote).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(original).toBeInViewport();
	await expect(original).toBeFocused();
});

test('the reply being written follows the message it answers: the other member’s edit shows in the composer, and their deletion leaves “Message deleted”, not the taken-back text', async ({
	browser,
	baseURL
}) => {
	const { buyer, seller, close } = await bothMembers(browser, baseURL);
	try {
		const sellersRow = seller.locator('li[data-message-id]', { hasText: 'Saturday at 10 works for me.' });
		const buyersRow = buyer.locator('li[data-message-id]', { hasText: 'Saturday at 10 works for me.' });
		await buyersRow.hover();
		await buyersRow.getByRole('button', { name: 'Reply to this message' }).click();
		const replying = buyer.locator('.composer-reply');
		await expect(replying).toContainText('Saturday at 10 works for me.');
		await buyer.keyboard.type('See you then');

		await sellersRow.hover();
		await sellersRow.getByRole('button', { name: 'Edit this message' }).click();
		const editBox = seller.getByRole('textbox', { name: 'Edit message' });
		await editBox.fill('Saturday at 11 works for me.');
		await editBox.press('Enter');
		await expect(replying).toContainText('Saturday at 11 works for me.');

		seller.once('dialog', (dialog) => void dialog.accept());
		const edited = seller.locator('li[data-message-id]', { hasText: 'Saturday at 11 works for me.' });
		await edited.hover();
		await edited.getByRole('button', { name: 'Delete this message' }).click();
		await expect(replying).toContainText('Message deleted');
		await expect(replying).not.toContainText('Saturday');
		// What was typed stays, and the reply still goes, quoting the deletion as the thread does.
		const box = buyer.getByRole('textbox', { name: 'Message', exact: true });
		await expect(box).toHaveValue('See you then');
		await box.press('Enter');
		const sent = buyer.locator('li[data-status="sent"]', { hasText: 'See you then' });
		await expect(sent.locator('blockquote')).toContainText('Message deleted');
	} finally {
		await close();
	}
});

test('Cancel reply by keyboard gives the focus back to the message box, with what was typed', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const row = page.locator('li[data-message-id]', { hasText: 'Saturday at 10 works for me.' });
	await row.hover();
	await row.getByRole('button', { name: 'Reply to this message' }).click();
	const box = page.getByRole('textbox', { name: 'Message', exact: true });
	await expect(box).toBeFocused();
	await page.keyboard.type('On second thought');
	await page.getByRole('button', { name: 'Cancel reply' }).focus();
	await page.keyboard.press('Enter');
	await expect(page.locator('.composer-reply')).toHaveCount(0);
	await expect(box).toBeFocused();
	await expect(box).toHaveValue('On second thought');
});

test('following a second quote moves the highlight to the message it answers: one message is highlighted, not every one followed', async ({ page, baseURL }) => {
	const thread = await buyersThread(baseURL);
	await withDatabase(baseURL, (db) =>
		db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, created_at, expires_at)
			 select gen_random_uuid(), m.conversation_id, $1, 'Answering: ' || m.body, m.id, now() + (row_number() over (order by m.created_at)) * interval '1 second', now() + interval '30 days'
			   from public.messages m where m.sender_id = $2`,
			[thread.seller.id, thread.buyer.id]
		)
	);
	await signIn(page, thread.buyer.email, thread.buyerUrl);
	await hydrated(page);
	const list = page.getByRole('list', { name: 'Messages' });
	const original = (text: string) => list.locator('li[data-message-id]').filter({ has: page.locator('.bubble-body', { hasText: new RegExp(`^${text}$`) }) });
	const first = original('Hi! Is the bike still available\\?');
	const second = original('Great\\. Could I see it on Saturday morning\\?');
	await list.getByRole('link', { name: /^In reply to You ?: Hi! Is the bike/ }).click();
	await expect(first).toBeFocused();
	await expect(first).toHaveClass(/highlight/);
	await list.getByRole('link', { name: /^In reply to You ?: Great\. Could I see it/ }).click();
	await expect(second).toBeFocused();
	await expect(second).toHaveClass(/highlight/);
	await expect(first).not.toHaveClass(/highlight/);
	await expect(list.locator('li.highlight')).toHaveCount(1);
});

test('after a reply’s quote was followed, a new message leaves the focus in the message box: the thread does not go back to the quote', async ({ browser, baseURL }) => {
	const { buyer, seller, close } = await bothMembers(browser, baseURL);
	try {
		const firstId = await buyer.locator('li[data-message-id]', { hasText: 'Hi! Is the bike still available?' }).first().getAttribute('data-message-id');
		const first = buyer.locator(`li[data-message-id="${firstId}"]`);
		await first.hover();
		await first.getByRole('button', { name: 'Reply to this message' }).click();
		await buyer.keyboard.type('Following up');
		await buyer.keyboard.press('Enter');
		const reply = buyer.locator('li[data-message-id][data-status="sent"]', { hasText: 'Following up' });
		await expect(reply).toBeVisible();
		await reply.locator('a.bubble-quote-link').click();
		await expect(first).toBeFocused();
		const composer = buyer.locator('#composer-body');
		await composer.click();
		await buyer.keyboard.type('I am writing');
		await seller.locator('#composer-body').fill('One more thing');
		await seller.locator('#composer-body').press('Enter');
		await expect(buyer.locator('li[data-message-id]', { hasText: 'One more thing' })).toBeVisible();
		// A moment for a jump back to the quote, had it come.
		await buyer.waitForTimeout(500);
		await expect(composer).toHaveValue('I am writing');
		await expect(composer).toBeFocused();
	} finally {
		await close();
	}
});
