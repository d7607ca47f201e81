// Reactions, against the real database: toggling, who reacted in which order, the refusals
// (deleted and system messages, blocks, non-members, the per-minute limit, emoji outside the
// set), the live event both members get, and the photos and reactions each message row carries
// staying equal to the rows they are rendered from, whatever changes them.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessagingEvent, ReactionEmoji } from '../../src/lib/messaging/schemas/index.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { claimsFor, sqlAs, testPool } from '../support/database.ts';
import { createActor, marketplace, rejection, send } from '../support/messaging.ts';

const db = testPool();

/** A buyer's message to a seller, with both of them. */
async function conversation() {
	const { buyer, seller, product } = await marketplace(db);
	const message = await send(buyer, seller, 'Would you take 80?', product.id);
	return { buyer, seller, product, message };
}

/**
 * Each message of these conversations as stored (messages.attachments and messages.reactions)
 * and as a fresh aggregation of its attachment and reaction rows renders it (the messages view's
 * former subqueries: photos by position; emoji by their earliest reaction, then emoji; users by
 * when they reacted, then id; [] for a deleted message).
 */
async function storedAndFresh(conversationIds: string[]) {
	const { rows } = await db.query<{ id: string; stored: unknown; fresh: unknown }>(
		`select m.id,
		        jsonb_build_object('attachments', m.attachments, 'reactions', m.reactions) as stored,
		        jsonb_build_object(
		          'attachments', case when m.deleted_at is null then coalesce((
		            select jsonb_agg(jsonb_build_object('id', a.id, 'width', a.width, 'height', a.height,
		                                                'thumb_width', a.thumb_width, 'thumb_height', a.thumb_height) order by a.position)
		              from public.attachments a where a.message_id = m.id), '[]'::jsonb) else '[]'::jsonb end,
		          'reactions', case when m.deleted_at is null then coalesce((
		            select jsonb_agg(jsonb_build_object('emoji', e.emoji, 'user_ids', e.user_ids) order by e.first_at, e.emoji)
		              from (select x.emoji, array_agg(x.user_id order by x.created_at, x.user_id) as user_ids, min(x.created_at) as first_at
		                      from public.message_reactions x where x.message_id = m.id group by x.emoji) e), '[]'::jsonb) else '[]'::jsonb end
		        ) as fresh
		   from public.messages m
		  where m.conversation_id = any($1)
		  order by m.created_at, m.id`,
		[conversationIds]
	);
	return rows;
}

/** Every message of these conversations carries exactly what its rows render. */
async function expectStoredFresh(conversationIds: string[]) {
	const rows = await storedAndFresh(conversationIds);
	expect(rows.map(({ id, stored }) => ({ id, ...(stored as object) }))).toEqual(rows.map(({ id, fresh }) => ({ id, ...(fresh as object) })));
	return rows;
}

async function storedReactions(messageId: string) {
	const { rows } = await db.query<{ user_id: string; emoji: string }>(
		'select user_id, emoji from public.message_reactions where message_id = $1 order by created_at',
		[messageId]
	);
	return rows;
}

