// Photos of messages, against the real database: pending uploads, sending with photos (order,
// refusals, idempotent retries, the pushed event), who may read a photo's files, and removal
// (a delete, a purge, an abandoned upload, an erased account), with every removed attachment
// queued for its files exactly once, and the photos each message row carries kept equal to its
// attachment rows.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { MessagingEvent, type Attachment, type Message } from '../../src/lib/messaging/schemas/index.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { sqlAs, testPool } from '../support/database.ts';
import { type Actor, createActor, rejection, send } from '../support/messaging.ts';
import { createProduct } from '../support/factories.ts';

const db = testPool();

async function marketplace(pool: pg.Pool) {
	const buyer = await createActor(pool);
	const seller = await createActor(pool);
	const product = await createProduct(pool, seller.id);
	return { buyer, seller, product };
}

const PHOTO = { width: 1600, height: 1200, thumbWidth: 320, thumbHeight: 240, bytes: 250_000 };

/** `count` pending photos of `actor`, created one after the other. */
async function upload(actor: Actor, count: number, size = PHOTO): Promise<Attachment[]> {
	const created: Attachment[] = [];
	for (let i = 0; i < count; i++) created.push(await actor.api.createAttachment({ ...size, width: size.width + i }));
	return created;
}

const ids = (photos: { id: string }[]) => photos.map((photo) => photo.id);

/** The attachment rows of these ids, as stored. */
async function rows(photoIds: string[]) {
	const { rows } = await db.query<{ id: string; message_id: string | null; position: number | null; uploader_id: string }>(
		'select id, message_id, position, uploader_id from public.attachments where id = any($1) order by message_id nulls first, position, id',
		[photoIds]
	);
	return rows;
}

/** The photos a message row carries (messages.attachments), as stored. */
async function storedPhotos(messageId: string) {
	const { rows } = await db.query<{ attachments: Attachment[] }>('select attachments from public.messages where id = $1', [messageId]);
	return rows[0]?.attachments;
}

/** How many times each of these ids is in the removal queue. */
async function queued(photoIds: string[]): Promise<Record<string, number>> {
	const { rows } = await db.query<{ id: string; n: number }>(
		`select q.id, (select count(*)::int from private.attachment_removals r where r.attachment_id = q.id) as n
		   from unnest($1::uuid[]) q(id)`,
		[photoIds]
	);
	return Object.fromEntries(rows.map((row) => [row.id, row.n]));
}

const once = (photoIds: string[]) => Object.fromEntries(photoIds.map((id) => [id, 1]));
const never = (photoIds: string[]) => Object.fromEntries(photoIds.map((id) => [id, 0]));

/** Runs SQL as the operator's service_role key would (PostgREST's role switch, no user). */
async function asServiceRole<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
	const client = await db.connect();
	try {
		await client.query('begin');
		await client.query(`select set_config('role', 'service_role', true)`);
		const result = await client.query<T>(text, values);
		await client.query('commit');
		return result.rows;
	} catch (error) {
		await client.query('rollback');
		throw error;
	} finally {
		client.release();
	}
}

