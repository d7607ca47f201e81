// "Reserved for another buyer" and "Sold to another buyer", against the real database: the seller,
// who made the deal, reads whom the listing went to in every other conversation about it (the
// thread, the inbox, the pushes and the events), and the buyers of those conversations never do,
// whichever way they read (their thread, a select on the table or the view, their pushes).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { systemText } from '../../src/lib/messaging/offers/system-text.ts';
import { previewText } from '../../src/lib/messaging/preview-text.ts';
import type { Message, MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { functionCallsAs, sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, send } from '../support/messaging.ts';

const db = testPool();

async function actor(displayName: string): Promise<Actor> {
	const created = await createActor(db, { username: `${displayName.toLowerCase()}_${randomUUID().slice(0, 8)}` });
	await db.query('update public.profiles set display_name = $2 where id = $1', [created.id, displayName]);
	return created;
}

/** Lee's lamp, and a conversation about it with each of Ana, Bo and Cy; all four online (so pushes are rendered in the send). */
async function lamp() {
	const [lee, ana, bo, cy] = [await actor('Lee'), await actor('Ana'), await actor('Bo'), await actor('Cy')];
	const product = await createProduct(db, lee.id, { price_cents: 15_000 });
	const conversations = {
		ana: (await send(ana, lee, 'Still available?', product.id)).conversation_id,
		bo: (await send(bo, lee, 'Still available?', product.id)).conversation_id,
		cy: (await send(cy, lee, 'Still available?', product.id)).conversation_id
	};
	for (const member of [lee, ana, bo, cy]) await member.api.markSeen();
	return { lee, ana, bo, cy, product, conversations };
}

type Rendered = Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
type Pushed = Rendered & { user_id: string };

/** The message events PostgreSQL pushes, rendered in the send, while `work` runs. */
async function pushesDuring(work: () => Promise<void>): Promise<Pushed[]> {
	const client = new pg.Client({ connectionString: String(db.options.connectionString) });
	await client.connect();
	const pushed: Pushed[] = [];
	client.on('notification', (note) => pushed.push(...((JSON.parse(note.payload ?? '{}').events ?? []) as Pushed[])));
	await client.query('listen bazaar_messaging');
	try {
		await work();
		await new Promise((done) => setTimeout(done, 300));
	} finally {
		await client.end();
	}
	return pushed.filter((event) => event.type === 'message.created' || event.type === 'message.updated');
}

/** The update of `event` in a conversation, as `member` reads their thread. */
async function update(member: Actor, conversationId: string, event: string): Promise<Message> {
	const { messages } = await member.api.listMessages({ conversationId });
	return messages.find((m) => m.kind === 'system' && m.payload?.event === event)!;
}

const previewOf = async (member: Actor, conversationId: string) =>
	(await member.api.listConversationPreviews()).previews.find((p) => p.conversation_id === conversationId)!;

describe('an update that the listing went to another buyer', () => {
	it('names that buyer to the seller alone: thread, inbox, pushes and events; Bo reads "another buyer" everywhere', async () => {
		const s = await lamp();
		const boAsBuyer = { me: s.bo.id, other: { id: s.lee.id, display_name: 'Lee' } };
		const leeWithBo = { me: s.lee.id, other: { id: s.bo.id, display_name: 'Bo' } };
		const since = { lee: await s.lee.api.currentEventCursor(), bo: await s.bo.api.currentEventCursor() };

		// Ana accepts Lee's counter: the updates are rendered in her transaction, not Lee's.
		const card = await s.ana.api.makeOffer({ id: randomUUID(), amountCents: 12_000, to: { otherUserId: s.lee.id, productId: s.product.id } });
		await s.lee.api.respondToOffer({ offerId: card.offer!.id, action: 'counter', amountCents: 13_000, id: randomUUID() });
		const reservedPushes = await pushesDuring(async () => void (await s.ana.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' })));

		const reserved = await update(s.lee, s.conversations.bo, 'listing.reserved_elsewhere');
		expect(reserved.payload).toMatchObject({ buyer_name: 'Ana' });
		expect(systemText(reserved, leeWithBo)).toBe('Reserved for Ana');
		expect(previewText(await previewOf(s.lee, s.conversations.bo), s.lee.id)).toBe('Reserved for Ana');
		const bosCopy = await update(s.bo, s.conversations.bo, 'listing.reserved_elsewhere');
		expect(bosCopy.payload).not.toHaveProperty('buyer_name');
		expect(systemText(bosCopy, boAsBuyer)).toBe('Reserved for another buyer');
		expect(previewText(await previewOf(s.bo, s.conversations.bo), s.bo.id)).toBe('Reserved for another buyer');

		// Lee makes it available again and sells it to Cy: now rendered in Lee's own transaction.
		await s.lee.api.setListingStatus({ conversationId: s.conversations.ana, status: 'active' });
		const soldPushes = await pushesDuring(async () => void (await s.lee.api.setListingStatus({ conversationId: s.conversations.cy, status: 'sold' })));
		const sold = await update(s.lee, s.conversations.bo, 'listing.sold_elsewhere');
		expect(systemText(sold, leeWithBo)).toBe('You sold this listing to Cy');
		expect(previewText(await previewOf(s.lee, s.conversations.bo), s.lee.id)).toBe('You sold this listing to Cy');
		expect(systemText(await update(s.bo, s.conversations.bo, 'listing.sold_elsewhere'), boAsBuyer)).toBe('Sold to another buyer');
		expect(previewText(await previewOf(s.bo, s.conversations.bo), s.bo.id)).toBe('Sold to another buyer');

		// Every push and event of the two updates: the name in Lee's, in none of Bo's.
		const ids = [reserved.id, sold.id];
		const about = (events: Rendered[]) => events.filter((e) => ids.includes(e.payload.message?.id));
		const pushedTo = (member: Actor) => about([...reservedPushes, ...soldPushes].filter((e) => e.user_id === member.id));
		const synced = async (member: Actor, from: number) => about((await member.api.syncSince({ cursor: from })).events as Rendered[]);
		// A pushed event carries the conversation's preview as it was; one read from the log, as it is now (the sale).
		const ways = [
			{ lees: pushedTo(s.lee), bos: pushedTo(s.bo), previews: ['Ana', 'Cy'] },
			{ lees: await synced(s.lee, since.lee), bos: await synced(s.bo, since.bo), previews: ['Cy', 'Cy'] }
		];
		for (const { lees, bos, previews } of ways) {
			expect(lees.map((e) => e.payload.message.payload?.buyer_name)).toEqual(['Ana', 'Cy']);
			expect(lees.map((e) => e.payload.preview?.last_message_payload?.buyer_name)).toEqual(previews);
			expect(bos).toHaveLength(2);
			expect(JSON.stringify(bos)).not.toContain('buyer_name');
		}

		// Nor does Bo find it by reading the table or the view himself.
		for (const source of ['public.messages', 'public.messages_realtime_view']) {
			const rows = await sqlAs(db, s.bo.id, `select payload from ${source} where conversation_id = $1`, [s.conversations.bo]);
			expect(rows.length).toBeGreaterThan(0);
			expect(JSON.stringify(rows)).not.toMatch(/buyer_name|"Ana"|"Cy"/);
		}
		// The view reads as each member: Lee's select names the buyer, as his thread does.
		expect(await sqlAs(db, s.lee.id, `select payload ->> 'buyer_name' as name from public.messages_realtime_view where id = $1`, [reserved.id])).toEqual([
			{ name: 'Ana' }
		]);
	});
});

describe('a listing reserved for one buyer, opened from another conversation about it', () => {
	it('names whom it is reserved for to its seller alone, so selling it to another can say whose deal ends', async () => {
		const s = await lamp();
		const card = await s.ana.api.makeOffer({ id: randomUUID(), amountCents: 12_000, to: { otherUserId: s.lee.id, productId: s.product.id } });
		await s.lee.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });

		const leeWithBo = await s.lee.api.openConversation({ otherUserId: s.bo.id, productId: s.product.id });
		expect(leeWithBo.product).toMatchObject({ status: 'reserved', reserved_for: { id: s.ana.id, display_name: 'Ana' } });
		// The buyers, Ana herself included, read the listing without it.
		for (const buyer of [s.bo, s.ana]) {
			const opened = await buyer.api.openConversation({ otherUserId: s.lee.id, productId: s.product.id });
			expect(opened.product).toMatchObject({ status: 'reserved', reserved_for: null });
			expect(JSON.stringify(opened)).not.toContain('reserved_for":{');
		}
		// Sold to Bo, it is reserved for nobody.
		await s.lee.api.setListingStatus({ conversationId: s.conversations.bo, status: 'sold' });
		expect((await s.lee.api.openConversation({ otherUserId: s.bo.id, productId: s.product.id })).product).toMatchObject({ status: 'sold', reserved_for: null });
	});
});

const payloadReadings = (userId: string, text: string) => functionCallsAs(db, userId, 'private.payload_seen_by(jsonb, uuid)', text);

describe('reading payloads', () => {
	it('the thread and the inbox call payload_seen_by for a deal’s updates only, not for every message and preview', async () => {
		const s = await lamp();
		await send(s.lee, s.bo, 'It is.', s.product.id);
		const card = await s.ana.api.makeOffer({ id: randomUUID(), amountCents: 12_000, to: { otherUserId: s.lee.id, productId: s.product.id } });
		await s.lee.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });

		const thread = await s.lee.api.listMessages({ conversationId: s.conversations.bo });
		const deals = thread.messages.filter((m) => m.payload && 'deal_conversation_id' in m.payload);
		expect(deals).toHaveLength(1);
		expect(thread.messages.length).toBeGreaterThan(deals.length);
		expect(await payloadReadings(s.lee.id, `select * from public.list_messages(p_conversation_id => '${s.conversations.bo}')`)).toBe(deals.length);

		const { previews } = await s.lee.api.listConversationPreviews();
		const dealPreviews = previews.filter((p) => p.last_message_payload && 'deal_conversation_id' in p.last_message_payload);
		expect(dealPreviews.length).toBeGreaterThan(0);
		expect(previews.length).toBeGreaterThan(dealPreviews.length);
		expect(await payloadReadings(s.lee.id, 'select * from public.list_conversation_previews()')).toBe(dealPreviews.length);
	});
});
