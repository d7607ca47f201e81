// Offers and listing status, against the real database: every transition of the offer state
// table and every refusal with its sentence, one open offer per buyer per listing, what accepting,
// selling and releasing do to every conversation about the listing (in the same transaction),
// concurrent accepts, the card's `offer` column as each member sees it, the events both members
// get (one per change), and the messages that record the deal staying as they were written.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import { hitText, previewText } from '../../src/lib/messaging/preview-text.ts';
import type { Message, MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, rejection, send } from '../support/messaging.ts';

const db = testPool();

async function actor(displayName: string): Promise<Actor> {
	const created = await createActor(db);
	await db.query('update public.profiles set display_name = $2 where id = $1', [created.id, displayName]);
	return created;
}

/**
 * Lee sells a camera for €150.00; Ana and Bo each have a conversation with Lee about it (a
 * question each), and Cy one more without any offer.
 */
async function listing(options: { price?: number; currency?: string } = {}) {
	const [seller, ana, bo, cy] = [await actor('Lee'), await actor('Ana'), await actor('Bo'), await actor('Cy')];
	const product = await createProduct(db, seller.id, { price_cents: options.price ?? 15_000 });
	if (options.currency) await db.query('update public.products set currency = $2 where id = $1', [product.id, options.currency]);
	const conversations: Record<'ana' | 'bo' | 'cy', string> = { ana: '', bo: '', cy: '' };
	for (const [name, buyer] of [
		['ana', ana],
		['bo', bo],
		['cy', cy]
	] as const) {
		conversations[name] = (await send(buyer, seller, 'Is it still available?', product.id)).conversation_id;
	}
	const offer = (buyer: Actor, amountCents: number, id: string = randomUUID()) =>
		buyer.api.makeOffer({ id, amountCents, to: { otherUserId: seller.id, productId: product.id } });
	return { seller, ana, bo, cy, product, conversations, offer };
}

type Scene = Awaited<ReturnType<typeof listing>>;

/** The offer a card shows (asserting it is a card with its offer). */
function offerOf(card: Message) {
	expect(card.kind).toBe('offer');
	expect(card.offer).not.toBeNull();
	return card.offer!;
}

async function productRow(id: string) {
	const { rows } = await db.query('select status::text, reserved_for, sold_to from public.products where id = $1', [id]);
	return rows[0];
}

/** Kind, sender, body and payload of a conversation's messages, oldest first, as the admin finds them. */
async function thread(conversationId: string) {
	const { rows } = await db.query<{ id: string; kind: string; sender_id: string; body: string; payload: Record<string, unknown> | null }>(
		'select id, kind::text, sender_id, body, payload from public.messages where conversation_id = $1 order by created_at, id',
		[conversationId]
	);
	return rows;
}

async function systemMessages(conversationId: string) {
	return (await thread(conversationId)).filter((m) => m.kind === 'system').map(({ sender_id, body, payload }) => ({ sender_id, body, payload }));
}

async function cursorOf(userId: string): Promise<number> {
	const { rows } = await db.query('select coalesce(max(last_id), 0)::int as n from public.messaging_event_counters where user_id = $1', [userId]);
	return rows[0].n;
}

/** The events a user got after a cursor, as the log keeps them: type, conversation and message. */
async function eventsSince(userId: string, cursor: number) {
	const { rows } = await db.query<{ type: string; conversation_id: string; message_id: string }>(
		`select type, conversation_id, payload ->> 'message_id' as message_id from public.messaging_events
		  where user_id = $1 and id > $2 order by id`,
		[userId, cursor]
	);
	return rows;
}

async function openOffers(productId: string) {
	const { rows } = await db.query(`select buyer_id from public.offers where product_id = $1 and status = 'open'`, [productId]);
	return rows.map((r) => r.buyer_id);
}

