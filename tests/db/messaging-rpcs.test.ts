import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimsFor, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, marketplace, rejection, send } from '../support/messaging.ts';

const db = testPool();

/** Rows the messaging tables hold for these users: what a refused call must leave unchanged. */
async function footprint(...users: Actor[]) {
	const ids = users.map((u) => u.id);
	const { rows } = await db.query(
		`select
		   (select count(*) from public.conversations where user_low = any($1) or user_high = any($1))::int as conversations,
		   (select count(*) from public.conversation_members where user_id = any($1))::int as members,
		   (select count(*) from public.messages where sender_id = any($1))::int as messages,
		   (select coalesce(sum(unread_count), 0) from public.conversation_members where user_id = any($1))::int as unread,
		   (select string_agg(body, '|' order by id) from public.messages where sender_id = any($1)) as bodies`,
		[ids]
	);
	return rows[0];
}

describe('open_conversation', () => {
	it('a conversation not started yet comes back empty and opening it creates nothing', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const opened = await buyer.api.openConversation({ otherUserId: seller.id, productId: product.id });
		expect(opened).toMatchObject({
			key: `${seller.id}__${product.id}`,
			conversation_id: null,
			read_state: null,
			other_user: { id: seller.id, username: seller.username },
			product: { id: product.id, title: product.title, seller_id: seller.id, status: 'active' },
			blocked_by_me: false,
			blocked_me: false,
			page: { messages: [], next: null }
		});
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 0, members: 0, messages: 0 });
	});

	it('a started conversation comes with its newest page, read state and the other side’s read position', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Is it available?', product.id);
		await seller.api.markConversationRead({ conversationId: first.conversation_id });
		const reply = await send(seller, buyer, 'Yes!', product.id);
		const opened = await buyer.api.openConversation({ otherUserId: seller.id, productId: product.id, limit: 1 });
		expect(opened.conversation_id).toBe(first.conversation_id);
		expect(opened.page.messages.map((m) => m.body)).toEqual(['Yes!']);
		expect(opened.page.next).toEqual({ at: expect.any(String), id: expect.any(String) });
		// Writing a reply moves the writer's own read position to it.
		expect(opened.read_state).toMatchObject({ unread_count: 1, last_read_message_id: first.id, other_last_read_message_id: reply.id });
		const older = await buyer.api.listMessages({ conversationId: first.conversation_id, before: opened.page.next });
		expect(older.messages.map((m) => m.body)).toEqual(['Is it available?']);
	});
});

