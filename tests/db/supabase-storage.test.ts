import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { claimsFor, sqlAs, testPool } from '../support/database.ts';
import { supabaseLikeDatabase } from '../support/supabase-project.ts';
import { createActor, marketplace, type Actor } from '../support/messaging.ts';

/*
 * Supabase Storage for message photos, against stand-ins that mirror Supabase's storage schema
 * (tests/support/supabase-standins.sql) on a database of its own, migrated after them as a
 * Supabase project is. The Storage API runs its queries as the requesting user (role and JWT
 * claims set, as here): serving a file or signing its URL needs the object row visible to a
 * select, an upload is an insert. Each probe runs in a transaction that is rolled back.
 */

const BUCKET = 'message-attachments';

async function asUser<T>(pool: pg.Pool, userId: string | null, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		return await work(client);
	} finally {
		await client.query('rollback');
		client.release();
	}
}

function becomeUser(client: pg.PoolClient, userId: string | null) {
	return client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
		userId ? 'authenticated' : 'anon',
		JSON.stringify(userId ? claimsFor(userId) : { role: 'anon' })
	]);
}

/** Whether the user may read (serve, sign) the object `name` of `bucket`, stored as the admin. */
function canRead(pool: pg.Pool, userId: string | null, name: string, bucket = BUCKET): Promise<boolean> {
	return asUser(pool, userId, async (client) => {
		const { rows } = await client.query<{ id: string }>('insert into storage.objects (bucket_id, name) values ($1, $2) returning id', [bucket, name]);
		await becomeUser(client, userId);
		const visible = await client.query('select 1 from storage.objects where id = $1', [rows[0].id]);
		return visible.rowCount === 1;
	});
}

/** Whether the user may upload the object `name` to `bucket` (an insert, read back as the Storage API does). */
function canUpload(pool: pg.Pool, userId: string | null, name: string, bucket = BUCKET): Promise<boolean> {
	return asUser(pool, userId, async (client) => {
		await becomeUser(client, userId);
		try {
			await client.query('insert into storage.objects (bucket_id, name, owner) values ($1, $2, $3) returning id, name', [bucket, name, userId]);
			return true;
		} catch (error) {
			if ((error as pg.DatabaseError).code !== '42501') throw error;
			return false;
		}
	});
}

const files = (id: string) => [`${id}/thumb.webp`, `${id}/display.webp`];

async function upload(pool: pg.Pool, actor: Actor): Promise<string> {
	return (await actor.api.createAttachment({ width: 1600, height: 1200, thumbWidth: 320, thumbHeight: 240, bytes: 200_000 })).id;
}

/** Sends a message with photos as the user (SQL, as PostgREST would call it). */
async function sendPhotos(pool: pg.Pool, from: Actor, to: Actor, photoIds: string[]): Promise<{ id: string; conversation_id: string }> {
	const [row] = await sqlAs<{ m: { id: string; conversation_id: string } }>(
		pool,
		from.id,
		`select public.send_message(p_id => $1, p_body => '', p_other_user_id => $2, p_attachment_ids => $3::uuid[]) as m`,
		[randomUUID(), to.id, photoIds]
	);
	return row.m;
}