describe('private.format_money', () => {
	it('writes €, $ and £ for EUR, USD and GBP, the code otherwise, thousands separated, with the currency’s own decimals', async () => {
		const { rows } = await db.query(
			`select private.format_money(a, c) as text from (values (12000, 'EUR'), (500, 'USD'), (123456, 'GBP'), (12050, 'CHF'),
			        (5, 'EUR'), (100000000, 'EUR'), (1200, 'jpy'), (1234567, 'KRW'), (12345, 'KWD')) v(a, c)`
		);
		expect(rows.map((r) => r.text)).toEqual(['€120.00', '$5.00', '£1,234.56', 'CHF 120.50', '€0.05', '€1,000,000.00', 'JPY 1,200', 'KRW 1,234,567', 'KWD 12.345']);
	});

	it('agrees with the browser on every currency’s decimals (the offer forms read amounts with Intl)', async () => {
		const codes = Intl.supportedValuesOf('currency');
		const { rows } = await db.query<{ code: string; digits: number }>('select c as code, private.minor_units(c) as digits from unnest($1::text[]) c', [codes]);
		const browser = (code: string) => new Intl.NumberFormat('en-IE', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
		expect(rows.filter((r) => r.digits !== browser(r.code))).toEqual([]);
		expect(rows).toHaveLength(codes.length);
	});
});

describe('make_offer', () => {
	it('the buyer’s offer is a card both members see: its amount, and its offer open and awaiting the seller', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		expect(card).toMatchObject({
			kind: 'offer',
			sender_id: s.ana.id,
			conversation_id: s.conversations.ana,
			body: 'Ana offered €120.00',
			payload: { offer_id: card.offer?.id, amount_cents: 12_000, currency: 'EUR' }
		});
		expect(offerOf(card)).toEqual({
			id: expect.any(String),
			amount_cents: 12_000,
			currency: 'EUR',
			status: 'open',
			awaiting: 'seller',
			buyer_id: s.ana.id,
			seller_id: s.seller.id,
			current: true
		});
		for (const member of [s.ana, s.seller]) {
			const page = await member.api.listMessages({ conversationId: s.conversations.ana });
			expect(page.messages[0]).toEqual(card);
		}
		const { rows } = await db.query('select conversation_id, product_id, status::text, awaiting, card_message_id from public.offers where id = $1', [card.offer!.id]);
		expect(rows).toEqual([{ conversation_id: s.conversations.ana, product_id: s.product.id, status: 'open', awaiting: 'seller', card_message_id: card.id }]);
	});

	it('starts the conversation on first contact, by key or by id, and is idempotent on its id', async () => {
		const seller = await actor('Lee');
		const ana = await actor('Ana');
		const product = await createProduct(db, seller.id, { price_cents: 9_900 });
		const id = randomUUID();
		const first = await ana.api.makeOffer({ id, amountCents: 9_000, to: { otherUserId: seller.id, productId: product.id } });
		const again = await ana.api.makeOffer({ id, amountCents: 9_000, to: { otherUserId: seller.id, productId: product.id } });
		expect(again).toEqual(first);
		// The id with another amount is not the same offer: refused, not answered with the first.
		expect(await rejection(ana.api.makeOffer({ id, amountCents: 1, to: { otherUserId: seller.id, productId: product.id } }))).toMatchObject({
			code: 'conflict',
			message: 'This message id is already taken: a different offer was made with it. Make yours again.'
		});
		const byConversation = await ana.api.makeOffer({ id, amountCents: 9_000, conversationId: first.conversation_id });
		expect(byConversation).toEqual(first);
		const { rows } = await db.query('select count(*)::int as n from public.offers where product_id = $1', [product.id]);
		expect(rows).toEqual([{ n: 1 }]);
		// The seller's inbox has the new conversation, its preview the card.
		const { previews } = await seller.api.listConversationPreviews();
		expect(previews[0]).toMatchObject({ conversation_id: first.conversation_id, last_message_preview: 'Ana offered €90.00', unread_count: 1, product_status: 'active' });
	});

	it('an amount typed in another currency than the listing’s is refused (it was read as the listing’s)', async () => {
		const seller = await actor('Lee');
		const ana = await actor('Ana');
		const product = await createProduct(db, seller.id, { price_cents: 9_900 });
		const to = { otherUserId: seller.id, productId: product.id };
		expect(await rejection(ana.api.makeOffer({ id: randomUUID(), amountCents: 10_000, currency: 'KWD', to }))).toMatchObject({
			code: 'invalid_input',
			message: 'This listing is priced in EUR; offer an amount in EUR.'
		});
		const card = await ana.api.makeOffer({ id: randomUUID(), amountCents: 9_000, currency: 'EUR', to });
		expect(card.body).toBe('Ana offered €90.00');
		expect(await rejection(seller.api.respondToOffer({ offerId: card.offer!.id, action: 'counter', amountCents: 9_500, currency: 'USD', id: randomUUID() }))).toMatchObject({
			code: 'invalid_input',
			message: 'This listing is priced in EUR; offer an amount in EUR.'
		});
		const { rows } = await db.query('select amount_cents from public.offers where product_id = $1', [product.id]);
		expect(rows).toEqual([{ amount_cents: 9_000 }]);
	});

	it('one open offer per buyer per listing; other buyers and other listings are not affected', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		const error = await rejection(s.offer(s.ana, 13_000));
		expect(error).toMatchObject({ code: 'conflict', status: 409, message: 'You already have an open offer on this listing. Withdraw or answer it before making a new one.' });
		await expect(s.offer(s.bo, 11_000)).resolves.toMatchObject({ kind: 'offer' });
		const other = await createProduct(db, s.seller.id);
		await expect(s.ana.api.makeOffer({ id: randomUUID(), amountCents: 500, to: { otherUserId: s.seller.id, productId: other.id } })).resolves.toMatchObject({
			kind: 'offer'
		});
		// Once it is closed, a new one may be made.
		await s.ana.api.respondToOffer({ offerId: card.offer!.id, action: 'withdraw' });
		await expect(s.offer(s.ana, 13_000)).resolves.toMatchObject({ body: 'Ana offered €130.00' });
		expect((await openOffers(s.product.id)).sort()).toEqual([s.ana.id, s.bo.id].sort());
	});

	it('refuses amounts outside 1 to 100,000,000 minor units, before and in the database', async () => {
		const s = await listing();
		for (const [amount, message] of [
			[0, 'An offer must be more than zero.'],
			[-100, 'An offer must be more than zero.'],
			[100_000_001, 'Offers can be at most €1,000,000.00.']
		] as const) {
			expect(await rejection(s.offer(s.ana, amount))).toMatchObject({ code: 'invalid_input', message });
		}
		expect((await rejection(s.offer(s.ana, 12.5))).code).toBe('invalid_input');
		await expect(
			sqlAs(db, s.ana.id, 'select public.make_offer(p_id => $1, p_amount_cents => null, p_conversation_id => $2)', [randomUUID(), s.conversations.ana])
		).rejects.toMatchObject({ code: 'BZ001', hint: 'invalid_input' });
		await expect(s.offer(s.ana, 100_000_000)).resolves.toMatchObject({ body: 'Ana offered €1,000,000.00' });
	});

	it('refuses the seller, a conversation without a listing, non-members, blocked pairs and a taken id', async () => {
		const s = await listing();
		expect(await rejection(s.seller.api.makeOffer({ id: randomUUID(), amountCents: 100, conversationId: s.conversations.ana }))).toMatchObject({
			code: 'not_allowed',
			message: 'You can’t make an offer on your own listing.'
		});
		const general = await send(s.ana, s.seller, 'Hello in general');
		expect(await rejection(s.ana.api.makeOffer({ id: randomUUID(), amountCents: 100, conversationId: general.conversation_id }))).toMatchObject({
			code: 'not_allowed',
			message: 'Offers are made in a conversation about a listing.'
		});
		expect((await rejection(s.bo.api.makeOffer({ id: randomUUID(), amountCents: 100, conversationId: s.conversations.ana }))).code).toBe('not_member');
		expect((await rejection(s.ana.api.makeOffer({ id: randomUUID(), amountCents: 100, to: { otherUserId: s.bo.id, productId: s.product.id } }))).code).toBe(
			'product_seller_mismatch'
		);
		await s.seller.api.blockUser({ userId: s.ana.id });
		expect((await rejection(s.offer(s.ana, 100))).code).toBe('blocked');
		await s.seller.api.unblockUser({ userId: s.ana.id });
		await s.ana.api.blockUser({ userId: s.seller.id });
		expect((await rejection(s.offer(s.ana, 100))).code).toBe('you_blocked');
		await s.ana.api.unblockUser({ userId: s.seller.id });
		const text = await send(s.bo, s.seller, 'Mine');
		expect((await rejection(s.offer(s.ana, 100, text.id))).code).toBe('conflict');
		expect(await openOffers(s.product.id)).toEqual([]);
	});

	it('no offer on a reserved or sold listing', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });
		expect(await rejection(s.offer(s.bo, 14_000))).toMatchObject({ code: 'not_allowed', status: 403, message: 'This listing is reserved.' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect(await rejection(s.offer(s.bo, 14_000))).toMatchObject({ code: 'not_allowed', message: 'This listing is sold.' });
		expect(await rejection(s.offer(s.ana, 14_000))).toMatchObject({ code: 'not_allowed', message: 'This listing is sold.' });
	});

	it('cards count towards the per-minute limit like messages', async () => {
		const s = await listing();
		// Ana sent one question already; 29 more make 30 in the minute.
		for (let i = 0; i < 29; i++) await send(s.ana, s.seller, `Question ${i}`, s.product.id);
		expect(await rejection(s.offer(s.ana, 12_000))).toMatchObject({ code: 'rate_limited', status: 429 });
		expect(await openOffers(s.product.id)).toEqual([]);
	});
});