describe('send_message', () => {
	it('the first message creates the conversation and both memberships; later ones reuse it', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Hello', product.id);
		const second = await send(buyer, seller, 'Hello again', product.id);
		const reply = await seller.api.sendMessage({ id: randomUUID(), body: 'Hi', conversationId: first.conversation_id });
		expect(new Set([first.conversation_id, second.conversation_id, reply.conversation_id]).size).toBe(1);
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 1, members: 2, messages: 3 });
		expect(first).toMatchObject({ sender_id: buyer.id, product_id: product.id, product_title: product.title, kind: 'text' });
	});

	it('two concurrent first sends between the same pair and product create one conversation', async () => {
		for (let round = 0; round < 5; round++) {
			const { buyer, seller, product } = await marketplace(db);
			const sent = await Promise.all([
				send(buyer, seller, 'from buyer', product.id),
				send(seller, buyer, 'from seller', product.id),
				send(buyer, seller, 'from buyer again', product.id)
			]);
			expect(new Set(sent.map((m) => m.conversation_id)).size).toBe(1);
			expect(await footprint(buyer, seller)).toMatchObject({ conversations: 1, members: 2, messages: 3 });
		}
	});

	it('sending twice with the same id stores one message, also when both arrive at once', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const id = randomUUID();
		const [a, b] = await Promise.all([send(buyer, seller, 'Once', product.id, id), send(buyer, seller, 'Once', product.id, id)]);
		const retried = await buyer.api.sendMessage({ id, body: '  Once \n', conversationId: a.conversation_id });
		expect(a).toEqual(b);
		expect(retried).toEqual(a);
		expect(await footprint(buyer, seller)).toMatchObject({ messages: 1, unread: 1 });
	});

	it('an id sent again with other words, or to another conversation, is refused and stores nothing', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const id = randomUUID();
		const first = await send(buyer, seller, 'Once', product.id, id);
		// As a form restored by the back button sends the next message: before, it "succeeded" and was dropped.
		for (const reuse of [() => send(buyer, seller, 'Something else', product.id, id), () => send(buyer, seller, 'Once', null, id)]) {
			expect(await rejection(reuse())).toMatchObject({
				code: 'conflict',
				status: 409,
				message: 'This message id is already taken: a different message was sent with it. Send yours again.'
			});
		}
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 1, messages: 1 });
		// Edited since, the message is no longer as sent: a late retry of the send still gets it.
		const edited = await buyer.api.editMessage({ id, body: 'Once, edited' });
		expect(await send(buyer, seller, 'Once', product.id, id)).toEqual(edited);
		expect(first.body).toBe('Once');
	});

	it('a body of invisible characters only is empty, unless photos carry the message', async () => {
		const { buyer, seller } = await marketplace(db);
		for (const body of ['\u200b\u200b\ufeff', ' \u200d\u2060 ', '\u00ad']) {
			expect(await rejection(send(buyer, seller, body))).toMatchObject({ code: 'body_empty', message: 'Write a message before sending.' });
		}
		expect((await send(buyer, seller, 'Zero\u200bwidth inside is kept')).body).toBe('Zero\u200bwidth inside is kept');
		expect(await footprint(buyer, seller)).toMatchObject({ messages: 1 });
	});

	it('control characters are removed, so a body of them alone is empty; tabs and line breaks stay', async () => {
		const { buyer, seller } = await marketplace(db);
		expect(await rejection(send(buyer, seller, '\u0001\u0007 \u001b\u007f\u0085'))).toMatchObject({ code: 'body_empty' });
		const sent = await send(buyer, seller, 'Bell\u0007 here,\ttab\r\nnext line\u009b[2J\u0001');
		expect(sent.body).toBe('Bell here,\ttab\r\nnext line[2J');
		const edited = await buyer.api.editMessage({ id: sent.id, body: 'Edited\u0008 too' });
		expect(edited.body).toBe('Edited too');
	});

	it('bidirectional overrides, embeddings and isolates are removed (they reorder what a message shows); the marks stay', async () => {
		const { buyer, seller } = await marketplace(db);
		// "ctrl" + RLO + "evil" showed as "ctrllive".
		expect((await send(buyer, seller, 'ctrl\u202Eevil')).body).toBe('ctrlevil');
		const sent = await send(buyer, seller, '\u2067שלום\u2069 and \u202Atext\u202C, \u200Fmark\u200E kept');
		expect(sent.body).toBe('שלום and text, \u200Fmark\u200E kept');
		expect((await buyer.api.editMessage({ id: sent.id, body: 'Edited \u202Dhere\u202C' })).body).toBe('Edited here');
		expect(await rejection(send(buyer, seller, '\u202E\u2066'))).toMatchObject({ code: 'body_empty' });
	});

	it('a message stored before overrides were removed loses them to the migration that cleans what is stored, as an update its members see', async () => {
		const { buyer, seller } = await marketplace(db);
		const sent = await send(buyer, seller, 'Pay at moc.elpmaxe');
		// As it was stored before messaging_bidi_overrides: it showed "Pay at example.com".
		await db.query(`update public.messages set body = 'Pay at ' || U&'\\202E' || 'moc.elpmaxe ' || U&'\\202C' where id = $1`, [sent.id]);
		const { cursor } = await seller.api.sessionStart();
		const cleanStored = () => db.query(readFileSync('supabase/migrations/20261207002600_messaging_bidi_overrides_stored.sql', 'utf8'));
		await cleanStored();
		const [stored] = (await db.query('select body, edited_at from public.messages where id = $1', [sent.id])).rows;
		expect(stored).toEqual({ body: 'Pay at moc.elpmaxe', edited_at: null });
		expect((await seller.api.listConversationPreviews()).previews[0].last_message_preview).toBe('Pay at moc.elpmaxe');
		const updates = async () => (await seller.api.syncSince({ cursor })).events.filter((e) => e.type === 'message.updated');
		expect((await updates()).map((e) => (e.payload as { message: { body: string } }).message.body)).toEqual(['Pay at moc.elpmaxe']);
		await cleanStored();
		expect(await updates()).toHaveLength(1);
	});

	it('another user cannot reuse a message id', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const mine = await send(buyer, seller, 'Mine', product.id);
		const error = await rejection(send(seller, buyer, 'Theirs', product.id, mine.id));
		expect(error.code).toBe('conflict');
		expect(await footprint(buyer, seller)).toMatchObject({ messages: 1 });
	});

	it('a general conversation is separate from product conversations and unique per pair', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const about = await send(buyer, seller, 'About the product', product.id);
		const general = await Promise.all([send(buyer, seller, 'In general'), send(seller, buyer, 'Generally')]);
		expect(general[0].conversation_id).toBe(general[1].conversation_id);
		expect(general[0].conversation_id).not.toBe(about.conversation_id);
		expect(general[0].product_id).toBeNull();
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 2, members: 4 });
		const opened = await seller.api.openConversation({ otherUserId: buyer.id, productId: null });
		expect(opened.key).toBe(`${buyer.id}__general`);
		expect(opened.conversation_id).toBe(general[0].conversation_id);
	});

	it('a reply quotes the message it answers', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const question = await send(buyer, seller, 'Does it come with a case?', product.id);
		const answer = await seller.api.sendMessage({
			id: randomUUID(),
			body: 'Yes, the original one.',
			conversationId: question.conversation_id,
			replyToId: question.id
		});
		expect(answer).toMatchObject({ reply_to_id: question.id, reply_to_sender_id: buyer.id, reply_to_preview: 'Does it come with a case?' });
	});

	it('more than 30 messages a minute from one sender are refused with a clear error', async () => {
		const { buyer, seller, product } = await marketplace(db);
		for (let i = 0; i < 30; i++) await send(buyer, seller, `message ${i}`, product.id);
		const error = await rejection(send(buyer, seller, 'one too many', product.id));
		expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
		expect(error.message).toMatch(/too fast/);
		expect(await footprint(buyer, seller)).toMatchObject({ messages: 30 });
		// The other side is not slowed down by the buyer's burst.
		await expect(send(seller, buyer, 'fine', product.id)).resolves.toMatchObject({ body: 'fine' });
	});

	it('an operator can turn the per-sender limit off (a null limit)', async () => {
		const { buyer, seller, product } = await marketplace(db);
		// One transaction, rolled back: the setting is shared by every test running meanwhile.
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query('update public.messaging_settings set rate_limit_per_minute = null');
			await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
				JSON.stringify(claimsFor(buyer.id))
			]);
			for (let i = 0; i < 31; i++) {
				await client.query('select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3, p_product_id => $4)', [
					randomUUID(),
					`message ${i}`,
					seller.id,
					product.id
				]);
			}
			const { rows } = await client.query('select count(*)::int as n from public.messages where sender_id = $1', [buyer.id]);
			expect(rows[0].n).toBe(31);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it('keeps each message for as long as its sender’s tier allows', async () => {
		const seller = await createActor(db, { tier: 'privileged_plus' });
		const product = await createProduct(db, seller.id);
		const free = await createActor(db);
		const privileged = await createActor(db, { tier: 'privileged' });
		const sent = [await send(free, seller, 'a', product.id), await send(privileged, seller, 'b', product.id), await send(seller, free, 'c', product.id)];
		const { rows } = await db.query(
			`select id, round(extract(epoch from expires_at - created_at) / 86400) as days from public.messages where id = any($1)`,
			[sent.map((m) => m.id)]
		);
		const days = Object.fromEntries(rows.map((r) => [r.id, Number(r.days)]));
		expect(sent.map((m) => days[m.id])).toEqual([30, 180, 365]);
	});
});

