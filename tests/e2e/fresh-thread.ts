import { randomUUID } from 'node:crypto';
import type { Browser } from '@playwright/test';
import { insertConversation, insertMember, withDatabase } from './database';
import { signedInPage } from './session';

/**
 * A buyer's thread about a listing, with a few messages each way, the newest the seller's: two
 * members and a listing made for the calling test (written in SQL), so what it does (archive,
 * send, read) touches no other spec's counts, send limits or conversations. `earlier` puts that
 * many more messages before those, taking turns from the buyer, for a thread of any length.
 */
export async function buyersThread(baseURL: string | undefined, { earlier = 0 }: { earlier?: number } = {}) {
	const tag = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
	const buyer = { id: randomUUID(), username: `buyer_${tag}`, name: 'Robin Buyer' };
	const seller = { id: randomUUID(), username: `seller_${tag}`, name: 'Sam Seller' };
	const product = randomUUID();
	await withDatabase(baseURL, async (db) => {
		await db.query('begin');
		for (const user of [buyer, seller]) {
			await insertMember(db, { id: user.id, email: `${user.username}@example.test`, username: user.username, name: user.name });
		}
		await db.query(
			`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
			 values ($1, $2, 'Road bike, 56 cm', 'Serviced last month.', 45000, 'EUR', '/products/bike.svg', 'active')`,
			[product, seller.id]
		);
		const conversationId = await insertConversation(db, buyer.id, seller.id, product);
		const lines: [string, string][] = [
			...Array.from({ length: earlier }, (_, index): [string, string] => [index % 2 ? seller.id : buyer.id, `Earlier message ${index + 1}.`]),
			[buyer.id, 'Hi! Is the bike still available?'],
			[seller.id, 'Yes, it is. Serviced last month, new chain.'],
			[buyer.id, 'Great. Could I see it on Saturday morning?'],
			[seller.id, 'Saturday at 10 works for me.']
		];
		// Three minutes apart up to now, all on one day: a thread made just after midnight (in the
		// zone the browser shows, this machine's) ends a minute before it, or it would show two days.
		const now = new Date();
		const midnight = new Date(now).setHours(0, 0, 0, 0);
		const end = now.getTime() - lines.length * 3 * 60_000 < midnight ? new Date(midnight - 60_000) : now;
		for (const [index, [sender, body]] of lines.entries()) {
			await db.query(
				`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at)
				 values (gen_random_uuid(), $1, $2, $3, $5::timestamptz - ($4 * interval '3 minutes'), now() + interval '30 days')`,
				[conversationId, sender, body, lines.length - index, end.toISOString()]
			);
		}
		await db.query('commit');
	});
	const withEmail = (user: typeof buyer) => ({ ...user, email: `${user.username}@example.test` });
	return { buyer: withEmail(buyer), seller: withEmail(seller), product, buyerUrl: `/messages?conversation=${seller.id}__${product}` };
}

/** Both members of a fresh buyer's thread, each signed in in a browser context of their own and showing it; `close` ends both. */
export async function bothMembers(browser: Browser, baseURL: string | undefined) {
	const thread = await buyersThread(baseURL);
	const [buyer, seller] = await Promise.all([
		signedInPage(browser, thread.buyer.email, thread.buyerUrl),
		signedInPage(browser, thread.seller.email, `/messages?conversation=${thread.buyer.id}__${thread.product}`)
	]);
	return { thread, buyer: buyer.page, seller: seller.page, close: () => Promise.all([buyer.close(), seller.close()]) };
}
