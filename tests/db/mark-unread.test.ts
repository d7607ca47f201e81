// "Mark as unread" against the real database: a read conversation counts as one unread message
// in the inbox, the Unread filter and the badge total until it is read or written in again, the
// other member keeps "Seen", and the member's other tabs are told of each change.
import { describe, expect, it } from 'vitest';
import { testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, previewOf, rejection, send } from '../support/messaging.ts';

const db = testPool();

async function unreadIds(actor: Actor): Promise<string[]> {
	return (await actor.api.listConversationPreviews({ filter: 'unread', limit: 99 })).previews.map((p) => p.conversation_id);
}

/** A buyer's question the seller has read, and the seller's inbox after reading it. */
async function readConversation() {
	const [buyer, seller] = [await createActor(db), await createActor(db)];
	const product = await createProduct(db, seller.id);
	const question = await send(buyer, seller, 'Is it still available?', product.id);
	const id = question.conversation_id;
	await seller.api.markConversationRead({ conversationId: id });
	return { buyer, seller, product, id, question };
}

describe('mark as unread', () => {
	it('counts a read conversation as one unread message, without moving the read position', async () => {
		const { buyer, seller, id, question } = await readConversation();
		expect(await unreadIds(seller)).toEqual([]);

		const state = await seller.api.markConversationUnread({ conversationId: id });
		expect(state).toMatchObject({ conversation_id: id, unread_count: 1, last_read_message_id: question.id });
		expect((await previewOf(seller, id)).unread_count).toBe(1);
		expect(await unreadIds(seller)).toEqual([id]);
		expect(await seller.api.unreadTotal()).toBe(1);
		// The buyer's "Seen" stays: the seller did read the question.
		expect((await previewOf(buyer, id)).other_last_read_at).toBe(question.created_at);
		expect(await buyer.api.unreadTotal()).toBe(0);

		// Asked twice, it is still one.
		await seller.api.markConversationUnread({ conversationId: id });
		expect(await seller.api.unreadTotal()).toBe(1);
	});

	it('leaves a conversation with unread messages as it is', async () => {
		const [buyer, seller] = [await createActor(db), await createActor(db)];
		const { conversation_id: id } = await send(buyer, seller, 'One');
		await send(buyer, seller, 'Two');
		await send(buyer, seller, 'Three');
		expect((await seller.api.markConversationUnread({ conversationId: id })).unread_count).toBe(3);
		await seller.api.markConversationRead({ conversationId: id });
		expect(await seller.api.unreadTotal()).toBe(0);
		expect(await unreadIds(seller)).toEqual([]);
	});

	it('is read again once opened, though no message is newer than the read position', async () => {
		const { seller, id, question } = await readConversation();
		await seller.api.markConversationUnread({ conversationId: id });
		const state = await seller.api.markConversationRead({ conversationId: id });
		expect(state).toMatchObject({ unread_count: 0, last_read_message_id: question.id });
		expect(await unreadIds(seller)).toEqual([]);
		expect(await seller.api.unreadTotal()).toBe(0);
	});

	it('the other member’s next message takes the place of the mark: one unread, not two', async () => {
		const { buyer, seller, product, id } = await readConversation();
		await seller.api.markConversationUnread({ conversationId: id });
		await send(buyer, seller, 'Hello?', product.id);
		expect((await previewOf(seller, id)).unread_count).toBe(1);
		await send(buyer, seller, 'Still there?', product.id);
		expect(await seller.api.unreadTotal()).toBe(2);
		await seller.api.markConversationRead({ conversationId: id });
		expect(await seller.api.unreadTotal()).toBe(0);
	});

	it('outlives the expiry of older messages, and the other member’s next message still counts', async () => {
		const { buyer, seller, product, id, question } = await readConversation();
		await send(buyer, seller, 'Is the price firm?', product.id);
		await seller.api.markConversationRead({ conversationId: id });
		await seller.api.markConversationUnread({ conversationId: id });
		// The operator's retention purge takes the first question; the mark stays, still one.
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = $1`, [question.id]);
		const { rows } = await db.query<{ conversation_id: string; removed: number }>('select conversation_id, removed::int from public.purge_expired_messages(1000000)');
		expect(rows).toContainEqual({ conversation_id: id, removed: 1 });
		expect((await previewOf(seller, id)).unread_count).toBe(1);
		expect(await unreadIds(seller)).toEqual([id]);
		// The buyer's next message takes the mark's place: one unread, counted in the total.
		await send(buyer, seller, 'Are you there?', product.id);
		expect((await previewOf(seller, id)).unread_count).toBe(1);
		expect(await seller.api.unreadTotal()).toBe(1);
		await seller.api.markConversationRead({ conversationId: id });
		expect(await seller.api.unreadTotal()).toBe(0);
	});

	it('writing in the conversation reads it', async () => {
		const { buyer, seller, product, id } = await readConversation();
		await seller.api.markConversationUnread({ conversationId: id });
		await send(seller, buyer, 'Yes, it is.', product.id);
		expect((await previewOf(seller, id)).unread_count).toBe(0);
		expect(await seller.api.unreadTotal()).toBe(0);
		// And the mark is gone, not hidden: the buyer's answer counts once.
		await send(buyer, seller, 'Great', product.id);
		expect(await seller.api.unreadTotal()).toBe(1);
	});

	it('tells the member’s other tabs of the mark and of its end, and the other member nothing', async () => {
		const { buyer, seller, id } = await readConversation();
		const [mine, theirs] = [await seller.api.sessionStart(), await buyer.api.sessionStart()];
		await seller.api.markConversationUnread({ conversationId: id });
		await seller.api.markConversationRead({ conversationId: id });

		const { events } = await seller.api.syncSince({ cursor: mine.cursor });
		// A preview in the log is rendered as it is read, so both carry today's.
		const updates = events.filter((e) => e.type === 'conversation.updated');
		expect(updates.map((e) => e.payload)).toMatchObject([
			{ read_state: { conversation_id: id, unread_count: 1 }, preview: { conversation_id: id }, unread_total: 1 },
			{ read_state: { conversation_id: id, unread_count: 0 }, preview: { conversation_id: id, unread_count: 0 }, unread_total: 0 }
		]);
		expect((await buyer.api.syncSince({ cursor: theirs.cursor })).events).toEqual([]);
	});

	it('refuses a conversation the caller is not in, and changes nothing there', async () => {
		const { seller, id } = await readConversation();
		const outsider = await createActor(db);
		expect((await rejection(outsider.api.markConversationUnread({ conversationId: id }))).code).toBe('not_member');
		expect((await rejection(outsider.api.markConversationUnread({ conversationId: 'not-an-id' }))).code).toBe('invalid_input');
		expect(await seller.api.unreadTotal()).toBe(0);
	});
});
