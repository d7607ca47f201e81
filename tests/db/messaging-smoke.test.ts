import { describe, expect, it } from 'vitest';
import { testPool } from '../support/database.ts';
import { marketplace, send } from '../support/messaging.ts';

const db = testPool();

describe('smoke', () => {
	it('buyer sends, seller sees preview and replies', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const opened = await buyer.api.openConversation({ otherUserId: seller.id, productId: product.id });
		expect(opened.conversation_id).toBeNull();
		const m = await send(buyer, seller, '  Hello, still available?  ', product.id);
		expect(m.body).toBe('Hello, still available?');
		const inbox = await seller.api.listConversationPreviews();
		expect(inbox.previews).toHaveLength(1);
		expect(inbox.previews[0].unread_count).toBe(1);
		expect(await seller.api.unreadTotal()).toBe(1);
		const read = await seller.api.markConversationRead({ conversationId: m.conversation_id });
		expect(read.unread_count).toBe(0);
		const page = await seller.api.listMessages({ conversationId: m.conversation_id });
		expect(page.messages.map((x) => x.body)).toEqual(['Hello, still available?']);
		const hits = await seller.api.searchMessages({ query: 'avail' });
		expect(hits.hits).toHaveLength(1);
		const edited = await buyer.api.editMessage({ id: m.id, body: 'Edited' });
		expect(edited.edited_at).not.toBeNull();
		const deleted = await buyer.api.deleteMessage({ id: m.id });
		expect(deleted.body).toBe('');
		await seller.api.setArchived({ conversationId: m.conversation_id, archived: true });
		await seller.api.setMuted({ conversationId: m.conversation_id, until: 'infinity' });
		await seller.api.blockUser({ userId: buyer.id });
		await expect(send(buyer, seller, 'hi', product.id)).rejects.toMatchObject({ code: 'blocked' });
		await seller.api.unblockUser({ userId: buyer.id });
		const m2 = await send(buyer, seller, 'again', product.id);
		const report = await seller.api.reportMessage({ messageId: m2.id, reason: 'spam' });
		expect(report.message_id).toBe(m2.id);
		const purged = await db.query('select * from public.purge_expired_messages()');
		expect(purged.rows).toEqual([]);
	});
});
