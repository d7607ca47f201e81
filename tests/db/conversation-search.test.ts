import { describe, expect, it } from 'vitest';
import { sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, rejection, send } from '../support/messaging.ts';

const db = testPool();

/** A member whose profile shows this name (the factory names everyone after their username). */
async function named(displayName: string): Promise<Actor> {
	const actor = await createActor(db);
	await db.query('update public.profiles set display_name = $2 where id = $1', [actor.id, displayName]);
	return actor;
}

/** Names unique to one test, so searches never meet another test's rows in the shared database. */
const tag = () => `q${Math.random().toString(36).slice(2, 8)}`;

const keysOf = async (actor: Actor, query: string, limit?: number) =>
	(await actor.api.searchConversations({ query, limit })).map((preview) => preview.key);

describe('search_conversations', () => {
	it('finds a conversation by the other member’s name, username or listing title, as an inbox preview', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const buyer = await named(`Friedrich Hohenzollern${t}`);
		const backpack = await createProduct(db, seller.id, { title: `Hiking backpack${t} 40 L` });
		await send(buyer, seller, 'Is it waterproof?', backpack.id);
		const key = `${buyer.id}__${backpack.id}`;

		expect(await keysOf(seller, `hohenzollern${t}`)).toEqual([key]);
		expect(await keysOf(seller, buyer.username)).toEqual([key]);
		expect(await keysOf(seller, `backpack${t}`)).toEqual([key]);
		// The buyer finds it by the listing, and by the seller's name: the other member is always the one searched.
		expect(await keysOf(buyer, `backpack${t}`)).toEqual([`${seller.id}__${backpack.id}`]);
		expect(await keysOf(buyer, `hohenzollern${t}`)).toEqual([]);
		const [preview] = await seller.api.searchConversations({ query: `HOHENZOLLERN${t}` });
		expect(preview).toMatchObject({
			other_user_id: buyer.id,
			other_display_name: `Friedrich Hohenzollern${t}`,
			product_title: backpack.title,
			last_message_preview: 'Is it waterproof?',
			unread_count: 1,
			archived: false,
			other_deleted: false
		});
	});

	it('every word must start a word of the name, username or title, in any case and accent, across name and title', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const anna = await named(`Anna Müller${t}`);
		const ben = await named(`Ben Meyer${t}`);
		const lamp = await createProduct(db, seller.id, { title: `Brass lamp${t}` });
		const chair = await createProduct(db, seller.id, { title: `Oak chair${t}` });
		await send(anna, seller, 'Hi', lamp.id);
		await send(anna, seller, 'Hi', chair.id);
		await send(ben, seller, 'Hi', lamp.id);

		expect(await keysOf(seller, `anna LAMP${t}`)).toEqual([`${anna.id}__${lamp.id}`]);
		expect(new Set(await keysOf(seller, `lamp${t}`))).toEqual(new Set([`${anna.id}__${lamp.id}`, `${ben.id}__${lamp.id}`]));
		expect(await keysOf(seller, `MULLER${t} oak`)).toEqual([`${anna.id}__${chair.id}`]);
		expect(await keysOf(seller, `müller${t} chair`)).toEqual([`${anna.id}__${chair.id}`]);
		// Letters with no accent to drop, as typed without the key: "strasse" finds Straße.
		const jens = await named(`Jens Straße${t}`);
		await send(jens, seller, 'Hi', lamp.id);
		expect(await keysOf(seller, `strasse${t}`)).toEqual([`${jens.id}__${lamp.id}`]);
		expect(await keysOf(seller, `STRAẞE${t}`)).toEqual([`${jens.id}__${lamp.id}`]);
		// Starts of words only, and every word must be found somewhere.
		expect(await keysOf(seller, `uller${t}`)).toEqual([]);
		expect(await keysOf(seller, `ben lamp${t} chair`)).toEqual([]);
	});

	it('signs in a query are only text: %, _, . and \\ never match anything but themselves', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const buyer = await named(`Buyer ${t}`);
		const wool = await createProduct(db, seller.id, { title: `100% wool scarf ${t}` });
		const puzzle = await createProduct(db, seller.id, { title: `1000 piece puzzle ${t}` });
		const kit = await createProduct(db, seller.id, { title: `a_c kit ${t}` });
		const abc = await createProduct(db, seller.id, { title: `abc blocks ${t}` });
		for (const product of [wool, puzzle, kit, abc]) await send(buyer, seller, 'Hi', product.id);
		const found = async (query: string) => (await keysOf(seller, `${query} ${t}`, 20)).map((key) => key.split('__')[1]);

		expect(await found('100%')).toEqual([wool.id]);
		expect(new Set(await found('100'))).toEqual(new Set([wool.id, puzzle.id]));
		expect(await found('a_c')).toEqual([kit.id]);
		// After a sign a word starts: "c" finds "a_c", and nothing else here starts with c.
		expect(await found('c')).toEqual([kit.id]);
		for (const query of ['a%c', 'a.c', 'ab.', '.bc', 'ab\\', '(abc', 'a[b]c', 'a*']) expect(await found(query), query).toEqual([]);
	});

	it('never returns another member’s conversations, even with a partner of the same name', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const third = await named(`Third ${t}`);
		const buyer = await named(`Hohenzollern ${t}`);
		const namesake = await named(`Hohenzollern ${t}`);
		const product = await createProduct(db, seller.id, { title: `Backpack ${t}` });
		const theirs = await createProduct(db, third.id, { title: `Backpack ${t}` });
		await send(buyer, seller, 'Hi', product.id);
		await send(namesake, third, 'Hi', theirs.id);
		await send(namesake, buyer, 'Hello cousin');

		expect(await keysOf(seller, `hohenzollern ${t}`)).toEqual([`${buyer.id}__${product.id}`]);
		expect(await keysOf(third, `hohenzollern ${t}`)).toEqual([`${namesake.id}__${theirs.id}`]);
		expect(await keysOf(seller, `backpack ${t}`)).toEqual([`${buyer.id}__${product.id}`]);
		// The buyer and the namesake each find their own conversation with the other, and nothing else of theirs.
		expect(await keysOf(buyer, `hohenzollern ${t}`)).toEqual([`${namesake.id}__general`]);
		const outsider = await named(`Outsider ${t}`);
		expect(await keysOf(outsider, `hohenzollern ${t}`)).toEqual([]);
		expect(await keysOf(outsider, `backpack ${t}`)).toEqual([]);
	});

	it('newest activity first, archived ones included and marked, 5 unless asked, at most 20', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const product = await createProduct(db, seller.id, { title: `Backpack ${t}` });
		const keys: string[] = [];
		for (let i = 0; i < 22; i++) {
			const buyer = await named(`Buyer ${i} ${t}`);
			const sent = await send(buyer, seller, `Hi ${i}`, product.id);
			keys.unshift(`${buyer.id}__${product.id}`);
			if (i === 20) await seller.api.setArchived({ conversationId: sent.conversation_id, archived: true });
		}
		expect(await keysOf(seller, `backpack ${t}`)).toEqual(keys.slice(0, 5));
		const twenty = await seller.api.searchConversations({ query: `backpack ${t}`, limit: 20 });
		expect(twenty.map((p) => p.key)).toEqual(keys.slice(0, 20));
		expect(twenty.map((p) => p.archived)).toEqual(keys.slice(0, 20).map((_, i) => i === 1));
		// Asked straight, the RPC keeps to 1 to 20 rows whatever the page size.
		for (const [limit, rows] of [[0, 1], [-3, 1], [21, 20], [1000, 20]]) {
			const got = await sqlAs<{ n: number }>(db, seller.id, 'select count(*)::int as n from public.search_conversations($1, $2)', [`backpack ${t}`, limit]);
			expect(got[0].n, `limit ${limit}`).toBe(rows);
		}
	});

	it('a block either way leaves the conversation findable, as the inbox lists it; an erased member is found only as what they are now', async () => {
		const t = tag();
		const seller = await named(`Seller ${t}`);
		const blocked = await named(`Blocked Buyer ${t}`);
		const blocker = await named(`Blocking Buyer ${t}`);
		const gone = await named(`Hohenzollern ${t}`);
		const product = await createProduct(db, seller.id, { title: `Backpack ${t}` });
		for (const buyer of [blocked, blocker, gone]) await send(buyer, seller, 'Hi', product.id);
		await seller.api.blockUser({ userId: blocked.id });
		await blocker.api.blockUser({ userId: seller.id });
		expect(await keysOf(seller, `blocked ${t}`)).toEqual([`${blocked.id}__${product.id}`]);
		expect(await keysOf(seller, `blocking ${t}`)).toEqual([`${blocker.id}__${product.id}`]);
		expect(await keysOf(blocked, `backpack ${t}`)).toEqual([`${seller.id}__${product.id}`]);

		await gone.api.eraseMyAccount();
		expect(await keysOf(seller, `hohenzollern ${t}`)).toEqual([]);
		expect(await keysOf(seller, gone.username)).toEqual([]);
		const byListing = await seller.api.searchConversations({ query: `backpack ${t}`, limit: 20 });
		expect(byListing.find((p) => p.other_user_id === gone.id)).toMatchObject({ other_display_name: 'Deleted user', other_deleted: true });
	});

	it('refuses what search_messages refuses, with the same words, and signed-out callers', async () => {
		const actor = await createActor(db);
		for (const query of ['', '   ', '%', '_', '\\', '!!', '& | !', 'x'.repeat(201)]) {
			const [conversations, messages] = await Promise.all([
				rejection(actor.api.searchConversations({ query })),
				rejection(actor.api.searchMessages({ query }))
			]);
			expect(conversations.code, JSON.stringify(query)).toBe('invalid_input');
			expect(conversations.message, JSON.stringify(query)).toBe(messages.message);
		}
		expect((await rejection(actor.api.searchConversations({ query: 'x'.repeat(201) }))).message).toBe('Search for at most 200 characters.');
		expect((await rejection(actor.api.searchConversations({ query: '%' }))).message).toBe('Type a word to search for.');
		// 200 characters are searched.
		expect(await actor.api.searchConversations({ query: 'x'.repeat(200) })).toEqual([]);
		await expect(db.query(`select * from public.search_conversations('anything')`)).rejects.toThrow(/Sign in to use messages/);
	});
});