describe('respond_to_offer: the state table', () => {
	/** Ana's open offer of €120.00, awaiting Lee. */
	async function awaitingSeller() {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		return { ...s, card, offerId: card.offer!.id };
	}

	/** Lee's counter of €135.00 to Ana's €120.00, awaiting Ana. */
	async function awaitingBuyer() {
		const s = await awaitingSeller();
		const counter = await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 13_500, id: randomUUID() });
		return { ...s, counter };
	}

	it('awaiting seller, the seller accepts: accepted, the listing reserved for the buyer', async () => {
		const s = await awaitingSeller();
		const card = await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'accept' });
		expect(card.id).toBe(s.card.id);
		expect(offerOf(card)).toMatchObject({ status: 'accepted', awaiting: null, current: true, amount_cents: 12_000 });
		expect(await productRow(s.product.id)).toEqual({ status: 'reserved', reserved_for: s.ana.id, sold_to: null });
		expect(await systemMessages(s.conversations.ana)).toEqual([
			{
				sender_id: s.seller.id,
				body: "Lee accepted Ana's offer of €120.00",
				payload: { event: 'offer.accepted', actor_id: s.seller.id, buyer_id: s.ana.id, amount_cents: 12_000, currency: 'EUR' }
			}
		]);
	});

	it('awaiting seller, the seller declines: declined, the listing still active', async () => {
		const s = await awaitingSeller();
		const card = await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'decline' });
		expect(offerOf(card)).toMatchObject({ status: 'declined', awaiting: null, current: true });
		expect(await productRow(s.product.id)).toEqual({ status: 'active', reserved_for: null, sold_to: null });
		expect(await systemMessages(s.conversations.ana)).toEqual([
			{
				sender_id: s.seller.id,
				body: "Lee declined Ana's offer of €120.00",
				payload: { event: 'offer.declined', actor_id: s.seller.id, buyer_id: s.ana.id, amount_cents: 12_000, currency: 'EUR' }
			}
		]);
	});

	it('awaiting seller, the seller counters: a new card at the new amount, awaiting the buyer', async () => {
		const s = await awaitingSeller();
		const id = randomUUID();
		const counter = await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 13_500, id });
		expect(counter).toMatchObject({ id, kind: 'offer', sender_id: s.seller.id, body: 'Lee countered with €135.00', payload: { offer_id: s.offerId, amount_cents: 13_500, currency: 'EUR' } });
		expect(offerOf(counter)).toMatchObject({ id: s.offerId, status: 'open', awaiting: 'buyer', amount_cents: 13_500, current: true });
		const messages = (await s.ana.api.listMessages({ conversationId: s.conversations.ana })).messages;
		// The card says it is a counter: no system message beside it.
		expect(messages.map((m) => [m.kind, m.body])).toEqual([
			['offer', 'Lee countered with €135.00'],
			['offer', 'Ana offered €120.00'],
			['text', 'Is it still available?']
		]);
		// The first card keeps its own amount; its offer moved on.
		expect(messages[1].payload).toEqual({ offer_id: s.offerId, amount_cents: 12_000, currency: 'EUR' });
		expect(messages[1].offer).toMatchObject({ status: 'open', awaiting: 'buyer', amount_cents: 13_500, current: false });
		// Countering again with the same id returns the same card and writes nothing; the id with
		// another amount is refused, in the listing's currency or another.
		const before = await thread(s.conversations.ana);
		expect(await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 13_500, id })).toEqual(counter);
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 14_000, id }))).toMatchObject({
			code: 'conflict',
			message: 'This message id is already taken: a different offer or message was sent with it. Send yours again.'
		});
		expect(await thread(s.conversations.ana)).toEqual(before);
	});

	it('awaiting seller, the buyer withdraws: withdrawn', async () => {
		const s = await awaitingSeller();
		const card = await s.ana.api.respondToOffer({ offerId: s.offerId, action: 'withdraw' });
		expect(offerOf(card)).toMatchObject({ status: 'withdrawn', awaiting: null });
		expect(await systemMessages(s.conversations.ana)).toEqual([
			{
				sender_id: s.ana.id,
				body: 'Ana withdrew their offer of €120.00',
				payload: { event: 'offer.withdrawn', actor_id: s.ana.id, buyer_id: s.ana.id, amount_cents: 12_000, currency: 'EUR' }
			}
		]);
	});

	it('awaiting buyer, the buyer accepts the counter: accepted at its amount, reserved for the buyer', async () => {
		const s = await awaitingBuyer();
		const card = await s.ana.api.respondToOffer({ offerId: s.offerId, action: 'accept' });
		expect(card.id).toBe(s.counter.id);
		expect(offerOf(card)).toMatchObject({ status: 'accepted', awaiting: null, amount_cents: 13_500, current: true });
		expect(await productRow(s.product.id)).toEqual({ status: 'reserved', reserved_for: s.ana.id, sold_to: null });
		expect((await systemMessages(s.conversations.ana)).at(-1)).toEqual({
			sender_id: s.ana.id,
			body: "Ana accepted Lee's counter-offer of €135.00",
			payload: { event: 'offer.accepted', actor_id: s.ana.id, buyer_id: s.ana.id, amount_cents: 13_500, currency: 'EUR' }
		});
	});

	it('awaiting buyer, the buyer declines the counter: declined', async () => {
		const s = await awaitingBuyer();
		const card = await s.ana.api.respondToOffer({ offerId: s.offerId, action: 'decline' });
		expect(offerOf(card)).toMatchObject({ status: 'declined', awaiting: null, amount_cents: 13_500 });
		expect((await systemMessages(s.conversations.ana)).at(-1)).toMatchObject({ sender_id: s.ana.id, body: "Ana declined Lee's counter-offer of €135.00" });
		expect(await productRow(s.product.id)).toMatchObject({ status: 'active' });
	});

	it('an accepted, declined or withdrawn offer takes no answer from anybody: "This offer is no longer open."', async () => {
		for (const close of ['accept', 'decline', 'withdraw'] as const) {
			const s = await awaitingSeller();
			await (close === 'withdraw' ? s.ana : s.seller).api.respondToOffer({ offerId: s.offerId, action: close });
			const before = await thread(s.conversations.ana);
			for (const member of [s.seller, s.ana]) {
				for (const action of ['accept', 'decline', 'counter', 'withdraw'] as const) {
					const error = await rejection(member.api.respondToOffer({ offerId: s.offerId, action, amountCents: 10_000, id: randomUUID() }));
					expect(error, `${close}d, then ${action}`).toMatchObject({ code: 'not_allowed', status: 403, message: 'This offer is no longer open.' });
				}
			}
			expect(await thread(s.conversations.ana)).toEqual(before);
		}
	});

	it('answers out of turn are refused with a sentence saying whose turn it is', async () => {
		const s = await awaitingSeller();
		for (const action of ['accept', 'decline', 'counter'] as const) {
			expect(await rejection(s.ana.api.respondToOffer({ offerId: s.offerId, action, amountCents: 10_000, id: randomUUID() }))).toMatchObject({
				code: 'not_allowed',
				message: 'The seller has not answered your offer yet. You can withdraw it.'
			});
		}
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'withdraw' }))).toMatchObject({
			code: 'not_allowed',
			message: 'Only the buyer can withdraw an offer. You can decline it.'
		});
		const b = await awaitingBuyer();
		for (const action of ['accept', 'decline', 'counter', 'withdraw'] as const) {
			expect(await rejection(b.seller.api.respondToOffer({ offerId: b.offerId, action, amountCents: 10_000, id: randomUUID() }))).toMatchObject({
				code: 'not_allowed',
				message: 'Your counteroffer is waiting for the buyer’s answer.'
			});
		}
		for (const action of ['counter', 'withdraw'] as const) {
			expect(await rejection(b.ana.api.respondToOffer({ offerId: b.offerId, action, amountCents: 10_000, id: randomUUID() }))).toMatchObject({
				code: 'not_allowed',
				message: 'Accept or decline the seller’s counteroffer. To offer another amount, decline it and make a new offer.'
			});
		}
		const { rows } = await db.query('select status::text, awaiting, amount_cents from public.offers where id = $1', [b.offerId]);
		expect(rows).toEqual([{ status: 'open', awaiting: 'buyer', amount_cents: 13_500 }]);
	});

	it('refuses unknown actions, a counter without its id or amount, outsiders and the other buyer', async () => {
		const s = await awaitingSeller();
		await expect(sqlAs(db, s.seller.id, `select public.respond_to_offer($1, 'haggle')`, [s.offerId])).rejects.toMatchObject({ hint: 'invalid_input' });
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 13_000 }))).toMatchObject({
			code: 'invalid_input',
			message: 'A counteroffer needs an id.'
		});
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', id: randomUUID() }))).toMatchObject({
			code: 'invalid_input',
			message: 'An offer must be more than zero.'
		});
		for (const stranger of [s.bo, s.cy, await actor('Outsider')]) {
			for (const action of ['accept', 'decline', 'withdraw'] as const) {
				expect(await rejection(stranger.api.respondToOffer({ offerId: s.offerId, action }))).toMatchObject({ code: 'not_found', message: 'This offer does not exist.' });
			}
		}
		expect((await rejection(s.seller.api.respondToOffer({ offerId: randomUUID(), action: 'accept' }))).code).toBe('not_found');
		expect(await openOffers(s.product.id)).toEqual([s.ana.id]);
	});

	it('refuses a counter that does not ask for more than the offer, saying what to do instead', async () => {
		const s = await awaitingSeller();
		const cardsBefore = (await s.seller.api.listMessages({ conversationId: s.conversations.ana })).messages.length;
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 12_000, id: randomUUID() }))).toMatchObject({
			code: 'invalid_input',
			message: "€120.00 is Ana's offer already: accept it instead."
		});
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 2_000, id: randomUUID() }))).toMatchObject({
			code: 'invalid_input',
			message: "A counteroffer asks for more than Ana's offer of €120.00. To take €120.00, accept it."
		});
		// Nothing changed: the offer still awaits the seller at its amount, and no card was posted.
		expect(await s.ana.api.myDealOnListing({ productId: s.product.id })).toMatchObject({ offer: { amount_cents: 12_000, awaiting: 'seller', status: 'open' } });
		expect((await s.seller.api.listMessages({ conversationId: s.conversations.ana })).messages).toHaveLength(cardsBefore);
		await s.seller.api.respondToOffer({ offerId: s.offerId, action: 'counter', amountCents: 12_001, id: randomUUID() });
	});

	it('refuses answers between blocked members', async () => {
		const s = await awaitingSeller();
		await s.ana.api.blockUser({ userId: s.seller.id });
		expect((await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'accept' }))).code).toBe('blocked');
		expect((await rejection(s.ana.api.respondToOffer({ offerId: s.offerId, action: 'withdraw' }))).code).toBe('you_blocked');
		expect(await productRow(s.product.id)).toMatchObject({ status: 'active' });
	});

	it('a block answers the pair’s open offers as the blocker: the one they were to answer declined, their own withdrawn', async () => {
		const sellerBlocks = await awaitingSeller();
		const bos = await sellerBlocks.offer(sellerBlocks.bo, 11_000);
		await sellerBlocks.seller.api.blockUser({ userId: sellerBlocks.ana.id });
		expect((await systemMessages(sellerBlocks.conversations.ana)).at(-1)).toEqual({
			sender_id: sellerBlocks.seller.id,
			body: "Lee declined Ana's offer of €120.00",
			payload: { event: 'offer.declined', actor_id: sellerBlocks.seller.id, buyer_id: sellerBlocks.ana.id, amount_cents: 12_000, currency: 'EUR' }
		});
		expect(await openOffers(sellerBlocks.product.id)).toEqual([sellerBlocks.bo.id]);
		expect(bos.offer).toMatchObject({ status: 'open' });
		expect(await sellerBlocks.ana.api.myDealOnListing({ productId: sellerBlocks.product.id })).toMatchObject({ offer: { status: 'declined', awaiting: null } });

		const buyerBlocks = await awaitingSeller();
		await buyerBlocks.ana.api.blockUser({ userId: buyerBlocks.seller.id });
		expect((await systemMessages(buyerBlocks.conversations.ana)).at(-1)).toMatchObject({ sender_id: buyerBlocks.ana.id, body: 'Ana withdrew their offer of €120.00' });

		const counterBlocked = await awaitingBuyer();
		await counterBlocked.ana.api.blockUser({ userId: counterBlocked.seller.id });
		expect((await systemMessages(counterBlocked.conversations.ana)).at(-1)).toMatchObject({ sender_id: counterBlocked.ana.id, body: "Ana declined Lee's counter-offer of €135.00" });

		const counterTaken = await awaitingBuyer();
		await counterTaken.seller.api.blockUser({ userId: counterTaken.ana.id });
		expect((await systemMessages(counterTaken.conversations.ana)).at(-1)).toMatchObject({ sender_id: counterTaken.seller.id, body: 'Lee withdrew their counter-offer of €135.00' });
		const { messages } = await counterTaken.ana.api.listMessages({ conversationId: counterTaken.conversations.ana });
		expect(messages.filter((m) => m.kind === 'offer').map((m) => offerOf(m).status)).toEqual(['withdrawn', 'withdrawn']);
	});

	it('blocking again posts nothing, and after an unblock the buyer may offer again', async () => {
		const s = await awaitingSeller();
		await s.seller.api.blockUser({ userId: s.ana.id });
		const posted = (await thread(s.conversations.ana)).length;
		await s.seller.api.blockUser({ userId: s.ana.id });
		expect(await thread(s.conversations.ana)).toHaveLength(posted);
		await s.seller.api.unblockUser({ userId: s.ana.id });
		expect(offerOf(await s.offer(s.ana, 12_500))).toMatchObject({ status: 'open', awaiting: 'seller', amount_cents: 12_500 });
	});

	it('accepting on a listing that is no longer active is refused', async () => {
		const s = await awaitingSeller();
		// Only possible if someone changed the listing outside the RPCs; refused all the same.
		await db.query(`update public.products set status = 'sold' where id = $1`, [s.product.id]);
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'accept' }))).toMatchObject({ message: 'This listing is sold.' });
		await db.query(`update public.products set status = 'reserved' where id = $1`, [s.product.id]);
		expect(await rejection(s.seller.api.respondToOffer({ offerId: s.offerId, action: 'accept' }))).toMatchObject({ message: 'This listing is reserved.' });
	});
});