describe('pending photos', () => {
	it('a created photo is the uploader’s pending attachment, with the sizes given', async () => {
		const { buyer, seller } = await marketplace(db);
		const photo = await buyer.api.createAttachment(PHOTO);
		expect(photo).toEqual({ id: expect.any(String), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 });
		expect(await buyer.api.attachmentForReader({ id: photo.id })).toEqual({ id: photo.id, message_id: null });
		expect((await rejection(seller.api.attachmentForReader({ id: photo.id }))).code).toBe('not_found');
		expect(await rows([photo.id])).toEqual([{ id: photo.id, message_id: null, position: null, uploader_id: buyer.id }]);
	});

	it('sizes outside 1 to 10000 pixels and a missing byte count are refused', async () => {
		const { buyer } = await marketplace(db);
		for (const size of [
			{ ...PHOTO, width: 0 },
			{ ...PHOTO, height: 10_001 },
			{ ...PHOTO, thumbWidth: -1 },
			{ ...PHOTO, bytes: 0 }
		]) {
			expect((await rejection(buyer.api.createAttachment(size))).code).toBe('invalid_input');
		}
		const { rows: stored } = await db.query('select count(*)::int as n from public.attachments where uploader_id = $1', [buyer.id]);
		expect(stored).toEqual([{ n: 0 }]);
	});

	it('signed-out callers can neither create nor discard photos', async () => {
		const { buyer } = await marketplace(db);
		const photo = await buyer.api.createAttachment(PHOTO);
		await expect(sqlAs(db, null, 'select public.create_attachment(1, 1, 1, 1, 1)')).rejects.toMatchObject({ code: '42501' });
		await expect(sqlAs(db, null, 'select public.discard_attachment($1)', [photo.id])).rejects.toMatchObject({ code: '42501' });
		const anonymous = postgresMessaging({ pool: db, claims: null });
		expect((await rejection(anonymous.createAttachment(PHOTO))).code).toBe('not_authenticated');
		expect(await rows([photo.id])).toHaveLength(1);
	});

	it('at most 60 unsent uploads an hour; sending or discarding makes room again', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = await upload(buyer, 60);
		const error = await rejection(buyer.api.createAttachment(PHOTO));
		expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
		expect(error.message).toMatch(/60 photos in the last hour/);
		await buyer.api.discardAttachment({ id: photos[0].id });
		const again = await buyer.api.createAttachment(PHOTO);
		await buyer.api.sendMessage({ id: randomUUID(), body: 'Six angles', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(photos.slice(1, 7)) });
		await expect(upload(buyer, 6)).resolves.toHaveLength(6);
		expect(await rows([again.id])).toHaveLength(1);
	});

	it('discarding removes only the caller’s own pending photo, queues its files, and is harmless twice', async () => {
		const { buyer, seller } = await marketplace(db);
		const [mine, sent] = await upload(buyer, 2);
		const [theirs] = await upload(seller, 1);
		await buyer.api.sendMessage({ id: randomUUID(), body: 'Here', to: { otherUserId: seller.id, productId: null }, attachmentIds: [sent.id] });

		await buyer.api.discardAttachment({ id: mine.id });
		await buyer.api.discardAttachment({ id: mine.id });
		await buyer.api.discardAttachment({ id: theirs.id });
		await buyer.api.discardAttachment({ id: sent.id });
		await buyer.api.discardAttachment({ id: randomUUID() });

		expect(ids(await rows([mine.id, sent.id, theirs.id])).sort()).toEqual([sent.id, theirs.id].sort());
		expect(await queued([mine.id, sent.id, theirs.id])).toEqual({ ...once([mine.id]), ...never([sent.id, theirs.id]) });
	});
});