describe('bad input is refused with a clear error and writes nothing', () => {
	it.each([
		['an empty body', '', 'body_empty'],
		['a body of whitespace', ' \n\t\u00a0 ', 'body_empty'],
		['a body of 4001 characters', 'x'.repeat(4001), 'body_too_long']
	])('%s', async (_, body, code) => {
		const { buyer, seller, product } = await marketplace(db);
		const error = await rejection(send(buyer, seller, body, product.id));
		expect(error.code).toBe(code);
		expect(error.status).toBe(400);
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 0, messages: 0 });
	});

	it('a body of exactly 4000 characters is accepted', async () => {
		const { buyer, seller, product } = await marketplace(db);
		expect((await send(buyer, seller, 'y'.repeat(4000), product.id)).body).toHaveLength(4000);
	});

	it('messaging yourself', async () => {
		const { seller, product } = await marketplace(db);
		const error = await rejection(send(seller, seller, 'Hi me', product.id));
		expect(error).toMatchObject({ code: 'self_conversation', message: 'You can’t message yourself.' });
		expect(await footprint(seller)).toMatchObject({ conversations: 0, messages: 0 });
	});

	it('a product conversation without its seller', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const otherBuyer = await createActor(db);
		const error = await rejection(send(buyer, otherBuyer, 'About their product', product.id));
		expect(error.code).toBe('product_seller_mismatch');
		await expect(buyer.api.openConversation({ otherUserId: otherBuyer.id, productId: product.id })).rejects.toMatchObject({
			code: 'product_seller_mismatch'
		});
		expect(await footprint(buyer, seller, otherBuyer)).toMatchObject({ conversations: 0, messages: 0 });
	});

	it('unknown users, products, conversations and messages', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const sent = await send(buyer, seller, 'Hello', product.id);
		const before = await footprint(buyer, seller);
		const unknown = randomUUID();
		expect((await rejection(send(buyer, { ...seller, id: unknown }, 'Hi'))).code).toBe('not_found');
		expect((await rejection(send(buyer, seller, 'Hi', unknown))).code).toBe('not_found');
		expect((await rejection(buyer.api.sendMessage({ id: randomUUID(), body: 'Hi', conversationId: unknown }))).code).toBe('not_member');
		expect((await rejection(buyer.api.listMessages({ conversationId: unknown }))).code).toBe('not_member');
		expect((await rejection(buyer.api.markConversationRead({ conversationId: sent.conversation_id, upToMessageId: unknown }))).code).toBe('not_found');
		expect((await rejection(buyer.api.editMessage({ id: unknown, body: 'x' }))).code).toBe('not_found');
		expect((await rejection(buyer.api.deleteMessage({ id: unknown }))).code).toBe('not_found');
		expect((await rejection(buyer.api.reportMessage({ messageId: unknown, reason: 'spam' }))).code).toBe('not_found');
		expect((await rejection(buyer.api.blockUser({ userId: unknown }))).code).toBe('not_found');
		expect(
			(await rejection(buyer.api.sendMessage({ id: randomUUID(), body: 'Hi', conversationId: sent.conversation_id, replyToId: unknown }))).code
		).toBe('not_found');
		expect(await footprint(buyer, seller)).toEqual(before);
	});

	it('malformed ids and filters never reach SQL as such', async () => {
		const { buyer, seller } = await marketplace(db);
		const malformed = [
			buyer.api.sendMessage({ id: 'not-a-uuid', body: 'Hi', to: { otherUserId: seller.id, productId: null } }),
			buyer.api.sendMessage({ id: randomUUID(), body: 'Hi', to: { otherUserId: "x'; drop table messages; --", productId: null } }),
			buyer.api.listMessages({ conversationId: '42' }),
			buyer.api.listMessages({ conversationId: randomUUID(), before: { at: 'yesterday-ish', id: randomUUID() } })
		];
		for (const call of malformed) expect((await rejection(call)).code).toMatch(/invalid_input|not_member/);
		// @ts-expect-error: a filter the type does not allow, as a form could send it
		await expect(buyer.api.listConversationPreviews({ filter: 'spam' })).rejects.toThrow();
		expect(await footprint(buyer, seller)).toMatchObject({ conversations: 0, messages: 0 });
	});

	it('an unknown search or a report reason outside the list', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const sent = await send(seller, buyer, 'Hello', product.id);
		expect((await rejection(buyer.api.searchMessages({ query: '  !!  ' }))).code).toBe('invalid_input');
		expect((await rejection(buyer.api.searchMessages({ query: 'x'.repeat(201) }))).code).toBe('invalid_input');
		// @ts-expect-error: a reason the type does not allow
		expect((await rejection(buyer.api.reportMessage({ messageId: sent.id, reason: 'boring' }))).code).toBe('invalid_input');
		expect((await rejection(buyer.api.setMuted({ conversationId: sent.conversation_id, until: '2000-01-01T00:00:00Z' }))).code).toBe(
			'invalid_input'
		);
	});
});