describe('accepting reserves the listing everywhere at once', () => {
	it('a counter of the seller’s still open to a buyer is withdrawn, and says whose it was', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		const bos = await s.offer(s.bo, 10_000);
		await s.seller.api.respondToOffer({ offerId: bos.offer!.id, action: 'counter', amountCents: 11_500, id: randomUUID() });
		const before = (await thread(s.conversations.bo)).length;
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });

		const { rows } = await db.query('select status::text from public.offers where id = $1', [bos.offer!.id]);
		expect(rows).toEqual([{ status: 'withdrawn' }]);
		const [closing] = (await thread(s.conversations.bo)).slice(before);
		expect({ body: closing.body, payload: closing.payload }).toEqual({
			body: "Lee's counter-offer of €115.00 was withdrawn automatically",
			payload: { event: 'offer.auto_declined', actor_id: s.seller.id, buyer_id: s.bo.id, amount_cents: 11_500, currency: 'EUR', countered: true }
		});
	});

	it('the other buyer’s open offer is declined and every conversation about the listing is told, in one transaction', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		const bos = await s.offer(s.bo, 11_000);
		const before = { bo: (await thread(s.conversations.bo)).length, cy: (await thread(s.conversations.cy)).length };
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });

		expect(await openOffers(s.product.id)).toEqual([]);
		const { rows: offers } = await db.query('select buyer_id, status::text from public.offers where product_id = $1 order by created_at', [s.product.id]);
		expect(offers).toEqual([
			{ buyer_id: s.ana.id, status: 'accepted' },
			{ buyer_id: s.bo.id, status: 'declined' }
		]);
		const boThread = (await thread(s.conversations.bo)).slice(before.bo);
		expect(boThread.map(({ kind, sender_id, body, payload }) => ({ kind, sender_id, body, payload }))).toEqual([
			{
				kind: 'system',
				sender_id: s.seller.id,
				body: "Bo's offer of €110.00 was declined automatically",
				payload: { event: 'offer.auto_declined', actor_id: s.seller.id, buyer_id: s.bo.id, amount_cents: 11_000, currency: 'EUR' }
			},
			{
				kind: 'system',
				sender_id: s.seller.id,
				body: 'Reserved for another buyer',
				// The conversation of the deal, for the seller's copy to name its buyer by: one Bo cannot read.
				payload: { event: 'listing.reserved_elsewhere', actor_id: s.seller.id, deal_conversation_id: s.conversations.ana }
			}
		]);
		const cyThread = (await thread(s.conversations.cy)).slice(before.cy);
		expect(cyThread.map(({ body }) => body)).toEqual(['Reserved for another buyer']);
		// Nothing of Ana's deal reaches the other buyers: not her name, id or amount.
		const elsewhere = JSON.stringify([...boThread, ...cyThread]);
		for (const secret of [s.ana.id, 'Ana', '€120', '"amount_cents":12000']) expect(elsewhere).not.toContain(secret);
		// One transaction wrote the acceptance, the declined offer and every notice.
		const { rows } = await db.query(
			`select count(distinct xmin::text)::int as n from public.messages where id = any($1)`,
			[[...boThread, ...cyThread].map((m) => m.id).concat((await thread(s.conversations.ana)).filter((m) => m.kind === 'system').map((m) => m.id))]
		);
		expect(rows).toEqual([{ n: 1 }]);
		// Bo's card shows the decline to both of them.
		for (const member of [s.bo, s.seller]) {
			const card = (await member.api.listMessages({ conversationId: s.conversations.bo })).messages.find((m) => m.id === bos.id)!;
			expect(card.offer).toMatchObject({ status: 'declined', awaiting: null, current: true });
		}
		// Every preview and every opened conversation says reserved.
		for (const [member, conversationId] of [
			[s.ana, s.conversations.ana],
			[s.bo, s.conversations.bo],
			[s.cy, s.conversations.cy],
			[s.seller, s.conversations.bo]
		] as const) {
			const { previews } = await member.api.listConversationPreviews();
			expect(previews.find((p) => p.conversation_id === conversationId)).toMatchObject({ product_status: 'reserved' });
		}
		expect((await s.bo.api.openConversation({ otherUserId: s.seller.id, productId: s.product.id })).product).toMatchObject({ status: 'reserved' });
		const { previews } = await s.bo.api.listConversationPreviews();
		expect(previews.find((p) => p.conversation_id === s.conversations.bo)).toMatchObject({
			last_message_preview: 'Reserved for another buyer',
			last_message_sender_id: s.seller.id,
			// The decline and the notice: Bo's own card moved his read position past his question.
			unread_count: 2
		});
	});

	it('the notices leave the seller’s read position and unread counts alone, and do not count towards the seller’s limit', async () => {
		const s = await listing();
		// 30 more buyers ask about it: the notices of an accept will be 33 system messages from the seller.
		const many = await Promise.all(Array.from({ length: 30 }, () => createActor(db)));
		for (const buyer of many) await send(buyer, s.seller, 'Still for sale?', s.product.id);
		const card = await s.offer(s.ana, 12_000);
		const member = async (conversationId: string) =>
			(await db.query('select unread_count, last_read_message_id from public.conversation_members where conversation_id = $1 and user_id = $2', [conversationId, s.seller.id])).rows[0];
		const seen = await member(s.conversations.bo);
		expect(seen.unread_count).toBe(1);
		await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });
		expect(await member(s.conversations.bo)).toEqual(seen);
		const { rows } = await db.query(`select count(*)::int as n from public.messages where sender_id = $1 and kind = 'system'`, [s.seller.id]);
		expect(rows).toEqual([{ n: 33 }]);
		await expect(send(s.seller, s.bo, 'Sorry, it is reserved', s.product.id)).resolves.toMatchObject({ kind: 'text' });
	});

	it('two buyers’ offers accepted at the same moment: exactly one wins', async () => {
		for (let round = 0; round < 5; round++) {
			const s = await listing();
			const anas = await s.offer(s.ana, 12_000);
			const bos = await s.offer(s.bo, 11_000);
			// Bo's is a counter awaiting Bo, so the two accepts come from two different people.
			await s.seller.api.respondToOffer({ offerId: bos.offer!.id, action: 'counter', amountCents: 11_500, id: randomUUID() });
			const outcomes = await Promise.allSettled([
				s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' }),
				s.bo.api.respondToOffer({ offerId: bos.offer!.id, action: 'accept' })
			]);
			const won = outcomes.filter((o) => o.status === 'fulfilled');
			const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
			expect(won).toHaveLength(1);
			expect(lost[0].reason).toBeInstanceOf(MessagingError);
			expect(['This offer is no longer open.', 'This listing is reserved.']).toContain((lost[0].reason as MessagingError).message);
			const winner = outcomes[0].status === 'fulfilled' ? s.ana : s.bo;
			expect(await productRow(s.product.id)).toEqual({ status: 'reserved', reserved_for: winner.id, sold_to: null });
			const { rows } = await db.query(`select buyer_id, status::text from public.offers where product_id = $1 order by buyer_id`, [s.product.id]);
			expect(rows).toEqual(
				// The loser's: Ana's offer declined, or the seller's counter to Bo withdrawn.
				[s.ana.id, s.bo.id].sort().map((buyer_id) => ({ buyer_id, status: buyer_id === winner.id ? 'accepted' : buyer_id === s.bo.id ? 'withdrawn' : 'declined' }))
			);
		}
	});

	it('accepting and selling while everyone in the listing’s conversations sends, reads and reacts: no deadlock, nothing lost', async () => {
		const s = await listing();
		const buyers = [s.ana, s.bo, s.cy, ...(await Promise.all(Array.from({ length: 5 }, (_, i) => actor(`Buyer ${i}`))))];
		const conversations = [s.conversations.ana, s.conversations.bo, s.conversations.cy];
		for (const buyer of buyers.slice(3)) conversations.push((await send(buyer, s.seller, 'Hello', s.product.id)).conversation_id);
		const questions = await Promise.all(buyers.map((buyer) => send(buyer, s.seller, 'Any scratches?', s.product.id)));
		const card = await s.offer(s.ana, 12_000);
		for (let round = 0; round < 3; round++) {
			const work: Promise<unknown>[] = [
				round === 0
					? s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' })
					: s.seller.api.setListingStatus({ conversationId: conversations[round], status: round === 1 ? 'sold' : 'active' })
			];
			buyers.forEach((buyer, i) => {
				work.push(send(buyer, s.seller, `Round ${round}`, s.product.id));
				work.push(buyer.api.markConversationRead({ conversationId: conversations[i] }));
				work.push(s.seller.api.markConversationRead({ conversationId: conversations[i] }));
				work.push(s.seller.api.toggleReaction({ messageId: questions[i].id, emoji: '👍' }));
			});
			const outcomes = await Promise.allSettled(work);
			expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
		}
		expect(await productRow(s.product.id)).toEqual({ status: 'active', reserved_for: null, sold_to: null });
		const { rows } = await db.query(`select count(*)::int as n from public.messages where conversation_id = any($1) and body like 'Round %'`, [conversations]);
		expect(rows).toEqual([{ n: 3 * buyers.length }]);
	});

	it('an offer made while another is being accepted is either declined with the rest or refused', async () => {
		for (let round = 0; round < 5; round++) {
			const s = await listing();
			const anas = await s.offer(s.ana, 12_000);
			const outcomes = await Promise.allSettled([s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' }), s.offer(s.bo, 11_000)]);
			expect(outcomes[0].status).toBe('fulfilled');
			if (outcomes[1].status === 'rejected') expect((outcomes[1].reason as MessagingError).message).toBe('This listing is reserved.');
			expect(await openOffers(s.product.id)).toEqual([]);
		}
	});
});