describe('sending photos', () => {
	it('a message may be photos only: its body is empty, its photos in the order given, and it previews as their count, “3 photos”', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const [a, b, c] = await upload(buyer, 3);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: '  ', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: [c.id, a.id, b.id] });
		expect(sent.body).toBe('');
		expect(sent.attachments).toEqual([c, a, b]);
		expect(await rows([a.id, b.id, c.id])).toEqual([
			{ id: c.id, message_id: sent.id, position: 0, uploader_id: buyer.id },
			{ id: a.id, message_id: sent.id, position: 1, uploader_id: buyer.id },
			{ id: b.id, message_id: sent.id, position: 2, uploader_id: buyer.id }
		]);
		const [preview] = (await seller.api.listConversationPreviews()).previews.filter((p) => p.conversation_id === sent.conversation_id);
		expect(preview).toMatchObject({ last_message_id: sent.id, last_message_preview: '3 photos', unread_count: 1 });
		const page = await seller.api.listMessages({ conversationId: sent.conversation_id });
		expect(page.messages[0]).toEqual(sent);
		const opened = await seller.api.openConversation({ otherUserId: buyer.id, productId: product.id });
		expect(opened.page.messages[0].attachments).toEqual([c, a, b]);
	});

	it('text with photos previews as its text, one photo alone as “Photo”; a reply to a photo-only message quotes “Photo”', async () => {
		const { buyer, seller } = await marketplace(db);
		const [photo] = await upload(buyer, 1);
		const withText = await buyer.api.sendMessage({ id: randomUUID(), body: ' The scratch ', to: { otherUserId: seller.id, productId: null }, attachmentIds: [photo.id] });
		expect(withText).toMatchObject({ body: 'The scratch', attachments: [photo] });
		const [second] = await upload(buyer, 1);
		const photoOnly = await buyer.api.sendMessage({ id: randomUUID(), body: '', conversationId: withText.conversation_id, attachmentIds: [second.id] });
		const { rows: alone } = await db.query('select last_message_preview from public.conversations where id = $1', [withText.conversation_id]);
		expect(alone).toEqual([{ last_message_preview: 'Photo' }]);
		const reply = await seller.api.sendMessage({ id: randomUUID(), body: 'I see it', conversationId: withText.conversation_id, replyToId: photoOnly.id });
		expect(reply).toMatchObject({ reply_to_id: photoOnly.id, reply_to_preview: 'Photo', attachments: [] });
		const { rows: conversation } = await db.query('select last_message_preview from public.conversations where id = $1', [withText.conversation_id]);
		expect(conversation).toEqual([{ last_message_preview: 'I see it' }]);
	});

	it('a caption can be taken away and added again: the photos stay, the preview follows; text alone cannot be edited to nothing', async () => {
		const { buyer, seller } = await marketplace(db);
		const [photo] = await upload(buyer, 1);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: 'The scratch', to: { otherUserId: seller.id, productId: null }, attachmentIds: [photo.id] });
		const preview = async () => (await db.query('select last_message_preview from public.conversations where id = $1', [sent.conversation_id])).rows[0].last_message_preview;
		const uncaptioned = await buyer.api.editMessage({ id: sent.id, body: ' \n ' });
		expect(uncaptioned).toMatchObject({ body: '', attachments: [photo] });
		expect(uncaptioned.edited_at).not.toBeNull();
		expect([await preview(), await storedPhotos(sent.id)]).toEqual(['Photo', [photo]]);
		expect(await buyer.api.editMessage({ id: sent.id, body: 'Scratch on the lid' })).toMatchObject({ body: 'Scratch on the lid', attachments: [photo] });
		expect(await preview()).toBe('Scratch on the lid');

		const text = await send(buyer, seller, 'Text alone');
		const error = await rejection(buyer.api.editMessage({ id: text.id, body: ' ' }));
		expect(error).toMatchObject({ code: 'body_empty', message: 'A message cannot be edited to nothing: delete it instead.' });
		expect(await rejection(seller.api.editMessage({ id: sent.id, body: '' }))).toMatchObject({ code: 'not_allowed' });
	});

	it('without photos an empty message is still refused', async () => {
		const { buyer, seller } = await marketplace(db);
		const error = await rejection(buyer.api.sendMessage({ id: randomUUID(), body: ' ', to: { otherUserId: seller.id, productId: null }, attachmentIds: [] }));
		expect(error).toMatchObject({ code: 'body_empty', message: 'Write a message before sending.' });
	});

	it('too many, repeated, someone else’s, already sent and unknown photos are refused with a clear error, storing nothing', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const mine = await upload(buyer, 7);
		const [theirs] = await upload(seller, 1);
		const [used] = await upload(buyer, 1);
		const first = await buyer.api.sendMessage({ id: randomUUID(), body: 'First', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: [used.id] });
		const attempt = (attachmentIds: string[]) =>
			rejection(buyer.api.sendMessage({ id: randomUUID(), body: 'Look', conversationId: first.conversation_id, attachmentIds }));

		expect(await attempt(ids(mine))).toMatchObject({ code: 'invalid_input', message: 'You can attach at most 6 photos to a message; this one has 7.' });
		expect(await attempt([mine[0].id, mine[0].id])).toMatchObject({ code: 'invalid_input', message: 'Attach each photo once.' });
		const unavailable = { code: 'not_found', message: 'A photo you attached is no longer available; attach it again.' };
		expect(await attempt([mine[0].id, theirs.id])).toMatchObject(unavailable);
		expect(await attempt([used.id, mine[1].id])).toMatchObject(unavailable);
		expect(await attempt([mine[2].id, randomUUID()])).toMatchObject(unavailable);
		// A first message with an unavailable photo creates no conversation either.
		const { buyer: newcomer } = await marketplace(db);
		expect(
			await rejection(newcomer.api.sendMessage({ id: randomUUID(), body: 'Hi', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: [theirs.id] }))
		).toMatchObject(unavailable);

		const { rows: counts } = await db.query(
			`select (select count(*)::int from public.messages where sender_id = any($1)) as messages,
			        (select count(*)::int from public.conversations where user_low = $2 or user_high = $2) as newcomer_conversations`,
			[[buyer.id, seller.id, newcomer.id], newcomer.id]
		);
		expect(counts).toEqual([{ messages: 1, newcomer_conversations: 0 }]);
		expect((await rows([...ids(mine), theirs.id])).every((row) => row.message_id === null)).toBe(true);
		expect((await rows([used.id]))[0]).toMatchObject({ message_id: first.id, position: 0 });
	});

	it('a retried send returns the stored message with its photos and links nothing again', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = await upload(buyer, 2);
		const [other] = await upload(buyer, 1);
		const id = randomUUID();
		const options = { id, body: 'Both sides', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(photos) };
		const sent = await buyer.api.sendMessage(options);
		const retried = await buyer.api.sendMessage(options);
		expect(retried).toEqual(sent);
		expect(retried.attachments).toEqual(photos);
		// The id sent again with other photos is not this send: refused, and the photo stays pending.
		expect(await rejection(buyer.api.sendMessage({ ...options, attachmentIds: [other.id] }))).toMatchObject({ code: 'conflict' });
		expect(await rows([other.id])).toEqual([{ id: other.id, message_id: null, position: null, uploader_id: buyer.id }]);
		const { rows: stored } = await db.query('select count(*)::int as n from public.messages where id = $1', [id]);
		expect(stored).toEqual([{ n: 1 }]);
		// One message.created event per member, however often it was sent.
		const { rows: events } = await db.query(
			`select user_id, count(*)::int as n from public.messaging_events
			  where type = 'message.created' and payload ->> 'message_id' = $1::text group by user_id order by user_id`,
			[id]
		);
		expect(events).toEqual([buyer.id, seller.id].sort().map((user_id) => ({ user_id, n: 1 })));
	});

	it('the same send arriving twice at once stores one message with its photos once', async () => {
		for (let round = 0; round < 5; round++) {
			const { buyer, seller } = await marketplace(db);
			const photos = await upload(buyer, 3);
			const options = { id: randomUUID(), body: '', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(photos) };
			const [a, b] = await Promise.all([buyer.api.sendMessage(options), buyer.api.sendMessage(options)]);
			expect(a).toEqual(b);
			expect(a.attachments).toEqual(photos);
		}
	});

	it('two different sends naming the same photo at once: one takes it, the other is refused', async () => {
		for (let round = 0; round < 5; round++) {
			const { buyer, seller } = await marketplace(db);
			const [photo] = await upload(buyer, 1);
			const sendWith = (body: string) =>
				buyer.api.sendMessage({ id: randomUUID(), body, to: { otherUserId: seller.id, productId: null }, attachmentIds: [photo.id] }).then(
					(message) => ({ message }),
					(error: unknown) => ({ error })
				);
			const outcomes = await Promise.all([sendWith('one'), sendWith('two')]);
			const sent = outcomes.flatMap((o) => ('message' in o ? [o.message] : []));
			const refused = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
			expect(sent).toHaveLength(1);
			expect(refused).toEqual([expect.objectContaining({ code: 'not_found' })]);
			expect(await rows([photo.id])).toEqual([{ id: photo.id, message_id: sent[0].id, position: 0, uploader_id: buyer.id }]);
		}
	});

	it('the one message.created event carries the photos: the log, sync_since and the push the relay renders', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const listener = new pg.Client({ connectionString: inject('databaseUrl') });
		await listener.connect();
		const refs: { user_id: string; id: number }[] = [];
		listener.on('notification', (notification) => {
			const body = JSON.parse(notification.payload ?? '{}') as { refs?: typeof refs };
			for (const ref of body.refs ?? []) if (ref.user_id === buyer.id || ref.user_id === seller.id) refs.push(ref);
		});
		try {
			await listener.query('listen bazaar_messaging');
			const cursors = { buyer: await buyer.api.currentEventCursor(), seller: await seller.api.currentEventCursor() };
			const photos = await upload(buyer, 2);
			const sent = await buyer.api.sendMessage({ id: randomUUID(), body: '', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: ids(photos) });
			expect(sent.attachments).toEqual(photos);

			// The log: one message.created per member, a reference to the message.
			const { rows: logged } = await db.query(
				'select user_id, type, payload from public.messaging_events where conversation_id = $1 order by user_id, id',
				[sent.conversation_id]
			);
			expect(logged).toEqual(
				[buyer.id, seller.id].sort().map((user_id) => ({ user_id, type: 'message.created', payload: { message_id: sent.id } }))
			);

			// sync_since renders the message as it is, photos included, for each member.
			for (const [member, cursor] of [
				[seller, cursors.seller],
				[buyer, cursors.buyer]
			] as const) {
				const synced = await member.api.syncSince({ cursor });
				expect(synced.events.map((event) => event.type)).toEqual(['message.created']);
				const event = synced.events[0] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
				expect(event.payload.message.attachments).toEqual(photos);
				expect(event.payload.preview).toMatchObject({ last_message_id: sent.id, last_message_preview: '2 photos' });
			}

			// The push, delivered at commit, carries references; the relay renders them (as
			// service_role) into the message with its photos.
			for (let wait = 0; wait < 50 && refs.length < 2; wait++) await new Promise((done) => setTimeout(done, 20));
			const { rows: rendered } = await db.query<{ event: { user_id: string; type: string; payload: { message: Message } } }>(
				'select event from public.messaging_events_by_ref($1)',
				[JSON.stringify(refs)]
			);
			const pushed = rendered.map((row) => row.event);
			expect(pushed.map((event) => [event.user_id, event.type]).sort()).toEqual([buyer.id, seller.id].sort().map((id) => [id, 'message.created']));
			for (const event of pushed) {
				expect(MessagingEvent.safeParse(event).success).toBe(true);
				expect(event.payload.message.attachments).toEqual(photos);
			}
		} finally {
			await listener.end();
		}
	});
});

