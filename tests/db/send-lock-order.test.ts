// Sends into one conversation lock its two member rows in one order, so concurrent sends queue
// behind each other instead of deadlocking (a deadlock costs PostgreSQL's deadlock_timeout, a
// second, and then fails one of the sends). A send cancelled to break a deadlock with something
// else runs again.
//
// On a database of its own where the planner may not use an index: a scan of the members then
// meets them in table order, so locking in the order a scan meets them shows as a deadlock here.
// With an index the key order hides the fault, whatever the table looks like.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { migratedScratchDatabase, testPool } from '../support/database.ts';
import { marketplace, send } from '../support/messaging.ts';

const admin = testPool();
let db: pg.Pool;
let drop: () => Promise<void> = async () => {};

beforeAll(async () => {
	const scratch = await migratedScratchDatabase(admin);
	drop = scratch.drop;
	const name = new URL(scratch.url).pathname.slice(1);
	for (const setting of ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan']) {
		await admin.query(`alter database ${name} set ${setting} = off`);
	}
	db = createPool(scratch.url, { max: 6 });
});

afterAll(async () => {
	await db?.end();
	await drop();
});

/** Waits until the send with this text waits for a lock. */
async function sendWaiting(body: string) {
	await expect
		.poll(async () => {
			const { rows } = await db.query<{ waiting: number }>(
				`select count(*)::int as waiting from pg_stat_activity
				  where wait_event_type = 'Lock' and query like '%send_message%' and query like '%' || $1 || '%'`,
				[body]
			);
			return rows[0].waiting;
		})
		.toBe(1);
}

/** Locks one member's row of a conversation on `client`, as a send locking it first would. */
function lockMember(client: pg.PoolClient, conversationId: string, userId: string) {
	return client.query('select from public.conversation_members where conversation_id = $1 and user_id = $2 for no key update', [
		conversationId,
		userId
	]);
}

/** 'sent' once the send is stored, else its error's message (for an assertion that shows it). */
function outcome(sending: Promise<unknown>): Promise<string> {
	return sending.then(
		() => 'sent',
		(error: Error) => error.message
	);
}

async function memberPlaces(conversationId: string): Promise<Map<string, string>> {
	const { rows } = await db.query<{ user_id: string; place: string }>(
		'select user_id, ctid::text as place from public.conversation_members where conversation_id = $1',
		[conversationId]
	);
	return new Map(rows.map((row) => [row.user_id, row.place]));
}

/** A ctid as a sortable pair. */
const position = (place: string) => place.slice(1, -1).split(',').map(Number) as [number, number];
const before = (a: string, b: string) => {
	const [pa, pb] = [position(a), position(b)];
	return pa[0] < pb[0] || (pa[0] === pb[0] && pa[1] < pb[1]);
};

/**
 * A conversation whose higher user's member row lies before the lower one's in the table, where a
 * scan meets it first. A first send inserts the sender's row and then the recipient's, so the
 * buyer opens it when theirs is the higher id.
 */
async function conversationWithHigherRowFirst() {
	for (let attempt = 0; attempt < 40; attempt++) {
		const { buyer, seller, product } = await marketplace(db);
		if (buyer.id < seller.id) continue;
		const { conversation_id: conversationId } = await send(buyer, seller, 'Is it still available?', product.id);
		const places = await memberPlaces(conversationId);
		if (before(places.get(buyer.id)!, places.get(seller.id)!)) return { buyer, seller, product, conversationId };
	}
	throw new Error('no conversation with the higher member row first in 40 tries');
}

describe('send lock order', () => {
	it('a send waits for the first member row in user order, whatever order the rows lie in the table', async () => {
		const { buyer, seller, product, conversationId } = await conversationWithHigherRowFirst();
		const [low, high] = [buyer.id, seller.id].sort();

		// Another transaction holds the lower row, as a send that took it first would, and then
		// wants the higher one. A send that took the higher row before waiting for the lower would
		// close a cycle, and with the shorter deadlock_timeout this transaction is the one
		// PostgreSQL cancels (the send, cancelled instead, would run again and hide it).
		const other = await db.connect();
		try {
			await other.query('begin');
			await other.query(`set local lock_timeout = '5s'`);
			await other.query(`set local deadlock_timeout = '10ms'`);
			await lockMember(other, conversationId, low);
			const settled = outcome(send(seller, buyer, 'Yes, it is.', product.id));
			await sendWaiting('Yes, it is.');

			await expect(
				other.query(
					`update public.conversation_members set muted_until = null where conversation_id = $1 and user_id = $2`,
					[conversationId, high]
				)
			).resolves.toBeDefined();
			await other.query('commit');
			expect(await settled).toBe('sent');
		} finally {
			await other.query('rollback').catch(() => {});
			other.release();
		}

		const { rows } = await db.query<{ user_id: string; unread_count: number }>(
			'select user_id, unread_count from public.conversation_members where conversation_id = $1',
			[conversationId]
		);
		expect(Object.fromEntries(rows.map((row) => [row.user_id, row.unread_count]))).toEqual({ [buyer.id]: 1, [seller.id]: 0 });
	});

	it('a send that PostgreSQL cancels to break a deadlock runs again and is sent once', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Would you take 80?', product.id);
		const conversationId = first.conversation_id;
		const [low, high] = [buyer.id, seller.id].sort();

		// Another transaction holds the higher row; the send takes the lower one and waits for it.
		// When that transaction then wants the lower row, each waits for the other: the send, which
		// waited first, is the one PostgreSQL cancels after its deadlock_timeout.
		const other = await db.connect();
		try {
			await other.query('begin');
			await other.query(`set local lock_timeout = '10s'`);
			await lockMember(other, conversationId, high);
			const settled = outcome(send(seller, buyer, 'Make it 90.', product.id));
			await sendWaiting('Make it 90.');
			await expect(lockMember(other, conversationId, low)).resolves.toBeDefined();
			await other.query('commit');
			expect(await settled).toBe('sent');
		} finally {
			await other.query('rollback').catch(() => {});
			other.release();
		}

		const { rows } = await db.query<{ body: string }>('select body from public.messages where conversation_id = $1 order by created_at', [conversationId]);
		expect(rows.map((row) => row.body)).toEqual(['Would you take 80?', 'Make it 90.']);
	});
});
