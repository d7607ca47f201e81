import { withDatabase } from './database';
import { expect, test } from './fixtures';
import { buyersThread } from './fresh-thread';
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
