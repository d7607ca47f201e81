import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsFor, testPool } from '../support/database.ts';
import { supabaseLikeDatabase } from '../support/supabase-project.ts';
import { createActor, marketplace, send, type Actor } from '../support/messaging.ts';

/*
 * Supabase Realtime authorisation and pushes, against stand-ins that mirror Supabase's realtime
 * schema (tests/support/supabase-standins.sql) on a database of its own, migrated after them as
 * a Supabase project is. A channel join is authorised the way Realtime does it: two probe rows
 * (broadcast and presence) are written for the topic, then, as the joining user with their
 * claims and realtime.topic set, read back through RLS; sending is an insert as that user. Both
 * are rolled back.
 */

type Access = { read: string[]; write: string[] };

async function authorise(pool: pg.Pool, userId: string | null, topic: string): Promise<Access> {
	const client = await pool.connect();
	const asJoiner = () =>
		client.query(
			`select set_config('role', $1, true), set_config('realtime.topic', $2, true),
			        set_config('request.jwt.claims', $3, true), set_config('request.headers', '{}', true)`,
			[userId ? 'authenticated' : 'anon', topic, JSON.stringify(userId ? claimsFor(userId) : { role: 'anon' })]
		);
	try {
		await client.query('begin');
		const probes = await client.query<{ id: string; extension: string }>(
			`insert into realtime.messages (topic, extension) values ($1, 'broadcast'), ($1, 'presence') returning id, extension`,
			[topic]
		);
		await asJoiner();
		const visible = await client.query<{ extension: string }>(
			'select extension from realtime.messages where topic = $1 and id = any($2::uuid[]) order by 1',
			[topic, probes.rows.map((row) => row.id)]
		);
		await client.query('rollback and chain');
		await asJoiner();
		const write: string[] = [];
		for (const extension of ['broadcast', 'presence']) {
			await client.query('savepoint probe');
			try {
				await client.query('insert into realtime.messages (topic, extension) values ($1, $2)', [topic, extension]);
				write.push(extension);
			} catch (error) {
				if ((error as { code?: string }).code !== '42501') throw error;
				await client.query('rollback to savepoint probe');
			}
		}
		await client.query('rollback');
		return { read: visible.rows.map((row) => row.extension), write };
	} finally {
		client.release();
	}
}

const NONE: Access = { read: [], write: [] };