describe('who may see a photo (attachment_for_reader)', () => {
	async function scene() {
		const { buyer, seller, product } = await marketplace(db);
		const outsider = await createActor(db);
		const [photo] = await upload(buyer, 1);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: 'The scratch', to: { otherUserId: seller.id, productId: product.id }, attachmentIds: [photo.id] });
		return { buyer, seller, outsider, photo, sent };
	}
	const sees = async (actor: Actor, photoId: string) =>
		actor.api.attachmentForReader({ id: photoId }).then(
			(access) => access.id === photoId,
			(error: unknown) => {
				expect(error).toMatchObject({ code: 'not_found', message: 'This photo does not exist or is not yours to see.' });
				return false;
			}
		);

	it('the uploader and the other member see a sent photo; a non-member does not', async () => {
		const { buyer, seller, outsider, photo, sent } = await scene();
		expect(await buyer.api.attachmentForReader({ id: photo.id })).toEqual({ id: photo.id, message_id: sent.id });
		expect(await seller.api.attachmentForReader({ id: photo.id })).toEqual({ id: photo.id, message_id: sent.id });
		expect(await sees(outsider, photo.id)).toBe(false);
		expect(await sees(outsider, randomUUID())).toBe(false);
	});

	it('a pending photo is its uploader’s alone', async () => {
		const { buyer, seller, outsider } = await scene();
		const [pending] = await upload(buyer, 1);
		expect(await sees(buyer, pending.id)).toBe(true);
		expect(await sees(seller, pending.id)).toBe(false);
		expect(await sees(outsider, pending.id)).toBe(false);
	});

	it('a block either way takes the photos from the other member until it is lifted; the uploader keeps theirs', async () => {
		const { buyer, seller, photo } = await scene();
		for (const [blocker, blocked] of [
			[seller, buyer],
			[buyer, seller]
		] as const) {
			await blocker.api.blockUser({ userId: blocked.id });
			expect(await sees(seller, photo.id)).toBe(false);
			expect(await sees(buyer, photo.id)).toBe(true);
			await blocker.api.unblockUser({ userId: blocked.id });
			expect(await sees(seller, photo.id)).toBe(true);
		}
	});

	it('a deleted message’s photos are gone for everyone', async () => {
		const { buyer, seller, photo, sent } = await scene();
		await buyer.api.deleteMessage({ id: sent.id });
		expect(await sees(buyer, photo.id)).toBe(false);
		expect(await sees(seller, photo.id)).toBe(false);
	});

	it('signed-out callers are refused, and a malformed id never reaches the database', async () => {
		const { photo } = await scene();
		await expect(sqlAs(db, null, 'select public.attachment_for_reader($1)', [photo.id])).rejects.toMatchObject({ code: '42501' });
		expect((await rejection(postgresMessaging({ pool: db, claims: null }).attachmentForReader({ id: photo.id }))).code).toBe('not_authenticated');
		const { buyer } = await scene();
		expect((await rejection(buyer.api.attachmentForReader({ id: 'not-a-uuid' }))).code).toBe('invalid_input');
	});
});