describe('set_listing_status', () => {
	it('sold from active: "Sold to <buyer>" here, "Sold to another buyer" elsewhere, the buyer\'s own open offer closed and the others declined', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		const bos = await s.offer(s.bo, 11_000);
		const summary = await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect(summary).toEqual({
			id: s.product.id,
			title: s.product.title,
			price_cents: 15_000,
			currency: 'EUR',
			image_url: '/products/camera.svg',
			status: 'sold',
			seller_id: s.seller.id
		});
		expect(await productRow(s.product.id)).toEqual({ status: 'sold', reserved_for: null, sold_to: s.ana.id });
		expect(await openOffers(s.product.id)).toEqual([]);
		const { rows: statuses } = await db.query('select id, status::text, awaiting from public.offers where product_id = $1', [s.product.id]);
		expect(Object.fromEntries(statuses.map((o) => [o.id, [o.status, o.awaiting]]))).toEqual({
			[anas.offer!.id]: ['closed', null],
			[bos.offer!.id]: ['declined', null]
		});
		// The sale settles Ana's own negotiation: nothing tells her that her offer was declined.
		expect((await systemMessages(s.conversations.ana)).map((m) => [m.body, m.payload])).toEqual([
			['Sold to Ana', { event: 'listing.sold', actor_id: s.seller.id, buyer_id: s.ana.id }]
		]);
		expect((await systemMessages(s.conversations.bo)).map((m) => [m.body, m.payload])).toEqual([
			["Bo's offer of €110.00 was declined automatically", expect.objectContaining({ event: 'offer.auto_declined', buyer_id: s.bo.id })],
			['Sold to another buyer', { event: 'listing.sold_elsewhere', actor_id: s.seller.id, deal_conversation_id: s.conversations.ana }]
		]);
		expect((await systemMessages(s.conversations.cy)).map((m) => m.body)).toEqual(['Sold to another buyer']);
		// A sold listing keeps its conversations; nobody new starts one about it.
		expect((await s.bo.api.openConversation({ otherUserId: s.seller.id, productId: s.product.id })).product).toMatchObject({ status: 'sold' });
		const newcomer = await actor('Dee');
		expect((await rejection(newcomer.api.openConversation({ otherUserId: s.seller.id, productId: s.product.id }))).code).toBe('not_found');
	});

	it('sold from reserved, to the buyer it was reserved for; released from sold and from reserved: "Available again" everywhere', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });
		// A newcomer may still ask about a reserved listing.
		const dee = await actor('Dee');
		const opened = await dee.api.openConversation({ otherUserId: s.seller.id, productId: s.product.id });
		expect(opened.product).toMatchObject({ status: 'reserved' });
		const deeConversation = (await send(dee, s.seller, 'If it falls through?', s.product.id)).conversation_id;

		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect(await productRow(s.product.id)).toEqual({ status: 'sold', reserved_for: null, sold_to: s.ana.id });
		expect((await systemMessages(deeConversation)).map((m) => m.body)).toEqual(['Sold to another buyer']);

		const released = await s.seller.api.setListingStatus({ conversationId: s.conversations.bo, status: 'active' });
		expect(released.status).toBe('active');
		expect(await productRow(s.product.id)).toEqual({ status: 'active', reserved_for: null, sold_to: null });
		for (const conversationId of [...Object.values(s.conversations), deeConversation]) {
			expect((await systemMessages(conversationId)).at(-1)).toEqual({ sender_id: s.seller.id, body: 'Available again', payload: { event: 'listing.available', actor_id: s.seller.id } });
		}
		// Ana's accepted offer stays accepted; she and Bo may offer again.
		await expect(s.offer(s.bo, 10_000)).resolves.toMatchObject({ kind: 'offer' });
		const again = await s.offer(s.ana, 12_500);
		await s.seller.api.respondToOffer({ offerId: again.offer!.id, action: 'accept' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.cy, status: 'active' });
		expect(await productRow(s.product.id)).toEqual({ status: 'active', reserved_for: null, sold_to: null });
		expect((await systemMessages(s.conversations.ana)).at(-1)?.body).toBe('Available again');
	});

	it('a sale to the buyer it was reserved for names the price their accepted counter-offer agreed, to both and on her listing; a sale without one names none', async () => {
		// Listed at €150.00: Ana offers €120.00, Lee counters €135.00, Ana accepts, Lee sells it to her.
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'counter', amountCents: 13_500, id: randomUUID() });
		await s.ana.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		const agreed = { amount_cents: 13_500, currency: 'EUR' };
		expect((await systemMessages(s.conversations.ana)).slice(-2)).toEqual([
			{ sender_id: s.ana.id, body: "Ana accepted Lee's counter-offer of €135.00", payload: { event: 'offer.accepted', actor_id: s.ana.id, buyer_id: s.ana.id, ...agreed } },
			{ sender_id: s.seller.id, body: 'Sold to Ana for €135.00', payload: { event: 'listing.sold', actor_id: s.seller.id, buyer_id: s.ana.id, ...agreed } }
		]);
		const preview = async (member: Actor) => (await member.api.listConversationPreviews()).previews.find((p) => p.conversation_id === s.conversations.ana)!;
		expect(previewText(await preview(s.ana), s.ana.id)).toBe('Lee marked this as sold to you for €135.00');
		expect(previewText(await preview(s.seller), s.seller.id)).toBe('You marked this as sold to Ana for €135.00');
		expect(await s.ana.api.myDealOnListing({ productId: s.product.id })).toMatchObject({ sold_to_you: true, sold_for: agreed });
		// The sentences an account erasure writes again from the payloads are the ones posted.
		const { rows } = await db.query(`select body, private.system_body(m) as rewritten from public.messages m where conversation_id = $1 and kind <> 'text'`, [
			s.conversations.ana
		]);
		expect(rows.map((r) => r.rewritten)).toEqual(rows.map((r) => r.body));

		// For sale again, then sold to her with no offer accepted since: no price was agreed.
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'active' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect((await systemMessages(s.conversations.ana)).at(-1)).toEqual({ sender_id: s.seller.id, body: 'Sold to Ana', payload: { event: 'listing.sold', actor_id: s.seller.id, buyer_id: s.ana.id } });
		expect(await s.ana.api.myDealOnListing({ productId: s.product.id })).toMatchObject({ sold_to_you: true, sold_for: null });

		// Reserved for Ana, sold to Bo: his sale names no price, hers was not his.
		const other = await listing();
		const hers = await other.offer(other.ana, 12_000);
		await other.seller.api.respondToOffer({ offerId: hers.offer!.id, action: 'accept' });
		await other.seller.api.setListingStatus({ conversationId: other.conversations.bo, status: 'sold' });
		expect((await systemMessages(other.conversations.bo)).at(-1)).toMatchObject({ body: 'Sold to Bo', payload: { event: 'listing.sold', buyer_id: other.bo.id } });
		expect(await other.bo.api.myDealOnListing({ productId: other.product.id })).toMatchObject({ sold_to_you: true, sold_for: null });
	});

	it('only the seller, only in a conversation about the listing, and only a change', async () => {
		const s = await listing();
		expect(await rejection(s.ana.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' }))).toMatchObject({
			code: 'not_allowed',
			message: 'Only the seller can change this listing.'
		});
		expect((await rejection(s.bo.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' }))).code).toBe('not_member');
		const general = await send(s.ana, s.seller, 'Hello in general');
		expect(await rejection(s.seller.api.setListingStatus({ conversationId: general.conversation_id, status: 'sold' }))).toMatchObject({
			code: 'not_allowed',
			message: 'This conversation is not about a listing.'
		});
		expect(await rejection(s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'active' }))).toMatchObject({
			code: 'not_allowed',
			message: 'This listing is already available.'
		});
		await expect(sqlAs(db, s.seller.id, `select public.set_listing_status($1, 'reserved')`, [s.conversations.ana])).rejects.toMatchObject({ hint: 'invalid_input' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect(await rejection(s.seller.api.setListingStatus({ conversationId: s.conversations.bo, status: 'sold' }))).toMatchObject({
			code: 'not_allowed',
			message: 'This listing is already sold.'
		});
		// Directly, a seller can no longer change the status at all: it goes through the RPC.
		await expect(sqlAs(db, s.seller.id, `update public.products set status = 'active' where id = $1`, [s.product.id])).rejects.toMatchObject({ code: '42501' });
		await s.bo.api.blockUser({ userId: s.seller.id });
		expect((await rejection(s.seller.api.setListingStatus({ conversationId: s.conversations.bo, status: 'active' }))).code).toBe('blocked');
		expect(await productRow(s.product.id)).toEqual({ status: 'sold', reserved_for: null, sold_to: s.ana.id });
	});

	it('answers and status changes share a per-minute limit', async () => {
		const s = await listing();
		for (let i = 0; i < 15; i++) {
			await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
			await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'active' });
		}
		expect(await rejection(s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' }))).toMatchObject({
			code: 'rate_limited',
			message: 'You are answering offers and changing listings too fast (at most 30 a minute). Wait a moment and try again.'
		});
		// Sending is counted apart.
		await expect(send(s.seller, s.ana, 'Sorry for the noise', s.product.id)).resolves.toMatchObject({ kind: 'text' });
	});
});