describe('toggle_reaction', () => {
	it('toggles the caller’s reaction on and off, returning the message as it is now', async () => {
		const { seller, message } = await conversation();
		const on = await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		expect(on).toMatchObject({ id: message.id, body: message.body, reactions: [{ emoji: '👍', user_ids: [seller.id] }] });
		const off = await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		expect(off.reactions).toEqual([]);
		expect(await storedReactions(message.id)).toEqual([]);
	});

	it('one reaction per member per emoji; emoji in order of first use, members in the order they reacted', async () => {
		const { buyer, seller, message } = await conversation();
		await seller.api.toggleReaction({ messageId: message.id, emoji: '❤️' });
		await buyer.api.toggleReaction({ messageId: message.id, emoji: '😂' });
		await buyer.api.toggleReaction({ messageId: message.id, emoji: '❤️' });
		const latest = await seller.api.toggleReaction({ messageId: message.id, emoji: '🙏' });
		expect(latest.reactions).toEqual([
			{ emoji: '❤️', user_ids: [seller.id, buyer.id] },
			{ emoji: '😂', user_ids: [buyer.id] },
			{ emoji: '🙏', user_ids: [seller.id] }
		]);
		// The first to react takes theirs back: the emoji now counts from its earliest remaining reaction.
		const after = await seller.api.toggleReaction({ messageId: message.id, emoji: '❤️' });
		expect(after.reactions.map((r) => [r.emoji, r.user_ids])).toEqual([
			['😂', [buyer.id]],
			['❤️', [buyer.id]],
			['🙏', [seller.id]]
		]);
		// Every read path renders the same reactions.
		const page = await buyer.api.listMessages({ conversationId: message.conversation_id });
		expect(page.messages[0].reactions).toEqual(after.reactions);
		const { rows } = await db.query('select count(*)::int as n from public.message_reactions where message_id = $1', [message.id]);
		expect(rows).toEqual([{ n: 3 }]);
	});

	it('a member reacts to their own messages too', async () => {
		const { buyer, message } = await conversation();
		expect((await buyer.api.toggleReaction({ messageId: message.id, emoji: '😮' })).reactions).toEqual([{ emoji: '😮', user_ids: [buyer.id] }]);
	});

	it('both members get a message.updated event with the reactions, and sync_since renders them', async () => {
		const { buyer, seller, message } = await conversation();
		const cursors = { buyer: await buyer.api.currentEventCursor(), seller: await seller.api.currentEventCursor() };
		const reacted = await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		const { rows } = await db.query(
			'select user_id, type, payload from public.messaging_events where user_id = any($1) and id > case when user_id = $2 then $3::bigint else $4::bigint end order by user_id, id',
			[[buyer.id, seller.id], buyer.id, cursors.buyer, cursors.seller]
		);
		expect(rows).toEqual(
			[buyer.id, seller.id].sort().map((user_id) => ({ user_id, type: 'message.updated', payload: { message_id: message.id } }))
		);
		for (const [member, cursor] of [
			[buyer, cursors.buyer],
			[seller, cursors.seller]
		] as const) {
			const { events } = await member.api.syncSince({ cursor });
			expect(events).toHaveLength(1);
			const event = events[0] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
			expect(event).toMatchObject({ type: 'message.updated', conversation_id: message.conversation_id });
			expect(event.payload.message).toEqual(reacted);
		}
	});

	it('refused on a deleted message, and deleting a message takes its reactions away', async () => {
		const { buyer, seller, message } = await conversation();
		await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		const deleted = await buyer.api.deleteMessage({ id: message.id });
		expect(deleted.reactions).toEqual([]);
		expect(await storedReactions(message.id)).toEqual([]);
		const error = await rejection(seller.api.toggleReaction({ messageId: message.id, emoji: '👍' }));
		expect(error).toMatchObject({ code: 'message_deleted', status: 409 });
		expect(await storedReactions(message.id)).toEqual([]);
	});

	it('refused on a system message', async () => {
		const { buyer, seller, message } = await conversation();
		const systemId = randomUUID();
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, kind, body, expires_at)
			 values ($1, $2, $3, 'system', 'The listing is reserved.', now() + interval '30 days')`,
			[systemId, message.conversation_id, seller.id]
		);
		for (const member of [buyer, seller]) {
			const error = await rejection(member.api.toggleReaction({ messageId: systemId, emoji: '❤️' }));
			expect(error).toMatchObject({ code: 'not_allowed', message: 'You can’t react to this message.' });
		}
		expect(await storedReactions(systemId)).toEqual([]);
	});

	it('refused between blocked members, either way, until the block is lifted', async () => {
		const { buyer, seller, message } = await conversation();
		await seller.api.blockUser({ userId: buyer.id });
		expect((await rejection(buyer.api.toggleReaction({ messageId: message.id, emoji: '👍' }))).code).toBe('blocked');
		expect((await rejection(seller.api.toggleReaction({ messageId: message.id, emoji: '👍' }))).code).toBe('you_blocked');
		await seller.api.unblockUser({ userId: buyer.id });
		await expect(buyer.api.toggleReaction({ messageId: message.id, emoji: '👍' })).resolves.toMatchObject({ reactions: [{ emoji: '👍' }] });
	});

	it('a non-member, an unknown message and a signed-out caller are refused, touching nothing', async () => {
		const { message } = await conversation();
		const outsider = await createActor(db);
		expect((await rejection(outsider.api.toggleReaction({ messageId: message.id, emoji: '👍' }))).code).toBe('not_found');
		expect((await rejection(outsider.api.toggleReaction({ messageId: randomUUID(), emoji: '👍' }))).code).toBe('not_found');
		await expect(sqlAs(db, null, `select public.toggle_reaction($1, '👍')`, [message.id])).rejects.toMatchObject({ code: '42501' });
		expect((await rejection(postgresMessaging({ pool: db, claims: null }).toggleReaction({ messageId: message.id, emoji: '👍' }))).code).toBe('not_authenticated');
		expect(await storedReactions(message.id)).toEqual([]);
	});

	it('an emoji outside the set is refused, by the database and before the round trip', async () => {
		const { seller, message } = await conversation();
		for (const emoji of ['🔥', '', ' 👍', '👍👍', '❤']) {
			await expect(sqlAs(db, seller.id, 'select public.toggle_reaction($1, $2)', [message.id, emoji])).rejects.toMatchObject({
				code: 'BZ001',
				hint: 'invalid_input'
			});
			expect((await rejection(seller.api.toggleReaction({ messageId: message.id, emoji: emoji as ReactionEmoji }))).code).toBe('invalid_input');
		}
		await expect(sqlAs(db, seller.id, 'select public.toggle_reaction($1, null)', [message.id])).rejects.toMatchObject({ hint: 'invalid_input' });
		expect(await storedReactions(message.id)).toEqual([]);
	});

	it('more than 30 toggles a minute are refused (on and off both count); the other member is not slowed', async () => {
		const { buyer, seller, message } = await conversation();
		for (let i = 0; i < 30; i++) await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		const error = await rejection(seller.api.toggleReaction({ messageId: message.id, emoji: '❤️' }));
		expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
		expect(error.message).toMatch(/reacting too fast/);
		expect(await storedReactions(message.id)).toEqual([]);
		await expect(buyer.api.toggleReaction({ messageId: message.id, emoji: '❤️' })).resolves.toMatchObject({ reactions: [{ emoji: '❤️', user_ids: [buyer.id] }] });
	});

	it('an operator can turn the limit off (a null limit)', async () => {
		const { seller, message } = await conversation();
		// One transaction, rolled back: the setting is shared by every test running meanwhile.
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query('update public.messaging_settings set rate_limit_per_minute = null');
			await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
				JSON.stringify(claimsFor(seller.id))
			]);
			for (let i = 0; i < 31; i++) await client.query(`select public.toggle_reaction($1, '🙏')`, [message.id]);
			const { rows } = await client.query('select public.toggle_reaction($1, $2) as m', [message.id, '🙏']);
			expect(rows[0].m.reactions).toEqual([]);
		} finally {
			await client.query('rollback');
			client.release();
		}
	});

	it('two members reacting with the same emoji at once both count', async () => {
		for (let round = 0; round < 5; round++) {
			const { buyer, seller, message } = await conversation();
			await Promise.all([buyer.api.toggleReaction({ messageId: message.id, emoji: '😂' }), seller.api.toggleReaction({ messageId: message.id, emoji: '😂' })]);
			const [row] = (await buyer.api.listMessages({ conversationId: message.conversation_id })).messages;
			expect(row.reactions).toHaveLength(1);
			expect([...row.reactions[0].user_ids].sort()).toEqual([buyer.id, seller.id].sort());
		}
	});

	it('a toggle rewrites only its message’s stored reactions, and publishes one event per member', async () => {
		const { buyer, seller, message } = await conversation();
		const other = await send(buyer, seller, 'Or 85?');
		await buyer.api.toggleReaction({ messageId: other.id, emoji: '😮' });
		const cursor = await seller.api.currentEventCursor();
		await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		const { rows } = await db.query('select id, reactions from public.messages where id = any($1) order by created_at', [[message.id, other.id]]);
		expect(rows).toEqual([
			{ id: message.id, reactions: [{ emoji: '👍', user_ids: [seller.id] }] },
			{ id: other.id, reactions: [{ emoji: '😮', user_ids: [buyer.id] }] }
		]);
		const { events } = await seller.api.syncSince({ cursor });
		expect(events.map((event) => event.type)).toEqual(['message.updated']);
	});

	it('stored photos and reactions equal a fresh aggregation after sends, toggles, deletes and an erased reacting account', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const neighbour = await createActor(db);
		const photo = (width: number) => ({ width, height: 1200, thumbWidth: 320, thumbHeight: 240, bytes: 250_000 });
		const [p1, p2, p3] = [await buyer.api.createAttachment(photo(1600)), await buyer.api.createAttachment(photo(1601)), await buyer.api.createAttachment(photo(1602))];
		const withPhotos = await buyer.api.sendMessage({ id: randomUUID(), body: 'Both sides', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: [p2.id, p1.id] });
		const conversationId = withPhotos.conversation_id;
		const text = await seller.api.sendMessage({ id: randomUUID(), body: 'Nice', conversationId });
		const photoOnly = await buyer.api.sendMessage({ id: randomUUID(), body: '', conversationId, attachmentIds: [p3.id] });
		// The buyer's conversation with someone else, which the seller's erasure must leave alone.
		const elsewhere = await send(buyer, neighbour, 'Still for sale?');

		const toggles: [typeof buyer, string, ReactionEmoji][] = [
			[seller, withPhotos.id, '👍'],
			[buyer, withPhotos.id, '❤️'],
			[buyer, withPhotos.id, '👍'],
			[seller, text.id, '😂'],
			[seller, withPhotos.id, '👍'], // off: 👍 now counts from the buyer's
			[seller, withPhotos.id, '🙏'],
			[buyer, photoOnly.id, '🙏'],
			[seller, photoOnly.id, '😮'],
			[neighbour, elsewhere.id, '❤️'],
			[buyer, elsewhere.id, '❤️']
		];
		for (const [who, messageId, emoji] of toggles) {
			const returned = await who.api.toggleReaction({ messageId, emoji });
			const [row] = (await expectStoredFresh([returned.conversation_id])).filter((r) => r.id === messageId);
			expect(returned.reactions).toEqual((row.stored as { reactions: unknown }).reactions);
		}
		let rows = await expectStoredFresh([conversationId, elsewhere.conversation_id]);
		expect(rows.find((r) => r.id === withPhotos.id)?.stored).toEqual({
			attachments: [p2, p1],
			reactions: [
				{ emoji: '❤️', user_ids: [buyer.id] },
				{ emoji: '👍', user_ids: [buyer.id] },
				{ emoji: '🙏', user_ids: [seller.id] }
			]
		});

		// Deleting a message with photos and reactions empties both, in the one event it publishes.
		const cursor = await seller.api.currentEventCursor();
		const deleted = await buyer.api.deleteMessage({ id: photoOnly.id });
		expect(deleted).toMatchObject({ attachments: [], reactions: [] });
		const { events } = await seller.api.syncSince({ cursor });
		expect(events.map((event) => event.type)).toEqual(['message.updated']);
		rows = await expectStoredFresh([conversationId]);
		expect(rows.find((r) => r.id === photoOnly.id)?.stored).toEqual({ attachments: [], reactions: [] });

		// Erasing the seller, who reacted: the conversation stays for the buyer (the seller's own
		// messages erased), and no message anywhere still names them.
		await db.query('delete from auth.users where id = $1', [seller.id]);
		rows = await expectStoredFresh([conversationId]);
		expect(rows.every((r) => !JSON.stringify(r.stored).includes(seller.id))).toBe(true);
		const { rows: naming } = await db.query(
			`select count(*)::int as n from public.messages m
			  where exists (select from jsonb_array_elements(m.reactions) r where r -> 'user_ids' ? $1::text)`,
			[seller.id]
		);
		expect(naming).toEqual([{ n: 0 }]);
		rows = await expectStoredFresh([elsewhere.conversation_id]);
		expect(rows.find((r) => r.id === elsewhere.id)?.stored).toEqual({ attachments: [], reactions: [{ emoji: '❤️', user_ids: [neighbour.id, buyer.id] }] });
	});

	it('a reaction row removed outside toggle_reaction (a cascade, an operator) leaves no stale user id on a live message', async () => {
		const { buyer, seller, message } = await conversation();
		await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		await buyer.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		await buyer.api.toggleReaction({ messageId: message.id, emoji: '❤️' });
		// A row toggle_reaction would never write (an operator's import): a user outside the
		// conversation, so erasing them leaves the message in place and only cascades to the row.
		const stranger = await createActor(db);
		await db.query(`insert into public.message_reactions (message_id, user_id, emoji) values ($1, $2, '👍')`, [message.id, stranger.id]);
		await expectStoredFresh([message.conversation_id]);
		expect((await buyer.api.listMessages({ conversationId: message.conversation_id })).messages[0].reactions).toEqual([
			{ emoji: '👍', user_ids: [seller.id, buyer.id, stranger.id] },
			{ emoji: '❤️', user_ids: [buyer.id] }
		]);
		const cursor = await buyer.api.currentEventCursor();

		await db.query('delete from auth.users where id = $1', [stranger.id]);
		await expectStoredFresh([message.conversation_id]);
		expect((await buyer.api.listMessages({ conversationId: message.conversation_id })).messages[0].reactions).toEqual([
			{ emoji: '👍', user_ids: [seller.id, buyer.id] },
			{ emoji: '❤️', user_ids: [buyer.id] }
		]);

		// The operator's service_role removing reactions directly.
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('role', 'service_role', true)`);
			await client.query(`delete from public.message_reactions where message_id = $1 and emoji = '👍'`, [message.id]);
			await client.query('commit');
		} finally {
			client.release();
		}
		await expectStoredFresh([message.conversation_id]);
		expect((await buyer.api.listMessages({ conversationId: message.conversation_id })).messages[0].reactions).toEqual([{ emoji: '❤️', user_ids: [buyer.id] }]);
		// Keeping the column current publishes nothing by itself (only body and deletion changes do).
		expect((await buyer.api.syncSince({ cursor })).events).toEqual([]);
	});

	it('erasing an account removes its reactions', async () => {
		const { buyer, seller, message } = await conversation();
		await seller.api.toggleReaction({ messageId: message.id, emoji: '👍' });
		const reply = await send(seller, buyer, 'Make it 90');
		await buyer.api.toggleReaction({ messageId: reply.id, emoji: '❤️' });
		await db.query('delete from auth.users where id = $1', [seller.id]);
		const { rows } = await db.query('select count(*)::int as n from public.message_reactions where user_id = $1', [seller.id]);
		expect(rows).toEqual([{ n: 0 }]);
	});
});