describe('Supabase Realtime (stand-in realtime schema)', () => {
	const admin = testPool();
	let db: pg.Pool;
	let drop = async () => {};

	beforeAll(async () => {
		({ db, drop } = await supabaseLikeDatabase(admin));
	});

	afterAll(() => drop());


	it('has one policy per command on realtime.messages', async () => {
		const { rows } = await db.query(`select cmd, roles from pg_policies where schemaname = 'realtime' and tablename = 'messages' order by cmd`);
		expect(rows).toEqual([
			{ cmd: 'INSERT', roles: '{authenticated}' },
			{ cmd: 'SELECT', roles: '{authenticated}' }
		]);
	});

	it('a user receives their own pushes, and nobody else does', async () => {
		const { buyer, seller } = await marketplace(db);
		expect(await authorise(db, buyer.id, `user:${buyer.id}`)).toEqual({ read: ['broadcast'], write: [] });
		expect(await authorise(db, seller.id, `user:${buyer.id}`)).toEqual(NONE);
		expect(await authorise(db, null, `user:${buyer.id}`)).toEqual(NONE);
	});

	describe('typing and presence', () => {
		let buyer: Actor;
		let seller: Actor;
		let stranger: Actor;
		let conversation: string;

		beforeAll(async () => {
			({ buyer, seller } = await marketplace(db));
			stranger = await createActor(db);
			conversation = (await send(buyer, seller, 'Still available?')).conversation_id;
		});

		it('members exchange typing on their conversation; others cannot join it', async () => {
			const typing = { read: ['broadcast'], write: ['broadcast'] };
			expect(await authorise(db, buyer.id, `conversation:${conversation}`)).toEqual(typing);
			expect(await authorise(db, seller.id, `conversation:${conversation}`)).toEqual(typing);
			expect(await authorise(db, stranger.id, `conversation:${conversation}`)).toEqual(NONE);
			expect(await authorise(db, null, `conversation:${conversation}`)).toEqual(NONE);
		});

		it('a user tracks their own presence; partners only watch it; strangers see nothing', async () => {
			expect(await authorise(db, buyer.id, `presence:${buyer.id}`)).toEqual({ read: ['presence'], write: ['presence'] });
			expect(await authorise(db, seller.id, `presence:${buyer.id}`)).toEqual({ read: ['presence'], write: [] });
			expect(await authorise(db, stranger.id, `presence:${buyer.id}`)).toEqual(NONE);
			expect(await authorise(db, null, `presence:${buyer.id}`)).toEqual(NONE);
		});

		it('a block in either direction closes typing and presence both ways, and unblocking reopens them', async () => {
			for (const [blocker, blocked] of [
				[buyer, seller],
				[seller, buyer]
			]) {
				await blocker.api.blockUser({ userId: blocked.id });
				for (const user of [buyer, seller]) {
					const other = user === buyer ? seller : buyer;
					expect(await authorise(db, user.id, `conversation:${conversation}`)).toEqual(NONE);
					expect(await authorise(db, user.id, `presence:${other.id}`)).toEqual(NONE);
				}
				// Their own channels stay theirs.
				expect(await authorise(db, blocked.id, `presence:${blocked.id}`)).toEqual({ read: ['presence'], write: ['presence'] });
				await blocker.api.unblockUser({ userId: blocked.id });
				expect(await authorise(db, blocked.id, `conversation:${conversation}`)).toEqual({ read: ['broadcast'], write: ['broadcast'] });
				expect(await authorise(db, blocked.id, `presence:${blocker.id}`)).toEqual({ read: ['presence'], write: [] });
			}
		});

		it('malformed and unknown topics are refused without an error', async () => {
			for (const topic of ['conversation:not-a-uuid', `conversation:${buyer.id}`, 'presence:', 'anything', `user:${buyer.id}x`]) {
				expect(await authorise(db, buyer.id, topic)).toEqual(NONE);
			}
		});
	});

	it('pushes carry no content: one event cursor per recipient and transaction, nothing left after an edit or delete', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const number = `555-${Date.now()}`;
		const secret = `my number is ${number}`;
		const sent = await send(buyer, seller, secret, product.id);
		await buyer.api.editMessage({ id: sent.id, body: `${secret} (edited)` });
		await buyer.api.deleteMessage({ id: sent.id });
		const { rows } = await db.query<{ topic: string; event: string; payload: Record<string, unknown> }>(
			`select topic, event, payload from realtime.messages where topic in ($1, $2) order by inserted_at, (payload ->> 'cursor')::bigint`,
			[`user:${buyer.id}`, `user:${seller.id}`]
		);
		// The whole number: '555-' alone turns up inside a random uuid now and then.
		expect(JSON.stringify(rows)).not.toContain(number);
		expect(JSON.stringify(rows)).not.toContain('my number');
		// Three transactions (send, edit, delete), each pushing to both members.
		expect(rows).toHaveLength(6);
		for (const row of rows) {
			expect(row.event).toBe('events');
			expect(Object.keys(row.payload).sort()).toEqual(['cursor', 'id']);
		}
		for (const member of [buyer, seller]) {
			const cursors = rows.filter((row) => row.topic === `user:${member.id}`).map((row) => Number(row.payload.cursor));
			expect(cursors.at(-1)).toBe(await member.api.currentEventCursor());
			// What the push points at renders through sync_since, under the member's own rights.
			const synced = await member.api.syncSince({ cursor: cursors[0] - 1 });
			expect(synced.events.map((event) => event.id)).toEqual(cursors);
		}
	});

	it('schedules housekeeping with pg_cron, once per job, and the scheduled commands run', async () => {
		const { rows } = await db.query<{ jobname: string; schedule: string; command: string }>(
			'select jobname, schedule, command from cron.job order by jobname'
		);
		expect(rows.map((row) => row.jobname)).toEqual(['bazaar-prune-messaging-events', 'bazaar-purge-abandoned-attachments', 'bazaar-purge-expired-messages']);
		for (const { command } of rows) await db.query(command);
	});
});