describe('removing photos, with no files left behind', () => {
	it('deleting a message removes its photos for readers at once and queues each for removal once', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = await upload(buyer, 3);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: 'Oops, wrong photos', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(photos) });
		const cursor = await seller.api.currentEventCursor();
		const deleted = await buyer.api.deleteMessage({ id: sent.id });
		expect(deleted).toMatchObject({ body: '', attachments: [], deleted_at: expect.any(String) });
		expect(await rows(ids(photos))).toEqual([]);
		expect(await queued(ids(photos))).toEqual(once(ids(photos)));
		const { messages } = await seller.api.listMessages({ conversationId: sent.conversation_id });
		expect(messages[0]).toMatchObject({ id: sent.id, attachments: [] });
		const synced = await seller.api.syncSince({ cursor });
		expect(synced.events).toEqual([expect.objectContaining({ type: 'message.updated', payload: expect.objectContaining({ message: deleted }) })]);
		// Deleting again changes nothing.
		await buyer.api.deleteMessage({ id: sent.id });
		expect(await queued(ids(photos))).toEqual(once(ids(photos)));
		const { rows: preview } = await db.query('select last_message_preview, last_message_deleted from public.conversations where id = $1', [sent.conversation_id]);
		expect(preview).toEqual([{ last_message_preview: '', last_message_deleted: true }]);
	});

	it('purging expired messages removes their photos and queues every one exactly once; the preview falls back to the kept message’s “2 photos”', async () => {
		const { buyer, seller } = await marketplace(db);
		const keptPhotos = await upload(buyer, 2);
		const kept = await buyer.api.sendMessage({ id: randomUUID(), body: '', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(keptPhotos) });
		const expiring: string[] = [];
		const purgedMessages: string[] = [];
		for (const [sender, count] of [
			[buyer, 6],
			[seller, 2],
			[buyer, 1]
		] as const) {
			const photos = await upload(sender, count);
			const message = await sender.api.sendMessage({ id: randomUUID(), body: `${count} photos`, conversationId: kept.conversation_id, attachmentIds: ids(photos) });
			expiring.push(...ids(photos));
			purgedMessages.push(message.id);
		}
		await db.query(`update public.messages set expires_at = now() - interval '1 second' where id = any($1)`, [purgedMessages]);
		await db.query('select * from public.purge_expired_messages(1000000)');

		const { rows: left } = await db.query('select id from public.messages where conversation_id = $1', [kept.conversation_id]);
		expect(left).toEqual([{ id: kept.id }]);
		expect(await rows(expiring)).toEqual([]);
		expect(await queued(expiring)).toEqual(once(expiring));
		expect(await queued(ids(keptPhotos))).toEqual(never(ids(keptPhotos)));
		// No orphans: every attachment of the conversation is either still linked or queued.
		const { rows: conversation } = await db.query('select last_message_id, last_message_preview from public.conversations where id = $1', [kept.conversation_id]);
		expect(conversation).toEqual([{ last_message_id: kept.id, last_message_preview: '2 photos' }]);
	});

	it('abandoned uploads are purged after a day (service_role), sent and recent ones stay; take and forget drain the queue', async () => {
		const { buyer, seller } = await marketplace(db);
		const [abandoned, recent, sentPhoto] = await upload(buyer, 3);
		await buyer.api.sendMessage({ id: randomUUID(), body: 'Sent', to: { otherUserId: seller.id, productId: null }, attachmentIds: [sentPhoto.id] });
		await db.query(`update public.attachments set created_at = now() - interval '25 hours' where id = any($1)`, [[abandoned.id, sentPhoto.id]]);

		const [{ removed }] = await asServiceRole<{ removed: string }>('select public.purge_abandoned_attachments() as removed');
		expect(Number(removed)).toBeGreaterThanOrEqual(1);
		expect(ids(await rows([abandoned.id, recent.id, sentPhoto.id])).sort()).toEqual([recent.id, sentPhoto.id].sort());
		expect(await queued([abandoned.id, recent.id, sentPhoto.id])).toEqual({ ...once([abandoned.id]), ...never([recent.id, sentPhoto.id]) });

		// A shorter grace period reaches the recent one too.
		await asServiceRole(`select public.purge_abandoned_attachments(interval '0 seconds')`);
		expect(await queued([recent.id])).toEqual(once([recent.id]));

		// The drain: take does not dequeue, forget does. (Other files' removals may be queued too.)
		const taken = (await asServiceRole<{ id: string }>('select id from public.take_attachment_removals(10000) as id')).map((row) => row.id);
		expect(taken).toEqual(expect.arrayContaining([abandoned.id, recent.id]));
		expect(await queued([abandoned.id, recent.id])).toEqual(once([abandoned.id, recent.id]));
		await asServiceRole('select public.forget_attachment_removals($1::uuid[])', [[abandoned.id, recent.id]]);
		expect(await queued([abandoned.id, recent.id])).toEqual(never([abandoned.id, recent.id]));
	});

	it('housekeeping is the operator’s: signed-in users cannot purge, take or forget', async () => {
		const { buyer } = await marketplace(db);
		for (const sql of [
			'select public.purge_abandoned_attachments()',
			'select public.take_attachment_removals(10)',
			'select public.forget_attachment_removals(array[gen_random_uuid()])'
		]) {
			await expect(sqlAs(db, buyer.id, sql)).rejects.toMatchObject({ code: '42501' });
			await expect(sqlAs(db, null, sql)).rejects.toMatchObject({ code: '42501' });
		}
	});

	it('the message row carries its photos from the send on, and loses them with the message', async () => {
		const { buyer, seller } = await marketplace(db);
		const [a, b] = await upload(buyer, 2);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: 'Two', to: { otherUserId: seller.id, productId: null }, attachmentIds: [b.id, a.id] });
		expect(await storedPhotos(sent.id)).toEqual([b, a]);
		const text = await send(seller, buyer, 'No photos here');
		expect(await storedPhotos(text.id)).toEqual([]);
		await buyer.api.deleteMessage({ id: sent.id });
		expect(await storedPhotos(sent.id)).toEqual([]);
	});

	it('a photo row removed outside the RPCs (an operator) is dropped from its live message at once, and queued', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = await upload(buyer, 3);
		const sent = await buyer.api.sendMessage({ id: randomUUID(), body: 'Three', to: { otherUserId: seller.id, productId: null }, attachmentIds: ids(photos) });
		const cursor = await seller.api.currentEventCursor();
		await asServiceRole('delete from public.attachments where id = $1', [photos[1].id]);
		expect(await storedPhotos(sent.id)).toEqual([photos[0], photos[2]]);
		const { messages } = await seller.api.listMessages({ conversationId: sent.conversation_id });
		expect(messages[0].attachments).toEqual([photos[0], photos[2]]);
		expect(await queued([photos[1].id])).toEqual(once([photos[1].id]));
		// Keeping the column current publishes nothing by itself.
		expect((await seller.api.syncSince({ cursor })).events).toEqual([]);
	});

	it('erasing an account queues every photo it uploaded, pending or sent, and keeps what the other member sent', async () => {
		const { buyer, seller } = await marketplace(db);
		const [pending, sentPhoto] = await upload(buyer, 2);
		const [received] = await upload(seller, 1);
		await buyer.api.sendMessage({ id: randomUUID(), body: 'Mine', to: { otherUserId: seller.id, productId: null }, attachmentIds: [sentPhoto.id] });
		await send(seller, buyer, 'ok');
		const reply = await seller.api.sendMessage({ id: randomUUID(), body: 'Yours', to: { otherUserId: buyer.id, productId: null }, attachmentIds: [received.id] });
		await db.query('delete from auth.users where id = $1', [buyer.id]);
		const theirs = [pending.id, sentPhoto.id];
		expect(await rows(theirs)).toEqual([]);
		expect(await queued(theirs)).toEqual(once(theirs));
		// The seller's photo, in the seller's own message, stays theirs.
		expect((await rows([received.id])).map((r) => r.id)).toEqual([received.id]);
		expect(await queued([received.id])).toEqual({ [received.id]: 0 });
		expect(reply.conversation_id).toBeTruthy();
	});
});
