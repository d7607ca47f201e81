// Seller triage against the real database: who owes a reply (and how that follows every kind of
// message), the "Needs reply" and "About this listing" filters, quick replies and their limits,
// and the response-time badge computed from first replies.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationPreview } from '../../src/lib/messaging/schemas/index.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { asUser } from '../../src/lib/server/messaging/backend/request-scope.ts';
import { claimsFor, sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, previewOf, rejection, send } from '../support/messaging.ts';

const db = testPool();

async function needsReply(actor: Actor): Promise<string[]> {
	return (await actor.api.listConversationPreviews({ filter: 'needs_reply', limit: 99 })).previews.map((p) => p.conversation_id);
}

describe('who owes a reply', () => {
	it('follows the conversation: the buyer asks, the seller owes; the seller answers, nobody does', async () => {
		const [buyer, seller] = [await createActor(db), await createActor(db)];
		const product = await createProduct(db, seller.id);
		const { conversation_id: id } = await send(buyer, seller, 'Is it still available?', product.id);
		expect((await previewOf(seller, id)).needs_reply).toBe(true);
		expect((await previewOf(buyer, id)).needs_reply).toBe(false);
		expect(await needsReply(seller)).toEqual([id]);

		await send(buyer, seller, 'And does it ship?', product.id);
		expect(await needsReply(seller)).toEqual([id]);

		await send(seller, buyer, 'Yes, and yes.', product.id);
		expect(await needsReply(seller)).toEqual([]);
		expect((await previewOf(seller, id)).needs_reply).toBe(false);
		// The buyer was answered; they owe nothing back either (they asked, they were told).
		expect(await needsReply(buyer)).toEqual([id]);
		await send(buyer, seller, 'Great, thanks!', product.id);
		expect(await needsReply(buyer)).toEqual([]);
		expect(await needsReply(seller)).toEqual([id]);
	});

	it('a question taken back, deleted or expired, owes no reply: the one before it still does, until answered', async () => {
		for (const takenBack of ['deleted', 'expired'] as const) {
			const [buyer, seller] = [await createActor(db), await createActor(db)];
			const product = await createProduct(db, seller.id);
			const first = await send(buyer, seller, 'Is it still available?', product.id);
			const second = await send(buyer, seller, 'Could you do 40?', product.id);
			const take = async (message: { id: string }) => {
				if (takenBack === 'deleted') return void (await buyer.api.deleteMessage({ id: message.id }));
				await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = $1`, [message.id]);
				await db.query('select * from public.purge_expired_messages(1000000)');
			};
			await take(second);
			expect(await needsReply(seller), takenBack).toEqual([first.conversation_id]);
			expect((await previewOf(seller, first.conversation_id)).needs_reply).toBe(true);
			await take(first);
			expect(await needsReply(seller), takenBack).toEqual([]);
			// The buyer's wait for the seller is untouched: they never owed one.
			expect(await needsReply(buyer)).toEqual([]);
		}
	});

	it('counts an offer as something to answer and an update about the listing as news', async () => {
		const [buyer, other, seller] = [await createActor(db), await createActor(db), await createActor(db)];
		const product = await createProduct(db, seller.id, { price_cents: 20_000 });
		const { conversation_id: mine } = await send(buyer, seller, 'Hi!', product.id);
		const { conversation_id: theirs } = await send(other, seller, 'Hello', product.id);
		await send(seller, buyer, 'Hi there', product.id);
		await send(seller, other, 'Hello to you', product.id);
		expect(await needsReply(seller)).toEqual([]);

		const card = await buyer.api.makeOffer({ id: randomUUID(), amountCents: 15_000, conversationId: mine });
		expect(await needsReply(seller)).toEqual([mine]);
		// The buyers were answered last, so they owe a reply ("Hello to you").
		expect(await needsReply(other)).toEqual([theirs]);
		// Accepting answers the offer; the notice it posts to the other buyer asks nothing of
		// them, and leaves the seller owing nothing there either.
		await seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });
		expect(await needsReply(seller)).toEqual([]);
		expect(await needsReply(buyer)).toEqual([]);
		expect(await needsReply(other)).toEqual([theirs]);
		expect((await previewOf(other, theirs)).last_message_kind).toBe('system');
		expect((await previewOf(seller, mine)).last_message_kind).toBe('system');
		await send(other, seller, 'Oh, shame. Let me know if it falls through?', product.id);
		expect(await needsReply(seller)).toEqual([theirs]);
		// Marking it available again is news to everyone: the other buyer's question still waits.
		await seller.api.setListingStatus({ conversationId: mine, status: 'active' });
		expect(await needsReply(seller)).toEqual([theirs]);
	});

	it('leaves archived conversations out of "Needs reply" and pushes the flag with every preview', async () => {
		const [buyer, seller] = [await createActor(db), await createActor(db)];
		const { cursor } = await seller.api.sessionStart();
		const { conversation_id: id } = await send(buyer, seller, 'Question');
		const { events } = await seller.api.syncSince({ cursor });
		const created = events.find((e) => e.type === 'message.created');
		expect(created?.payload).toMatchObject({ preview: { conversation_id: id, needs_reply: true, last_message_kind: 'text' } });

		await seller.api.setArchived({ conversationId: id, archived: true });
		expect(await needsReply(seller)).toEqual([]);
	});

	it('a reply writes each member row once: its wait, read position and preview in one new version', async () => {
		const [buyer, seller] = [await createActor(db), await createActor(db)];
		const { conversation_id: id } = await send(buyer, seller, 'Question');
		// The backend's counts not yet flushed to the shared statistics: the send's are the difference.
		const rowVersions = await asUser(db, claimsFor(seller.id), async (client) => {
			const updated = async () =>
				Number((await client.query(`select n_tup_upd from pg_stat_xact_user_tables where relid = 'public.conversation_members'::regclass`)).rows[0].n_tup_upd);
			const before = await updated();
			await client.query('select public.send_message($1, $2, $3)', [randomUUID(), 'Answer', id]);
			return (await updated()) - before;
		});
		expect(rowVersions).toBe(2);
		expect(await needsReply(seller)).toEqual([]);
		expect(await needsReply(buyer)).toEqual([id]);
	});
});

describe('"About this listing"', () => {
	it('lists every conversation about one product of the caller, archived ones too, and nothing else', async () => {
		const seller = await createActor(db);
		const [a, b, c] = [await createActor(db), await createActor(db), await createActor(db)];
		const lamp = await createProduct(db, seller.id);
		const chair = await createProduct(db, seller.id);
		const first = (await send(a, seller, 'Lamp?', lamp.id)).conversation_id;
		const second = (await send(b, seller, 'Lamp!', lamp.id)).conversation_id;
		await send(c, seller, 'Chair?', chair.id);
		await send(a, seller, 'Hello in general');
		await seller.api.setArchived({ conversationId: first, archived: true });

		const lampPage = await seller.api.listConversationPreviews({ filter: 'listing', productId: lamp.id });
		expect(lampPage.previews.map((p) => p.conversation_id)).toEqual([second, first]);
		expect(lampPage.previews.every((p) => p.product_id === lamp.id)).toBe(true);

		// Paging walks the same list.
		const one = await seller.api.listConversationPreviews({ filter: 'listing', productId: lamp.id, limit: 1 });
		const rest = await seller.api.listConversationPreviews({ filter: 'listing', productId: lamp.id, before: one.next });
		expect([...one.previews, ...rest.previews].map((p) => p.conversation_id)).toEqual([second, first]);

		// A buyer sees only their own conversation about it; an outsider, nothing.
		expect((await a.api.listConversationPreviews({ filter: 'listing', productId: lamp.id })).previews.map((p) => p.conversation_id)).toEqual([first]);
		const outsider = await createActor(db);
		expect((await outsider.api.listConversationPreviews({ filter: 'listing', productId: lamp.id })).previews).toEqual([]);
	});

	it('needs the listing, and refuses a filter it does not know', async () => {
		const seller = await createActor(db);
		expect((await rejection(seller.api.listConversationPreviews({ filter: 'listing' }))).message).toBe(
			'Choose the listing to show conversations about.'
		);
		const bad = await sqlAs(db, seller.id, `select * from public.list_conversation_previews(p_filter => 'starred')`).catch((e: Error) => e);
		expect((bad as Error).message).toBe('The inbox filter must be all, unread, needs_reply, archived or listing.');
	});
});

describe('quick replies', () => {
	it('saves, lists most recent first, edits in place, trims, and deletes', async () => {
		const seller = await createActor(db);
		const [first, second] = [randomUUID(), randomUUID()];
		expect(await seller.api.listQuickReplies()).toEqual([]);
		const saved = await seller.api.saveQuickReply({ id: first, body: '  Yes, it is still available.\n' });
		expect(saved).toMatchObject({ id: first, body: 'Yes, it is still available.' });
		await seller.api.saveQuickReply({ id: second, body: 'I can post it tomorrow.' });
		expect((await seller.api.listQuickReplies()).map((r) => r.id)).toEqual([second, first]);

		const edited = await seller.api.saveQuickReply({ id: first, body: 'Yes, still available!' });
		expect(edited.body).toBe('Yes, still available!');
		expect((await seller.api.listQuickReplies()).map((r) => [r.id, r.body])).toEqual([
			[first, 'Yes, still available!'],
			[second, 'I can post it tomorrow.']
		]);

		await seller.api.deleteQuickReply({ id: second });
		expect((await seller.api.listQuickReplies()).map((r) => r.id)).toEqual([first]);
		expect((await rejection(seller.api.deleteQuickReply({ id: second }))).code).toBe('not_found');
	});

	it('refuses empty and over-long texts and a 21st reply, with sentences a person can act on', async () => {
		const seller = await createActor(db);
		expect((await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: ' \n ' }))).message).toBe('Write the reply you want to keep.');
		// Invisible characters alone are empty too: such a reply could never be sent.
		expect((await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: '\u200b\u2060\u200d' }))).message).toBe('Write the reply you want to keep.');
		expect((await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: 'x'.repeat(501) }))).message).toBe(
			'Quick replies can be at most 500 characters.'
		);
		await seller.api.saveQuickReply({ id: randomUUID(), body: 'x'.repeat(500) });
		for (let i = 1; i < 20; i++) await seller.api.saveQuickReply({ id: randomUUID(), body: `Reply ${i}` });
		const limit = await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: 'One more' }));
		expect([limit.code, limit.message]).toEqual(['conflict', 'You can keep at most 20 quick replies. Delete one to save another.']);
		expect(await seller.api.listQuickReplies()).toHaveLength(20);
	});

	it('keeps a text once: the same reply saved again under a new id, or another edited into it, is refused', async () => {
		const seller = await createActor(db);
		const [first, second] = [randomUUID(), randomUUID()];
		await seller.api.saveQuickReply({ id: first, body: 'Yes, it is still available.' });
		await seller.api.saveQuickReply({ id: second, body: 'I can post it tomorrow.' });
		const again = await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: ' Yes, it is still available.\n' }));
		expect([again.code, again.message]).toEqual(['conflict', 'You already keep this quick reply.']);
		// Capitals and the spaces around it do not make another reply.
		expect((await rejection(seller.api.saveQuickReply({ id: randomUUID(), body: ' yes, IT is still available. ' }))).message).toBe(
			'You already keep this quick reply.'
		);
		expect((await rejection(seller.api.saveQuickReply({ id: second, body: 'Yes, it is still available.' }))).message).toBe(
			'You already keep this quick reply.'
		);
		// Its own text saved again (a retry, or Save without a change) is no duplicate.
		expect(await seller.api.saveQuickReply({ id: first, body: 'Yes, it is still available.' })).toMatchObject({ id: first });
		expect((await seller.api.listQuickReplies()).map((r) => [r.id, r.body])).toEqual([
			[first, 'Yes, it is still available.'],
			[second, 'I can post it tomorrow.']
		]);
		// Another member may keep the same words.
		const other = await createActor(db);
		expect(await other.api.saveQuickReply({ id: randomUUID(), body: 'Yes, it is still available.' })).toMatchObject({ body: 'Yes, it is still available.' });
	});

	it('keeps each user to their own: another user can neither read, change nor delete them', async () => {
		const [owner, other] = [await createActor(db), await createActor(db)];
		const id = randomUUID();
		await owner.api.saveQuickReply({ id, body: 'Mine' });
		expect(await other.api.listQuickReplies()).toEqual([]);
		expect((await rejection(other.api.saveQuickReply({ id, body: 'Theirs now' }))).code).toBe('not_found');
		expect((await rejection(other.api.deleteQuickReply({ id }))).code).toBe('not_found');
		expect(await sqlAs(db, other.id, 'select * from public.quick_replies')).toEqual([]);
		expect(await sqlAs(db, owner.id, 'select body from public.quick_replies')).toEqual([{ body: 'Mine' }]);
		const write = await sqlAs(db, owner.id, `update public.quick_replies set body = 'direct'`).catch((e: Error) => e.message);
		expect(write).toMatch(/permission denied/);
		expect((await owner.api.listQuickReplies())[0].body).toBe('Mine');
		expect((await rejection(postgresMessaging({ pool: db, claims: null }).listQuickReplies())).code).toBe('not_authenticated');
	});
});

describe('response time', () => {
	/** A seller who answered `n` buyers about their listing, each after the given number of minutes. */
	async function sellerAnswering(minutes: number[]) {
		const seller = await createActor(db);
		const product = await createProduct(db, seller.id);
		for (const wait of minutes) {
			const buyer = await createActor(db);
			const { conversation_id } = await send(buyer, seller, 'Is it available?', product.id);
			await send(seller, buyer, 'It is.', product.id);
			await db.query(`update private.first_replies set asked_at = replied_at - make_interval(mins => $2) where conversation_id = $1`, [
				conversation_id,
				wait
			]);
		}
		return { seller, product };
	}

	it('is the median minutes to a first reply, once there are five', async () => {
		const { seller } = await sellerAnswering([10, 20, 30, 40]);
		const visitor = postgresMessaging({ pool: db, claims: null });
		expect(await visitor.sellerResponseTime({ sellerId: seller.id })).toBeNull();

		const five = await sellerAnswering([5, 15, 25, 35, 600]);
		expect(await visitor.sellerResponseTime({ sellerId: five.seller.id })).toEqual({ median_seconds: 25 * 60, replies: 5 });
	});

	it('counts only first replies, and buyers still waiting at their wait so far', async () => {
		const { seller, product } = await sellerAnswering([1, 2, 3, 4, 5]);
		// A second answer in a conversation already answered is not a first reply.
		const regular = await createActor(db);
		await send(regular, seller, 'Hi', product.id);
		await send(seller, regular, 'Hello', product.id);
		await send(seller, regular, 'Anything else?', product.id);
		// Answered at once, 1, 2, 3, 4 and 5 minutes: the median is between 2 and 3.
		expect(await seller.api.sellerResponseTime({ sellerId: seller.id })).toEqual({ median_seconds: 150, replies: 6 });

		// Three buyers ignored for two days pull the median up: ignoring people never looks fast.
		for (let i = 0; i < 3; i++) {
			const waiting = await createActor(db);
			const { conversation_id } = await send(waiting, seller, 'Hello?', product.id);
			await db.query(`update public.conversation_members set awaiting_reply_since = now() - interval '2 days' where conversation_id = $1 and user_id = $2`, [
				conversation_id,
				seller.id
			]);
		}
		expect(await seller.api.sellerResponseTime({ sellerId: seller.id })).toEqual({ median_seconds: 240, replies: 9 });
	});

	it('counts replies as a seller only: answering as a buyer does not make anyone a fast seller', async () => {
		const buyer = await createActor(db);
		for (let i = 0; i < 6; i++) {
			const seller = await createActor(db);
			const product = await createProduct(db, seller.id);
			await send(seller, buyer, 'Saw you looking at this', product.id);
			await send(buyer, seller, 'Thanks!', product.id);
		}
		expect(await buyer.api.sellerResponseTime({ sellerId: buyer.id })).toBeNull();
	});
});
