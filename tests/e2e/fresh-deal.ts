import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { insertConversation, insertMember, withDatabase } from './database';

/**
 * Calls an RPC as `userId` would through the app (their claims, the authenticated role, one
 * transaction), for a test arranging a deal in SQL rather than clicking through it. Returns the
 * first row.
 */
export async function asMember<T = Record<string, unknown>>(db: pg.Client, userId: string, sql: string, values: unknown[] = []): Promise<T> {
	await db.query('begin');
	try {
		await db.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
			JSON.stringify({ sub: userId, role: 'authenticated' })
		]);
		const { rows } = await db.query(sql, values);
		await db.query('commit');
		return rows[0] as T;
	} catch (error) {
		await db.query('rollback');
		throw error;
	}
}

/** The card make_offer returns, as far as a test needs it. */
interface OfferCard {
	card: { conversation_id: string; offer: { id: string } };
}

/** `buyerId` offers `amountCents` on the seller's listing, as make_offer does on first contact; returns the offer's id. */
export async function offerOn(db: pg.Client, buyerId: string, seller: string, product: string, amountCents: number): Promise<string> {
	const { card } = await asMember<OfferCard>(db, buyerId, 'select public.make_offer($1, $2, null, $3, $4) as card', [randomUUID(), amountCents, seller, product]);
	return card.offer.id;
}

/**
 * A fresh seller's lamp, reserved for Ana Keen (her €400 offer accepted), and Bo Late, who asked
 * about it afterwards: members and a listing of the calling test's own, so nothing it does
 * touches another spec's demo data.
 */
export async function reservedListing(baseURL: string | undefined) {
	const tag = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
	const member = (name: string) => ({ id: randomUUID(), username: `${name.split(' ')[0].toLowerCase()}_${tag}`, name, email: `${name.split(' ')[0].toLowerCase()}_${tag}@example.test` });
	const [seller, ana, bo] = [member('Lee Seller'), member('Ana Keen'), member('Bo Late')];
	const product = randomUUID();
	await withDatabase(baseURL, async (db) => {
		for (const user of [seller, ana, bo]) {
			await insertMember(db, user);
		}
		await db.query(
			`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
			 values ($1, $2, 'Brass lamp', 'Works well.', 45000, 'EUR', '/products/lamp.svg', 'active')`,
			[product, seller.id]
		);
		const offer = await offerOn(db, ana.id, seller.id, product, 40_000);
		await asMember(db, seller.id, `select public.respond_to_offer($1, 'accept')`, [offer]);
		const conversationId = await insertConversation(db, bo.id, seller.id, product);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, expires_at) values (gen_random_uuid(), $1, $2, 'Is the lamp still there?', now() + interval '30 days')`,
			[conversationId, bo.id]
		);
	});
	return { seller, ana, bo, product };
}