describe('unread counts and previews', () => {
	it('stay right across send, read, edit, delete, archive and block', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const preview = async (who: Actor, filter: 'all' | 'unread' | 'archived' = 'all') =>
			(await who.api.listConversationPreviews({ filter })).previews[0];

		const a = await send(buyer, seller, 'First', product.id);
		const b = await send(buyer, seller, 'Second', product.id);
		expect(await preview(seller)).toMatchObject({
			key: `${buyer.id}__${product.id}`,
			unread_count: 2,
			last_message_id: b.id,
			last_message_preview: 'Second',
			last_message_sender_id: buyer.id,
			product_title: product.title,
			other_display_name: buyer.username
		});
		expect(await preview(buyer)).toMatchObject({ unread_count: 0, key: `${seller.id}__${product.id}` });
		expect(await seller.api.unreadTotal()).toBe(2);
		expect((await preview(seller, 'unread')).conversation_id).toBe(a.conversation_id);

		// Reading up to the first leaves the second unread; reading never moves backwards.
		expect((await seller.api.markConversationRead({ conversationId: a.conversation_id, upToMessageId: a.id })).unread_count).toBe(1);
		expect((await seller.api.markConversationRead({ conversationId: a.conversation_id })).unread_count).toBe(0);
		expect(await seller.api.markConversationRead({ conversationId: a.conversation_id, upToMessageId: a.id })).toMatchObject({
			unread_count: 0,
			last_read_message_id: b.id
		});
		expect(await preview(seller, 'unread')).toBeUndefined();
		expect((await preview(buyer)).other_last_read_at).not.toBeNull();

		// Editing the last message changes the preview, not the unread count.
		const c = await send(buyer, seller, 'Third', product.id);
		await buyer.api.editMessage({ id: c.id, body: 'Third, edited' });
		expect(await preview(seller)).toMatchObject({ last_message_preview: 'Third, edited', unread_count: 1 });

		// Deleting an unread last message takes it out of the count and blanks the preview.
		const deleted = await buyer.api.deleteMessage({ id: c.id });
		expect(deleted).toMatchObject({ body: '', deleted_at: expect.any(String) });
		expect(await preview(seller)).toMatchObject({ last_message_preview: '', last_message_deleted: true, unread_count: 0 });
		expect(await seller.api.unreadTotal()).toBe(0);
		const thread = await seller.api.listMessages({ conversationId: a.conversation_id });
		expect(thread.messages.map((m) => [m.body, m.deleted_at !== null])).toEqual([
			['', true],
			['Second', false],
			['First', false]
		]);

		// Archive: out of "all", into "archived"; a new message from the other side brings it back.
		await seller.api.setArchived({ conversationId: a.conversation_id, archived: true });
		expect(await preview(seller)).toBeUndefined();
		expect((await preview(seller, 'archived')).archived).toBe(true);
		await send(buyer, seller, 'Still there?', product.id);
		expect(await preview(seller)).toMatchObject({ archived: false, unread_count: 1, last_message_preview: 'Still there?' });

		// Block: the blocked side cannot send, the counts stay as they were.
		await seller.api.blockUser({ userId: buyer.id });
		const before = await footprint(buyer, seller);
		expect((await rejection(send(buyer, seller, 'Hello?', product.id))).code).toBe('blocked');
		expect((await rejection(send(seller, buyer, 'Sorry', product.id))).code).toBe('you_blocked');
		expect((await rejection(buyer.api.editMessage({ id: b.id, body: 'Changed' }))).code).toBe('blocked');
		expect(await footprint(buyer, seller)).toEqual(before);
		expect((await buyer.api.openConversation({ otherUserId: seller.id, productId: product.id })).blocked_me).toBe(true);
		await seller.api.unblockUser({ userId: buyer.id });
		await expect(send(buyer, seller, 'Hello again', product.id)).resolves.toMatchObject({ body: 'Hello again' });
	});

	it('blocking and unblocking reach both users through their event logs', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'Hello', product.id);
		const cursors = { buyer: await buyer.api.currentEventCursor(), seller: await seller.api.currentEventCursor() };
		await seller.api.blockUser({ userId: buyer.id });
		await seller.api.blockUser({ userId: buyer.id }); // already blocked: no second event
		await seller.api.unblockUser({ userId: buyer.id });
		const payloads = async (who: Actor, cursor: number) =>
			(await who.api.syncSince({ cursor })).events.filter((e) => e.type === 'block.updated').map((e) => e.payload);
		expect(await payloads(buyer, cursors.buyer)).toEqual([
			{ other_user_id: seller.id, by_me: false, blocked: true },
			{ other_user_id: seller.id, by_me: false, blocked: false }
		]);
		expect(await payloads(seller, cursors.seller)).toEqual([
			{ other_user_id: buyer.id, by_me: true, blocked: true },
			{ other_user_id: buyer.id, by_me: true, blocked: false }
		]);
	});

	it('the badge total leaves out muted and archived conversations', async () => {
		const seller = await createActor(db);
		const product = await createProduct(db, seller.id);
		const [ana, ben, cy] = [await createActor(db), await createActor(db), await createActor(db)];
		const fromAna = await send(ana, seller, 'a', product.id);
		await send(ben, seller, 'b1', product.id);
		const fromBen = await send(ben, seller, 'b2', product.id);
		const fromCy = await send(cy, seller, 'c', product.id);
		expect(await seller.api.unreadTotal()).toBe(4);
		await seller.api.setMuted({ conversationId: fromBen.conversation_id, until: 'infinity' });
		expect(await seller.api.unreadTotal()).toBe(2);
		await seller.api.setArchived({ conversationId: fromCy.conversation_id, archived: true });
		expect(await seller.api.unreadTotal()).toBe(1);
		await seller.api.setMuted({ conversationId: fromBen.conversation_id, until: null });
		expect(await seller.api.unreadTotal()).toBe(3);
		await seller.api.markConversationRead({ conversationId: fromAna.conversation_id });
		expect(await seller.api.unreadTotal()).toBe(2);
	});
});

