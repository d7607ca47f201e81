// The Postgres adapter sends the reads a request makes together as one message: one round trip,
// each call its own statement; a failing call gets its own error and its batch-mates their own
// answers; writes go alone.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { claimsFor, testPool } from '../support/database.ts';
import { marketplace, rejection, send } from '../support/messaging.ts';

/** A pool on the test database that counts the messages its clients send. */
function countingPool(db: pg.Pool) {
	const pool = new pg.Pool({ connectionString: String(db.options.connectionString), max: 4 });
	const sent = { count: 0 };
	pool.on('connect', (client) => {
		const query = client.query.bind(client) as (...args: unknown[]) => unknown;
		(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
			sent.count++;
			return query(...args);
		};
	});
	return { pool, sent };
}

describe('calls made together share one round trip', () => {
	const db = testPool();

	it('three reads in one tick: one message, and each the answer it gets alone', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Is it still available?', product.id);
		const { pool, sent } = countingPool(db);
		try {
			const api = postgresMessaging({ pool, claims: claimsFor(seller.id, seller.email) });
			const together = await Promise.all([
				api.listConversationPreviews({}),
				api.listMessages({ conversationId: first.conversation_id }),
				api.unreadTotal()
			]);
			expect(sent.count).toBe(1);
			const alone = [
				await api.listConversationPreviews({}),
				await api.listMessages({ conversationId: first.conversation_id }),
				await api.unreadTotal()
			];
			expect(sent.count).toBe(4);
			expect(together).toEqual(alone);
			expect(together[2]).toBe(1);
		} finally {
			await pool.end();
		}
	});

	it('a call that fails gets its own error, and the calls beside it their answers', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const { seller: stranger } = await marketplace(db);
		const first = await send(buyer, seller, 'Hello', product.id);
		const { pool, sent } = countingPool(db);
		try {
			const api = postgresMessaging({ pool, claims: claimsFor(stranger.id, stranger.email) });
			const [previews, refused, total] = await Promise.all([
				api.listConversationPreviews({}),
				rejection(api.listMessages({ conversationId: first.conversation_id })),
				api.unreadTotal()
			]);
			expect(previews.previews).toEqual([]);
			expect(refused.code).toBe('not_member');
			expect(total).toBe(0);
			// The shared message failed as a whole; then each call ran alone.
			expect(sent.count).toBe(4);
		} finally {
			await pool.end();
		}
	});

	it('a write made beside reads goes alone, in its own transaction', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'First', product.id);
		const { pool, sent } = countingPool(db);
		try {
			const api = postgresMessaging({ pool, claims: claimsFor(buyer.id, buyer.email) });
			const id = crypto.randomUUID();
			const [stored, previews, total] = await Promise.all([
				api.sendMessage({ id, body: 'Second', conversationId: first.conversation_id }),
				api.listConversationPreviews({}),
				api.unreadTotal()
			]);
			expect(stored.id).toBe(id);
			expect(previews.previews).toHaveLength(1);
			expect(total).toBe(0);
			// The send on its own, the two reads together.
			expect(sent.count).toBe(2);
		} finally {
			await pool.end();
		}
	});
});
