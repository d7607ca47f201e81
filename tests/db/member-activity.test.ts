// When a member was last seen: written at most every 30 seconds, and recording it never makes
// one of the member's requests wait for another's commit.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { claimsFor, testPool } from '../support/database.ts';
import { createActor } from '../support/messaging.ts';

const db = testPool();

async function lastSeen(userId: string): Promise<Date | null> {
	const { rows } = await db.query<{ at: Date }>('select last_seen_at as at from private.member_activity where user_id = $1', [userId]);
	return rows[0]?.at ?? null;
}

/** Opens a transaction on `client` as the user's request would run it (claims, role authenticated), left open. */
async function beginAs(client: pg.PoolClient, userId: string, lockTimeout?: string) {
	await client.query('begin');
	if (lockTimeout) await client.query(`select set_config('lock_timeout', $1, true)`, [lockTimeout]);
	await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claimsFor(userId))]);
	await client.query('set local role authenticated');
}

describe('member activity', () => {
	it('mark_seen writes the first time, not again within 30 seconds, and again after', async () => {
		const ana = await createActor(db);
		expect(await lastSeen(ana.id)).toBeNull();
		await ana.api.markSeen();
		const first = await lastSeen(ana.id);
		expect(first).not.toBeNull();

		await ana.api.markSeen();
		expect(await lastSeen(ana.id)).toEqual(first);

		await db.query(`update private.member_activity set last_seen_at = now() - interval '31 seconds' where user_id = $1`, [ana.id]);
		await ana.api.markSeen();
		const later = await lastSeen(ana.id);
		expect(later!.getTime()).toBeGreaterThan(Date.now() - 5_000);
	});

	it('a member seen lately is recorded again without waiting for another of their requests to commit', async () => {
		const ana = await createActor(db);
		await ana.api.markSeen();
		const first = await lastSeen(ana.id);

		// One request of Ana's records her as seen and is still open (a page whose transaction has
		// not committed yet); another records her too. It must not wait on the first one's row lock.
		const open = await db.connect();
		const other = await db.connect();
		try {
			await beginAs(open, ana.id);
			await open.query('select public.mark_seen()');

			await beginAs(other, ana.id, '500ms');
			await expect(other.query('select public.mark_seen()')).resolves.toBeDefined();
			await other.query('commit');
		} finally {
			await open.query('rollback').catch(() => {});
			await other.query('rollback').catch(() => {});
			open.release();
			other.release();
		}
		expect(await lastSeen(ana.id)).toEqual(first);
	});
});