describe('concurrency and privacy of the read state and event log', () => {
	/**
	 * Runs `act` as `actor` in a transaction left open while `reading` starts, and commits it once
	 * the read waits on the lock it holds: a send or a delete committing while a member opens the
	 * conversation. Resolves to what `reading` answers.
	 */
	async function whileCommitting<T>(actor: Actor, act: string, values: unknown[], reading: () => Promise<T>): Promise<T> {
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [JSON.stringify(claimsFor(actor.id))]);
			await client.query(act, values);
			const answer = reading();
			for (let i = 0; ; i++) {
				const { rows } = await db.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%mark_conversation_read%'`);
				if (rows[0].n > 0) break;
				if (i === 300) throw new Error('the read never waited for the open transaction');
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			await client.query('commit');
			return await answer;
		} finally {
			client.release();
		}
	}

	it('a message sent while the member opens the conversation stays unread after the read position', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'First', product.id);
		const conversationId = first.conversation_id;
		const state = await whileCommitting(buyer, `select public.send_message(p_id => $1, p_body => 'Second', p_conversation_id => $2)`, [randomUUID(), conversationId], () =>
			seller.api.markConversationRead({ conversationId, upToMessageId: first.id })
		);
		expect(state).toMatchObject({ last_read_message_id: first.id, unread_count: 1 });
		expect(await seller.api.unreadTotal()).toBe(1);
	});

	it('an unread message deleted while the member reads part of the conversation is counted once, as gone', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const a = await send(buyer, seller, 'A', product.id);
		const b = await send(buyer, seller, 'B', product.id);
		await send(buyer, seller, 'C', product.id);
		const state = await whileCommitting(buyer, 'select public.delete_message(p_id => $1)', [b.id], () =>
			seller.api.markConversationRead({ conversationId: a.conversation_id, upToMessageId: a.id })
		);
		expect(state).toMatchObject({ last_read_message_id: a.id, unread_count: 1 });
		expect(await seller.api.unreadTotal()).toBe(1);
	});

	it('concurrent read marks never move the read position backwards', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const sent = [];
		for (let i = 0; i < 3; i++) sent.push(await send(buyer, seller, `m${i}`, product.id));
		const conversationId = sent[0].conversation_id;
		for (let round = 0; round < 10; round++) {
			await Promise.all([
				seller.api.markConversationRead({ conversationId, upToMessageId: sent[2].id }),
				seller.api.markConversationRead({ conversationId, upToMessageId: sent[0].id }),
				seller.api.markConversationRead({ conversationId, upToMessageId: sent[1].id })
			]);
			const { rows } = await db.query('select last_read_message_id, unread_count from public.conversation_members where conversation_id = $1 and user_id = $2', [
				conversationId,
				seller.id
			]);
			expect(rows[0]).toEqual({ last_read_message_id: sent[2].id, unread_count: 0 });
		}
	});

	it('a deleted message leaves no copy of its text in anyone’s event log', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const secret = `secret-${Date.now().toString(36)}`;
		const sent = await send(buyer, seller, `My phone number is ${secret}`, product.id);
		await seller.api.setArchived({ conversationId: sent.conversation_id, archived: true });
		await seller.api.markConversationRead({ conversationId: sent.conversation_id });
		await buyer.api.deleteMessage({ id: sent.id });
		const { rows } = await db.query('select count(*)::int as n from public.messaging_events where payload::text like $1', [`%${secret}%`]);
		expect(rows[0].n).toBe(0);
		const replay = await seller.api.syncSince({ cursor: 0 });
		expect(JSON.stringify(replay)).not.toContain(secret);
		const created = replay.events.find((e) => e.type === 'message.created' && e.payload.message.id === sent.id);
		expect(created?.type === 'message.created' && created.payload.message).toMatchObject({ body: '', deleted_at: expect.any(String) });
	});
});