describe('the card’s offer as each member sees it', () => {
	it('both members see the same offer on every card: the countered one not current, the newest current, both closed together', async () => {
		const s = await listing();
		const first = await s.offer(s.ana, 12_000);
		const counter = await s.seller.api.respondToOffer({ offerId: first.offer!.id, action: 'counter', amountCents: 14_000, id: randomUUID() });
		const cards = async (member: Actor) => {
			const opened = await member.api.openConversation({ otherUserId: member === s.seller ? s.ana.id : s.seller.id, productId: s.product.id });
			const listed = (await member.api.listMessages({ conversationId: s.conversations.ana })).messages;
			expect(opened.page.messages).toEqual(listed);
			return listed.filter((m) => m.kind === 'offer').map((m) => ({ id: m.id, offer: m.offer }));
		};
		const shared = { id: first.offer!.id, amount_cents: 14_000, currency: 'EUR', buyer_id: s.ana.id, seller_id: s.seller.id };
		for (const member of [s.ana, s.seller]) {
			expect(await cards(member)).toEqual([
				{ id: counter.id, offer: { ...shared, status: 'open', awaiting: 'buyer', current: true } },
				{ id: first.id, offer: { ...shared, status: 'open', awaiting: 'buyer', current: false } }
			]);
		}
		await s.ana.api.respondToOffer({ offerId: first.offer!.id, action: 'accept' });
		for (const member of [s.ana, s.seller]) {
			expect(await cards(member)).toEqual([
				{ id: counter.id, offer: { ...shared, status: 'accepted', awaiting: null, current: true } },
				{ id: first.id, offer: { ...shared, status: 'accepted', awaiting: null, current: false } }
			]);
		}
		// Text and system messages carry no offer; text no payload.
		const all = (await s.ana.api.listMessages({ conversationId: s.conversations.ana })).messages;
		expect(all.filter((m) => m.kind !== 'offer').every((m) => m.offer === null)).toBe(true);
		expect(all.filter((m) => m.kind === 'text').every((m) => m.payload === null)).toBe(true);
	});
});