describe('Supabase Storage for message photos (stand-in storage schema)', () => {
	const admin = testPool();
	let db: pg.Pool;
	let drop = async () => {};

	beforeAll(async () => {
		({ db, drop } = await supabaseLikeDatabase(admin));
	});

	afterAll(() => drop());


	it('creates the private bucket, WebP only, at most 10 MB a file', async () => {
		const { rows } = await db.query('select id, name, public, file_size_limit, allowed_mime_types from storage.buckets');
		expect(rows).toEqual([{ id: BUCKET, name: BUCKET, public: false, file_size_limit: '10485760', allowed_mime_types: ['image/webp'] }]);
	});

	it('has one policy per command on storage.objects, none to update or delete', async () => {
		const { rows } = await db.query(`select cmd, roles, permissive from pg_policies where schemaname = 'storage' and tablename = 'objects' order by cmd`);
		expect(rows).toEqual([
			{ cmd: 'INSERT', roles: '{authenticated}', permissive: 'PERMISSIVE' },
			{ cmd: 'SELECT', roles: '{authenticated}', permissive: 'PERMISSIVE' }
		]);
	});

	describe('reading and uploading files', () => {
		let buyer: Actor;
		let seller: Actor;
		let stranger: Actor;
		let sent: string;
		let pending: string;

		beforeAll(async () => {
			({ buyer, seller } = await marketplace(db));
			stranger = await createActor(db);
			sent = await upload(db, buyer);
			await sendPhotos(db, buyer, seller, [sent]);
			pending = await upload(db, buyer);
		});

		it('both members read a sent photo’s files; a stranger and a signed-out visitor do not', async () => {
			for (const name of files(sent)) {
				expect(await canRead(db, buyer.id, name)).toBe(true);
				expect(await canRead(db, seller.id, name)).toBe(true);
				expect(await canRead(db, stranger.id, name)).toBe(false);
				expect(await canRead(db, null, name)).toBe(false);
			}
		});

		it('a pending photo’s files are its uploader’s alone, to read and to upload', async () => {
			for (const name of files(pending)) {
				expect(await canRead(db, buyer.id, name)).toBe(true);
				expect(await canRead(db, seller.id, name)).toBe(false);
				expect(await canUpload(db, buyer.id, name)).toBe(true);
				expect(await canUpload(db, seller.id, name)).toBe(false);
				expect(await canUpload(db, stranger.id, name)).toBe(false);
				expect(await canUpload(db, null, name)).toBe(false);
			}
		});

		it('nobody uploads over a sent photo, not even its uploader', async () => {
			for (const name of files(sent)) {
				expect(await canUpload(db, buyer.id, name)).toBe(false);
				expect(await canUpload(db, seller.id, name)).toBe(false);
			}
		});

		it('malformed names, other files and other buckets are refused without an error', async () => {
			await db.query(`insert into storage.buckets (id, name) values ('avatars', 'avatars') on conflict do nothing`);
			for (const name of [
				`${pending}/original.jpg`,
				`${pending}/thumb.webp/x`,
				`x/${pending}/thumb.webp`,
				`${pending.toUpperCase()}/thumb.webp`,
				`${pending}`,
				'not-a-uuid/thumb.webp',
				`${pending}/thumb.webp `,
				''
			]) {
				expect(await canRead(db, buyer.id, name)).toBe(false);
				expect(await canUpload(db, buyer.id, name)).toBe(false);
			}
			expect(await canRead(db, buyer.id, `${pending}/thumb.webp`, 'avatars')).toBe(false);
			expect(await canUpload(db, buyer.id, `${pending}/thumb.webp`, 'avatars')).toBe(false);
		});

		it('members can neither rename nor delete stored files', async () => {
			const attempt = (userId: string, sql: string) =>
				asUser(db, userId, async (client) => {
					const { rows } = await client.query<{ id: string }>('insert into storage.objects (bucket_id, name) values ($1, $2) returning id', [BUCKET, files(sent)[0]]);
					await becomeUser(client, userId);
					return client.query(sql, [rows[0].id]).then(
						(result) => result.rows,
						(error: pg.DatabaseError) => error.code
					);
				});
			for (const user of [buyer, seller]) {
				expect(await attempt(user.id, `update storage.objects set name = 'mine.webp' where id = $1 returning id`)).toEqual([]);
				// Refused outright (Supabase deletes files through the Storage API only), and even without
				// that guard no policy would let a row through.
				expect([[], '42501']).toContainEqual(await attempt(user.id, 'delete from storage.objects where id = $1 returning id'));
			}
		});
	});

	it('a block either way takes a photo’s files from the other member from the moment of the block', async () => {
		const { buyer, seller } = await marketplace(db);
		const photo = await upload(db, buyer);
		await sendPhotos(db, buyer, seller, [photo]);
		for (const [blocker, blocked] of [
			[seller, buyer],
			[buyer, seller]
		]) {
			await blocker.api.blockUser({ userId: blocked.id });
			expect(await canRead(db, seller.id, files(photo)[0])).toBe(false);
			expect(await canRead(db, buyer.id, files(photo)[0])).toBe(true);
			await blocker.api.unblockUser({ userId: blocked.id });
			expect(await canRead(db, seller.id, files(photo)[0])).toBe(true);
		}
	});

	it('a deleted message’s files are readable by nobody', async () => {
		const { buyer, seller } = await marketplace(db);
		const photo = await upload(db, buyer);
		const message = await sendPhotos(db, buyer, seller, [photo]);
		await buyer.api.deleteMessage({ id: message.id });
		for (const user of [buyer, seller]) expect(await canRead(db, user.id, files(photo)[1])).toBe(false);
	});

	it('a photo message is one content-free push per member, and catching up renders its photos', async () => {
		const { buyer, seller } = await marketplace(db);
		const photos = [await upload(db, buyer), await upload(db, buyer)];
		const cursor = await seller.api.currentEventCursor();
		const message = await sendPhotos(db, buyer, seller, photos);
		const { rows } = await db.query<{ topic: string; payload: Record<string, unknown> }>(
			`select topic, payload from realtime.messages where topic in ($1, $2) order by topic`,
			[`user:${buyer.id}`, `user:${seller.id}`]
		);
		expect(rows.map((row) => row.topic).sort()).toEqual([`user:${buyer.id}`, `user:${seller.id}`].sort());
		for (const row of rows) expect(Object.keys(row.payload).sort()).toEqual(['cursor', 'id']);
		const { events } = await seller.api.syncSince({ cursor });
		expect(events.map((event) => event.type)).toEqual(['message.created']);
		const event = events[0] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
		expect(event.payload.message).toMatchObject({ id: message.id, body: '' });
		expect(event.payload.message.attachments.map((a) => a.id)).toEqual(photos);
	});
});