describe('pagination', () => {
	it('thread pages walk back through history with no gaps or repeats', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'm0', product.id);
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, expires_at, created_at)
			 select gen_random_uuid(), $1, $2, 'm' || i, now() + interval '30 days', clock_timestamp() + i * interval '1 ms'
			   from generate_series(1, 119) as i`,
			[first.conversation_id, buyer.id]
		);
		const seen: string[] = [];
		let before = null;
		let pages = 0;
		do {
			const page = await seller.api.listMessages({ conversationId: first.conversation_id, before, limit: 50 });
			seen.push(...page.messages.map((m) => m.body));
			before = page.next;
			pages++;
		} while (before);
		expect(pages).toBe(3);
		expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `m${119 - i}`));
	});

	it('inbox pages list every conversation once, newest activity first', async () => {
		const seller = await createActor(db);
		const product = await createProduct(db, seller.id);
		const buyers: Actor[] = [];
		for (let i = 0; i < 7; i++) {
			const buyer = await createActor(db);
			await send(buyer, seller, `from buyer ${i}`, product.id);
			buyers.push(buyer);
		}
		const keys: string[] = [];
		let before = null;
		do {
			const page = await seller.api.listConversationPreviews({ before, limit: 3 });
			keys.push(...page.previews.map((p) => p.key));
			before = page.next;
		} while (before);
		expect(keys).toEqual(buyers.reverse().map((b) => `${b.id}__${product.id}`));
	});

	it.each(['2024-06-01T10:00:00-23:59', '+275760-09-13T00:00:00Z'])(
		'a page cursor at %s, a time JavaScript reads and PostgreSQL does not, is a clear refusal on every paged read',
		async (at) => {
			const { buyer, seller, product } = await marketplace(db);
			const { conversation_id: conversationId } = await send(buyer, seller, 'hello', product.id);
			const before = { at, id: randomUUID() };
			for (const read of [
				() => buyer.api.listConversationPreviews({ before }),
				() => buyer.api.listMessages({ conversationId, before }),
				() => buyer.api.searchMessages({ query: 'hello', before })
			]) {
				expect(await rejection(read())).toMatchObject({ code: 'invalid_input', status: 400, message: 'Some of what was sent is not valid.' });
			}
		}
	);
});

describe('edit, delete, report and search', () => {
	it('only the sender edits or deletes a message; deleted messages stay deleted', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const sent = await send(buyer, seller, 'Original', product.id);
		expect((await rejection(seller.api.editMessage({ id: sent.id, body: 'Hijacked' }))).code).toBe('not_allowed');
		expect((await rejection(seller.api.deleteMessage({ id: sent.id }))).code).toBe('not_allowed');
		const unchanged = await buyer.api.editMessage({ id: sent.id, body: '  Original ' });
		expect(unchanged.edited_at).toBeNull();
		// Emptied, a message is refused in an edit's words (not "before sending") and keeps its text.
		for (const body of [' \n ', '\u200b\u2060']) {
			const emptied = await rejection(buyer.api.editMessage({ id: sent.id, body }));
			expect([emptied.code, emptied.message]).toEqual(['body_empty', 'A message cannot be edited to nothing: delete it instead.']);
		}
		expect((await db.query('select body from public.messages where id = $1', [sent.id])).rows).toEqual([{ body: 'Original' }]);
		// Someone else's message is still not theirs to edit, whatever the text.
		expect((await rejection(seller.api.editMessage({ id: sent.id, body: ' ' }))).code).toBe('not_allowed');
		await buyer.api.deleteMessage({ id: sent.id });
		const again = await buyer.api.deleteMessage({ id: sent.id });
		expect(again.body).toBe('');
		expect((await rejection(buyer.api.editMessage({ id: sent.id, body: 'Back' }))).code).toBe('message_deleted');
		const { rows } = await db.query('select body from public.messages where id = $1', [sent.id]);
		expect(rows).toEqual([{ body: '' }]);
	});

	it('reports keep the reported text, once per reporter, and never of one’s own message', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const rude = await send(buyer, seller, 'Buy my crypto course', product.id);
		const first = await seller.api.reportMessage({ messageId: rude.id, reason: 'scam', details: 'spam link' });
		await buyer.api.deleteMessage({ id: rude.id });
		const second = await seller.api.reportMessage({ messageId: rude.id, reason: 'spam' });
		expect(second.id).toBe(first.id);
		const { rows } = await db.query('select reason, body_snapshot, reported_user_id from public.message_reports where message_id = $1', [rude.id]);
		expect(rows).toEqual([{ reason: 'scam', body_snapshot: 'Buy my crypto course', reported_user_id: buyer.id }]);
		expect((await rejection(buyer.api.reportMessage({ messageId: rude.id, reason: 'spam' }))).code).toBe('not_allowed');
	});

	it('search finds word prefixes in one’s own conversations only, newest first, and not deleted text', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const outsider = await createActor(db);
		const word = `zebra${Date.now().toString(36)}`;
		const older = await send(buyer, seller, `The ${word}-striped camera strap`, product.id);
		const newer = await send(seller, buyer, `Yes, the ${word} strap is included`, product.id);
		const gone = await send(buyer, seller, `Delete this ${word}`, product.id);
		await buyer.api.deleteMessage({ id: gone.id });
		const hits = await seller.api.searchMessages({ query: `${word.slice(0, -2)} STRAP` });
		expect(hits.hits.map((h) => h.message_id)).toEqual([newer.id, older.id]);
		expect(hits.hits[0]).toMatchObject({ key: `${buyer.id}__${product.id}`, other_user_id: buyer.id, product_title: product.title });
		expect((await outsider.api.searchMessages({ query: word })).hits).toEqual([]);
	});

	it('search finds prices, addresses and versions as written, and any sign in a query is only text', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const tag = Date.now().toString(36);
		const price = await send(buyer, seller, `Would you take 85.50 for it? ${tag}`, product.id);
		const link = await send(seller, buyer, `Photos at https://shop${tag}.example/lamp-7`, product.id);
		const version = await send(buyer, seller, `Does it run firmware v2.1${tag}?`, product.id);
		const code = await send(seller, buyer, `<script>alert(1)</script> the script${tag} is fine`, product.id);
		const found = async (query: string) => (await buyer.api.searchMessages({ query })).hits.map((h) => h.message_id);
		expect(await found(`85.50 ${tag}`)).toEqual([price.id]);
		expect(await found(`85.5 ${tag}`)).toEqual([price.id]);
		expect(await found(`shop${tag}.example`)).toEqual([link.id]);
		expect(await found(`v2.1${tag}`)).toEqual([version.id]);
		expect(await found(`<script${tag}>`)).toEqual([code.id]);
		for (const query of [`'${tag}`, `${tag}\\`, `${tag} | !`, `(${tag}):* & '`, `${tag}://`]) expect(await found(query)).toEqual([price.id]);
	});

	it('search folds case and accents both ways, as the conversation search does: "cafe" finds "Café", "café" finds "cafe"', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const tag = Date.now().toString(36);
		const accented = await send(buyer, seller, `Pick-up at Café Müller, très simple ${tag}`, product.id);
		const plain = await send(seller, buyer, `The cafe on Muller street? ${tag}`, product.id);
		const found = async (query: string) => (await buyer.api.searchMessages({ query })).hits.map((h) => h.message_id).sort();
		const both = [accented.id, plain.id].sort();
		for (const query of [`cafe ${tag}`, `café ${tag}`, `CAFÉ ${tag}`, `muller ${tag}`, `Müll ${tag}`]) expect(await found(query), query).toEqual(both);
		expect(await found(`tres ${tag}`)).toEqual([accented.id]);
		expect(await found(`street ${tag}`)).toEqual([plain.id]);
		// An accent typed as a combining mark (as some keyboards send it) is the same accent.
		expect(await found(`cafe\u0301 ${tag}`)).toEqual(both);
		// Letters with no accent to drop are written as people type them without the key.
		const letters = await send(buyer, seller, `Straße Ørsted Æble Łódź ${tag}`, product.id);
		for (const query of [`strasse ${tag}`, `STRASSE ${tag}`, `straße ${tag}`, `orsted ${tag}`, `aeble ${tag}`, `lodz ${tag}`]) {
			expect(await found(query), query).toEqual([letters.id]);
		}
		// A price next to its currency sign, and words between angle brackets, are found by their words.
		const price = await send(seller, buyer, `Can you do €130? Or £99, <b>firm</b> ${tag}`, product.id);
		for (const query of [`130 ${tag}`, `€130 ${tag}`, `99 ${tag}`, `firm ${tag}`, `<b> ${tag}`]) expect(await found(query), query).toEqual([price.id]);
	});
});

describe('retention', () => {
	it('purging removes expired messages and repairs previews and unread counts', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const old = await send(buyer, seller, 'Old news', product.id);
		const kept = await send(buyer, seller, 'Kept', product.id);
		const latest = await send(buyer, seller, 'Expiring latest', product.id);
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = any($1)`, [[old.id, latest.id]]);
		const { rows } = await db.query('select conversation_id, removed::int from public.purge_expired_messages()');
		expect(rows).toContainEqual({ conversation_id: old.conversation_id, removed: 2 });
		const preview = (await seller.api.listConversationPreviews()).previews[0];
		expect(preview).toMatchObject({ last_message_id: kept.id, last_message_preview: 'Kept', unread_count: 1 });
		expect((await seller.api.listMessages({ conversationId: old.conversation_id })).messages.map((m) => m.id)).toEqual([kept.id]);
	});
});
