// The Postgres adapter sends the reads a request makes together as one message: one round trip,
// each call its own statement; a failing call gets its own error and its batch-mates their own
// answers; writes go alone; a session start leads the reads asked after it.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { claimsFor, testPool } from '../support/database.ts';
import { marketplace, rejection, send } from '../support/messaging.ts';

/** What one message sent through the pool said, and when it went and was answered. */
interface Sent {
	text: string;
	at: number;
	answered: number;
}

/**
 * A pool on the test database that counts the messages its clients send and records them;
 * messages naming `slow` wait that long before they go.
 */
function countingPool(db: pg.Pool, slow?: { text: string; ms: number }) {
	const pool = new pg.Pool({ connectionString: String(db.options.connectionString), max: 4 });
	const sent = { count: 0, log: [] as Sent[] };
	pool.on('connect', (client) => {
		const query = client.query.bind(client) as (...args: unknown[]) => void;
		// The adapter asks in pg's callback form; anything else may use its promise form.
		(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
			sent.count++;
			const callback = typeof args.at(-1) === 'function' ? (args.pop() as (error: unknown, result?: unknown) => void) : null;
			const asked = args[0] as string | { text: string };
			const text = typeof asked === 'string' ? asked : asked.text;
			const answer = (async () => {
				if (slow && text.includes(slow.text)) await new Promise((done) => setTimeout(done, slow.ms));
				const entry: Sent = { text, at: performance.now(), answered: Infinity };
				sent.log.push(entry);
				try {
					return await new Promise((resolve, reject) => query(...args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result))));
				} finally {
					entry.answered = performance.now();
				}
			})();
			if (!callback) return answer;
			answer.then((result) => callback(null, result), (error: unknown) => callback(error));
		};
	});
	return { pool, sent };
}

/** Runs `use` with a counting pool, and ends the pool. */
async function withCountingPool(db: pg.Pool, use: (pool: pg.Pool, sent: ReturnType<typeof countingPool>['sent']) => Promise<void>, slow?: { text: string; ms: number }) {
	const { pool, sent } = countingPool(db, slow);
	try {
		await use(pool, sent);
	} finally {
		await pool.end();
	}
}

/** The message that ran `rpc`. */
const messageOf = (log: Sent[], rpc: string) => log.find((entry) => entry.text.includes(`public.${rpc}(`))!;

describe('calls made together share one round trip', () => {
	const db = testPool();

	/** Someone with a conversation of their own, and a stranger to it. */
	async function aStrangersConversation() {
		const { buyer, seller, product } = await marketplace(db);
		const { seller: stranger } = await marketplace(db);
		return { stranger, first: await send(buyer, seller, 'Hello', product.id) };
	}

	it('three reads in one tick: one message, and each the answer it gets alone', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Is it still available?', product.id);
		await withCountingPool(db, async (pool, sent) => {
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
		});
	});

	it('a call that fails gets its own error, and the calls beside it their answers', async () => {
		const { stranger, first } = await aStrangersConversation();
		await withCountingPool(db, async (pool, sent) => {
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
		});
	});

	it('a write made beside reads goes alone, in its own transaction', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'First', product.id);
		await withCountingPool(db, async (pool, sent) => {
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
		});
	});

	it('a session start and the reads asked after it share one round trip, in that order', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'Is it still available?', product.id);
		await withCountingPool(db, async (pool, sent) => {
			const api = postgresMessaging({ pool, claims: claimsFor(seller.id, seller.email) });
			const [session, previews, replies] = await Promise.all([api.sessionStart(), api.listConversationPreviews({}), api.listQuickReplies()]);
			expect(sent.count).toBe(1);
			const [message] = sent.log.map((entry) => entry.text);
			expect(message.indexOf('messaging_session_start')).toBeLessThan(message.indexOf('list_conversation_previews'));
			expect(message.indexOf('list_conversation_previews')).toBeLessThan(message.indexOf('list_quick_replies'));
			expect(session.unread_total).toBe(1);
			expect(previews.previews).toHaveLength(1);
			expect(replies).toEqual(await api.listQuickReplies());
		});
	});

	it('a read asked once the session start has gone waits for its answer', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'Hello', product.id);
		await withCountingPool(db, async (pool, sent) => {
			const api = postgresMessaging({ pool, claims: claimsFor(seller.id, seller.email) });
			const session = api.sessionStart();
			await new Promise((done) => setTimeout(done, 20));
			const previews = await api.listConversationPreviews({});
			expect((await session).cursor).toBeGreaterThan(0);
			expect(previews.previews).toHaveLength(1);
			expect(sent.count).toBe(2);
			expect(messageOf(sent.log, 'list_conversation_previews').at).toBeGreaterThanOrEqual(messageOf(sent.log, 'messaging_session_start').answered);
		}, { text: 'messaging_session_start', ms: 150 });
	});

	it('when a shared message with a session start fails, the session start runs alone first, then the rest', async () => {
		const { stranger, first } = await aStrangersConversation();
		await withCountingPool(db, async (pool, sent) => {
			const api = postgresMessaging({ pool, claims: claimsFor(stranger.id, stranger.email) });
			const [session, refused, previews] = await Promise.all([
				api.sessionStart(),
				rejection(api.listMessages({ conversationId: first.conversation_id })),
				api.listConversationPreviews({})
			]);
			expect(session.unread_total).toBe(0);
			expect(refused.code).toBe('not_member');
			expect(previews.previews).toEqual([]);
			// The shared message, then the session start alone, then the two reads.
			expect(sent.count).toBe(4);
			const start = sent.log.filter((entry) => !entry.text.includes('list_')).at(-1)!;
			for (const rpc of ['list_messages', 'list_conversation_previews']) {
				const alone = sent.log.filter((entry) => entry.text.includes(`public.${rpc}(`) && !entry.text.includes('messaging_session_start'));
				expect(alone).toHaveLength(1);
				expect(alone[0].at).toBeGreaterThanOrEqual(start.answered);
			}
		});
	});
});