describe('my_deal_on_listing', () => {
	const deal = (member: Actor, s: Scene) => member.api.myDealOnListing({ productId: s.product.id });
	const nothingYet = { reserved_for_you: false, sold_to_you: false, sold_for: null };

	it('is the buyer’s newest offer on the listing, open or closed, with its newest card; nobody else’s', async () => {
		const s = await listing();
		expect(await deal(s.ana, s)).toBeNull();
		const first = await s.offer(s.ana, 12_000);
		expect(await deal(s.ana, s)).toEqual({ offer: { ...offerOf(first), current: true }, card_message_id: first.id, countered: false, closed_by: null, ...nothingYet });
		// The seller and another buyer have no deal of their own here.
		expect(await deal(s.seller, s)).toBeNull();
		expect(await deal(s.bo, s)).toBeNull();
		const counter = await s.seller.api.respondToOffer({ offerId: first.offer!.id, action: 'counter', amountCents: 13_000, id: randomUUID() });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { amount_cents: 13_000, awaiting: 'buyer', status: 'open' }, card_message_id: counter.id });
		await s.ana.api.respondToOffer({ offerId: first.offer!.id, action: 'decline' });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { amount_cents: 13_000, status: 'declined', awaiting: null }, ...nothingYet });
		// A new offer after a declined one is the newest.
		const second = await s.offer(s.ana, 14_000);
		expect(await deal(s.ana, s)).toMatchObject({ offer: { id: second.offer!.id, status: 'open' }, card_message_id: second.id });
		await expect(sqlAs(db, null, 'select public.my_deal_on_listing($1)', [s.product.id])).rejects.toMatchObject({ code: '42501' });
	});

	it('says whether the listing is reserved for the buyer or sold to them, and tells another buyer only of their own offer', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		const bos = await s.offer(s.bo, 11_000);
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { status: 'accepted' }, reserved_for_you: true, sold_to_you: false });
		expect(await deal(s.bo, s)).toEqual({ offer: { ...offerOf(bos), status: 'declined', awaiting: null, current: true }, card_message_id: bos.id, countered: false, closed_by: 'listing', ...nothingYet });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.ana, status: 'sold' });
		expect(await deal(s.ana, s)).toMatchObject({ reserved_for_you: false, sold_to_you: true });
		// Sold without an offer: Cy's deal is the sale alone.
		await s.seller.api.setListingStatus({ conversationId: s.conversations.cy, status: 'active' });
		await s.seller.api.setListingStatus({ conversationId: s.conversations.cy, status: 'sold' });
		expect(await deal(s.cy, s)).toEqual({ offer: null, card_message_id: null, countered: false, closed_by: null, reserved_for_you: false, sold_to_you: true, sold_for: null });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { status: 'accepted' }, ...nothingYet });
	});

	it('says whether the amount is the seller’s counter and who closed the offer: the buyer, the seller, or the listing going elsewhere', async () => {
		const s = await listing();
		// Ana declines Lee's counter: her deal is his counter, closed by her.
		const first = await s.offer(s.ana, 12_000);
		expect(await deal(s.ana, s)).toMatchObject({ countered: false, closed_by: null });
		await s.seller.api.respondToOffer({ offerId: first.offer!.id, action: 'counter', amountCents: 13_000, id: randomUUID() });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { status: 'open' }, countered: true, closed_by: null });
		await s.ana.api.respondToOffer({ offerId: first.offer!.id, action: 'decline' });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { amount_cents: 13_000, status: 'declined' }, countered: true, closed_by: 'buyer' });
		// Her next offer, declined by Lee: his move, not hers on the offer before.
		const second = await s.offer(s.ana, 12_500);
		expect(await deal(s.ana, s)).toMatchObject({ offer: { status: 'open' }, countered: false, closed_by: null });
		await s.seller.api.respondToOffer({ offerId: second.offer!.id, action: 'decline' });
		expect(await deal(s.ana, s)).toMatchObject({ offer: { amount_cents: 12_500, status: 'declined' }, countered: false, closed_by: 'seller' });
		// Bo accepts Lee's counter: the listing is his; Cy's open offer is declined because it went to Bo.
		const cys = await s.offer(s.cy, 10_000);
		const bos = await s.offer(s.bo, 11_000);
		await s.seller.api.respondToOffer({ offerId: bos.offer!.id, action: 'counter', amountCents: 14_000, id: randomUUID() });
		await s.bo.api.respondToOffer({ offerId: bos.offer!.id, action: 'accept' });
		expect(await deal(s.bo, s)).toMatchObject({ offer: { status: 'accepted' }, countered: true, closed_by: 'buyer', reserved_for_you: true });
		expect(await deal(s.cy, s)).toMatchObject({ offer: { id: cys.offer!.id, status: 'declined' }, countered: false, closed_by: 'listing' });
		// Lee accepting a buyer's own offer is his move.
		const other = await listing();
		const anas = await other.offer(other.ana, 12_000);
		await other.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });
		expect(await deal(other.ana, other)).toMatchObject({ countered: false, closed_by: 'seller', reserved_for_you: true });
	});
});

describe('inbox previews, worded for each member', () => {
	const previewOf = async (member: Actor, conversationId: string) =>
		(await member.api.listConversationPreviews()).previews.find((p) => p.conversation_id === conversationId)!;

	it('carry the last card’s and update’s payload and the seller, as the inbox and its events give them', async () => {
		const s = await listing();
		const first = await s.offer(s.ana, 12_000);
		const card = { offer_id: first.offer!.id, amount_cents: 12_000, currency: 'EUR' };
		for (const [member, words] of [
			[s.ana, 'You offered €120.00'],
			[s.seller, 'Ana offered €120.00']
		] as const) {
			const preview = await previewOf(member, s.conversations.ana);
			expect(preview).toMatchObject({ last_message_kind: 'offer', last_message_payload: card, product_seller_id: s.seller.id });
			expect(previewText(preview, member.id)).toBe(words);
		}
		const at = await cursorOf(s.ana.id);
		const counter = await s.seller.api.respondToOffer({ offerId: first.offer!.id, action: 'counter', amountCents: 14_000, id: randomUUID() });
		expect(previewText(await previewOf(s.ana, s.conversations.ana), s.ana.id)).toBe('Lee countered with €140.00');
		expect(previewText(await previewOf(s.seller, s.conversations.ana), s.seller.id)).toBe('You countered with €140.00');
		// The event that brings the new card brings its preview the same way.
		const { events } = await s.ana.api.syncSince({ cursor: at });
		const created = events.find((e) => e.type === 'message.created' && e.payload.message.id === counter.id) as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
		expect(created.payload.preview).toMatchObject({ last_message_id: counter.id, last_message_payload: { amount_cents: 14_000 }, product_seller_id: s.seller.id });

		await s.ana.api.respondToOffer({ offerId: first.offer!.id, action: 'accept' });
		expect(previewText(await previewOf(s.ana, s.conversations.ana), s.ana.id)).toBe("You accepted Lee's counter-offer of €140.00");
		expect(previewText(await previewOf(s.seller, s.conversations.ana), s.seller.id)).toBe('Ana accepted your counter-offer of €140.00');
		// Search finds them worded the same way.
		const found = async (member: Actor, word: string) =>
			(await member.api.searchMessages({ query: word })).hits.filter((h) => h.conversation_id === s.conversations.ana).map((h) => hitText(h, member.id));
		expect(await found(s.ana, 'accepted')).toEqual(["You accepted Lee's counter-offer of €140.00"]);
		expect(await found(s.ana, 'countered')).toEqual(['Lee countered with €140.00']);
		expect(await found(s.ana, 'offered')).toEqual(['You offered €120.00']);
		expect(await found(s.seller, 'countered')).toEqual(['You countered with €140.00']);
		// A text message after them carries no payload.
		await send(s.ana, s.seller, 'Great, when can I pick it up?', s.product.id);
		expect(await previewOf(s.seller, s.conversations.ana)).toMatchObject({ last_message_kind: 'text', last_message_payload: null });
	});
});

describe('events: every change reaches both members once', () => {
	async function cursors(...members: Actor[]) {
		return Object.fromEntries(await Promise.all(members.map(async (m) => [m.id, await cursorOf(m.id)] as const)));
	}

	it('an offer is one message.created for each member, carrying the current card', async () => {
		const s = await listing();
		const at = await cursors(s.ana, s.seller);
		const card = await s.offer(s.ana, 12_000);
		for (const member of [s.ana, s.seller]) {
			expect(await eventsSince(member.id, at[member.id])).toEqual([{ type: 'message.created', conversation_id: s.conversations.ana, message_id: card.id }]);
			const { events } = await member.api.syncSince({ cursor: at[member.id] });
			const event = events[0] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
			expect(event.payload.message).toEqual(card);
		}
	});

	it('a decline is the system message created and the card updated, once each, for each member', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		const at = await cursors(s.ana, s.seller, s.bo);
		await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'decline' });
		const system = (await thread(s.conversations.ana)).at(-1)!;
		for (const member of [s.ana, s.seller]) {
			expect(await eventsSince(member.id, at[member.id])).toEqual([
				{ type: 'message.created', conversation_id: s.conversations.ana, message_id: system.id },
				{ type: 'message.updated', conversation_id: s.conversations.ana, message_id: card.id }
			]);
			const { events } = await member.api.syncSince({ cursor: at[member.id] });
			const updated = events[1] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
			expect(updated.payload.message.offer).toMatchObject({ status: 'declined', current: true });
		}
		expect(await eventsSince(s.bo.id, at[s.bo.id])).toEqual([]);
	});

	it('a block reaches both members with the offer it closed, then the block', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		const at = await cursors(s.ana, s.seller);
		await s.seller.api.blockUser({ userId: s.ana.id });
		const system = (await thread(s.conversations.ana)).at(-1)!;
		for (const member of [s.ana, s.seller]) {
			expect(await eventsSince(member.id, at[member.id])).toEqual([
				{ type: 'message.created', conversation_id: s.conversations.ana, message_id: system.id },
				{ type: 'message.updated', conversation_id: s.conversations.ana, message_id: card.id },
				{ type: 'block.updated', conversation_id: null, message_id: null }
			]);
		}
	});

	it('a counter is the new card created and the countered card updated: one message, one unread', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		const at = await cursors(s.ana, s.seller);
		const unreadBefore = (await s.ana.api.listConversationPreviews()).previews.find((p) => p.conversation_id === s.conversations.ana)!.unread_count;
		const counter = await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'counter', amountCents: 13_000, id: randomUUID() });
		for (const member of [s.ana, s.seller]) {
			expect((await eventsSince(member.id, at[member.id])).map((e) => [e.type, e.message_id])).toEqual([
				['message.created', counter.id],
				['message.updated', card.id]
			]);
			const { events } = await member.api.syncSince({ cursor: at[member.id] });
			const messages = events.map((e) => (e as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>).payload.message);
			expect(messages[0]).toMatchObject({ body: 'Lee countered with €130.00', offer: { current: true, awaiting: 'buyer' } });
			expect(messages[1].offer).toMatchObject({ current: false, awaiting: 'buyer' });
		}
		// Before, a "countered with" note came before the card: one move, 2 unread.
		const preview = (await s.ana.api.listConversationPreviews()).previews.find((p) => p.conversation_id === s.conversations.ana)!;
		expect(preview.unread_count).toBe(unreadBefore + 1);
	});

	it('an accept reaches each member only with what is in their own conversations, previews saying reserved', async () => {
		const s = await listing();
		const anas = await s.offer(s.ana, 12_000);
		const bos = await s.offer(s.bo, 11_000);
		const at = await cursors(s.ana, s.bo, s.cy, s.seller);
		await s.seller.api.respondToOffer({ offerId: anas.offer!.id, action: 'accept' });
		const last = async (conversationId: string, n: number) => (await thread(conversationId)).slice(-n).map((m) => m.id);
		const [accepted] = await last(s.conversations.ana, 1);
		const [autoDeclined, reservedBo] = await last(s.conversations.bo, 2);
		const [reservedCy] = await last(s.conversations.cy, 1);
		const ana = [
			['message.created', s.conversations.ana, accepted],
			['message.updated', s.conversations.ana, anas.id]
		];
		const bo = [
			['message.created', s.conversations.bo, autoDeclined],
			['message.updated', s.conversations.bo, bos.id],
			['message.created', s.conversations.bo, reservedBo]
		];
		const cy = [['message.created', s.conversations.cy, reservedCy]];
		const seen = async (member: Actor) => (await eventsSince(member.id, at[member.id])).map((e) => [e.type, e.conversation_id, e.message_id]);
		expect(await seen(s.ana)).toEqual(ana);
		expect(await seen(s.bo)).toEqual(bo);
		expect(await seen(s.cy)).toEqual(cy);
		expect((await seen(s.seller)).sort()).toEqual([...ana, ...bo, ...cy].sort());
		for (const member of [s.ana, s.bo, s.cy]) {
			const { events } = await member.api.syncSince({ cursor: at[member.id] });
			for (const event of events as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>[]) {
				expect(event.payload.preview).toMatchObject({ product_status: 'reserved' });
			}
		}
	});

	it('selling and releasing reach every member of every conversation about the listing', async () => {
		const s = await listing();
		const at = await cursors(s.ana, s.bo, s.cy, s.seller);
		await s.seller.api.setListingStatus({ conversationId: s.conversations.bo, status: 'sold' });
		for (const [member, conversationId] of [
			[s.ana, s.conversations.ana],
			[s.bo, s.conversations.bo],
			[s.cy, s.conversations.cy]
		] as const) {
			expect((await eventsSince(member.id, at[member.id])).map((e) => [e.type, e.conversation_id])).toEqual([['message.created', conversationId]]);
		}
		expect(await eventsSince(s.seller.id, at[s.seller.id])).toHaveLength(3);
		const mid = await cursors(s.ana, s.seller);
		await s.seller.api.setListingStatus({ conversationId: s.conversations.bo, status: 'active' });
		expect(await eventsSince(s.ana.id, mid[s.ana.id])).toHaveLength(1);
		expect(await eventsSince(s.seller.id, mid[s.seller.id])).toHaveLength(3);
	});
});

describe('what records the deal stays as written', () => {
	async function recorded(s: Scene) {
		const card = await s.offer(s.ana, 12_000);
		await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'decline' });
		const system = (await thread(s.conversations.ana)).at(-1)!;
		return { card, system };
	}

	it('offer cards and system messages cannot be edited, deleted or reacted to, by either member', async () => {
		const s = await listing();
		const { card, system } = await recorded(s);
		const before = await thread(s.conversations.ana);
		for (const member of [s.ana, s.seller]) {
			for (const id of [card.id, system.id]) {
				for (const attempt of [() => member.api.editMessage({ id, body: 'rewritten' }), () => member.api.deleteMessage({ id })]) {
					expect(await rejection(attempt())).toMatchObject({ code: 'not_allowed', message: 'Offers and updates about the listing can’t be edited or deleted.' });
				}
				expect(await rejection(member.api.toggleReaction({ messageId: id, emoji: '👍' }))).toMatchObject({
					code: 'not_allowed',
					message: 'You can’t react to this message.'
				});
			}
		}
		expect(await thread(s.conversations.ana)).toEqual(before);
		const { rows } = await db.query('select count(*)::int as n from public.message_reactions where message_id = any($1)', [[card.id, system.id]]);
		expect(rows).toEqual([{ n: 0 }]);
	});

	it('a member still edits and deletes their own text, and only that', async () => {
		const s = await listing();
		const text = await send(s.ana, s.seller, 'Would you take 100?', s.product.id);
		await expect(s.ana.api.editMessage({ id: text.id, body: 'Would you take 110?' })).resolves.toMatchObject({ body: 'Would you take 110?' });
		expect(await rejection(s.seller.api.deleteMessage({ id: text.id }))).toMatchObject({ code: 'not_allowed', message: 'You can only change your own messages.' });
	});
});

describe('housekeeping', () => {
	it('an open offer whose card retention purges is declined, and its buyer may offer again', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = $1`, [card.id]);
		await db.query('select * from public.purge_expired_messages()');
		const { rows } = await db.query('select status::text, awaiting, card_message_id from public.offers where id = $1', [card.offer!.id]);
		expect(rows).toEqual([{ status: 'declined', awaiting: null, card_message_id: null }]);
		expect((await rejection(s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' }))).message).toBe('This offer is no longer open.');
		await expect(s.offer(s.ana, 12_500)).resolves.toMatchObject({ kind: 'offer' });
	});

	it('erasing a buyer’s account keeps the deal’s record, closes what was open and puts a listing reserved for them back on sale', async () => {
		const s = await listing();
		const card = await s.offer(s.ana, 12_000);
		await s.offer(s.bo, 11_000);
		await s.seller.api.respondToOffer({ offerId: card.offer!.id, action: 'accept' });
		await db.query('delete from auth.users where id = $1', [s.ana.id]);
		expect(await productRow(s.product.id)).toEqual({ status: 'active', reserved_for: null, sold_to: null });
		const { rows } = await db.query('select buyer_id, status::text from public.offers where product_id = $1 order by buyer_id = $2 desc', [s.product.id, s.ana.id]);
		// Ana's accepted offer stays as the seller's record of it; Bo's was declined when Ana's was accepted.
		expect(rows).toEqual([
			{ buyer_id: s.ana.id, status: 'accepted' },
			{ buyer_id: s.bo.id, status: 'declined' }
		]);
		// The profile is "Deleted user", and the seller's conversation with them is still there.
		const { rows: profile } = await db.query('select display_name from public.profiles where id = $1', [s.ana.id]);
		expect(profile).toEqual([{ display_name: 'Deleted user' }]);
		expect((await s.seller.api.listConversationPreviews({ filter: 'listing', productId: s.product.id })).previews.map((p) => p.conversation_id)).toContain(s.conversations.ana);
		// Bo may make an offer again on the listing that is for sale once more.
		await expect(s.offer(s.bo, 11_500)).resolves.toMatchObject({ kind: 'offer' });
	});
});
