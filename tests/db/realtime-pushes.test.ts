// Message events travel by reference on plain PostgreSQL: the relay renders them, only for users
// with a stream open in the process, one render query at a time, and hands every user's events
// to the hub in id order, inline ones queued behind a render included.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { RealtimeHub, type Subscriber } from '../../src/lib/server/messaging/realtime/hub.ts';
import { listenForEvents } from '../../src/lib/server/messaging/realtime/listener.ts';
import { Pushes } from '../../src/lib/server/messaging/realtime/pushes.ts';
import { testPool } from '../support/database.ts';
import { marketplace, send } from '../support/messaging.ts';

/** What a stream would have been handed. */
function recorder() {
	const seen = { events: [] as MessagingEvent[], resumes: 0 };
	const subscriber: Subscriber = {
		event: (event) => seen.events.push(event),
		signal: () => {},
		resume: () => seen.resumes++
	};
	return { seen, subscriber };
}

/** A pool on the test database whose render queries wait `delayMs` first, and are recorded. */
function renderingPool(db: pg.Pool, delayMs: number) {
	const pool = new pg.Pool({ connectionString: String(db.options.connectionString), max: 2 });
	const renders: string[] = [];
	const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
	(pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
		if (typeof args[0] === 'string' && args[0].includes('messaging_events_by_ref')) {
			renders.push(args[0]);
			await new Promise((done) => setTimeout(done, delayMs));
		}
		return query(...args);
	};
	return { pool, renders };
}

async function until(check: () => boolean, what: string) {
	for (const started = Date.now(); !check(); await new Promise((done) => setTimeout(done, 10))) {
		if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
	}
}

describe('pushes by reference', () => {
	const db = testPool();

	it('renders only for connected users, and keeps an inline event behind a slow render in id order', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Is it still available?', product.id);
		const hub = new RealtimeHub();
		const { seen, subscriber } = recorder();
		hub.add(seller.id, subscriber);
		const { pool, renders } = renderingPool(db, 300);
		const listener = listenForEvents({ connectionString: String(db.options.connectionString), hub, pool, log: () => {} });
		try {
			await listener.ready();
			const cursor = await seller.api.currentEventCursor();
			// A message (by reference: rendered, slowly) and at once the seller's read (inline, small).
			const sent = await send(buyer, seller, 'I can pick it up today', product.id);
			await seller.api.markConversationRead({ conversationId: first.conversation_id });
			await until(() => seen.events.length >= 2, 'two events for the seller');

			expect(seen.events.map((event) => [event.id, event.type])).toEqual([
				[cursor + 1, 'message.created'],
				[cursor + 2, 'read']
			]);
			const created = seen.events[0] as Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }>;
			expect(created.payload.message).toMatchObject({ id: sent.id, body: 'I can pick it up today' });
			expect(created.payload.preview).toMatchObject({ last_message_id: sent.id, other_user_id: buyer.id });
			expect(seen.resumes).toBe(0);
			// The buyer has no stream here: their copy of the message event was never rendered.
			expect(renders.length).toBeGreaterThan(0);
			for (const sql of renders) {
				expect(sql).toContain(seller.id);
				expect(sql).not.toContain(buyer.id);
			}
		} finally {
			await listener.stop();
			await pool.end();
		}
	});

	it('a render that fails sends the users concerned back to the log', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'Still there?', product.id);
		const { rows } = await db.query<{ id: number }>(
			`select id::int from public.messaging_events where user_id = $1 and type = 'message.created' order by id desc limit 1`,
			[seller.id]
		);
		const hub = new RealtimeHub();
		const { seen, subscriber } = recorder();
		hub.add(seller.id, subscriber);
		const logged: string[] = [];
		const pushes = new Pushes(
			hub,
			async () => (await db.query<{ user_id: string; event: unknown }>('select * from public.messaging_events_by_reference_missing()')).rows,
			(line) => logged.push(line)
		);
		pushes.add([
			{ userId: seller.id, id: rows[0].id },
			{ userId: buyer.id, id: rows[0].id }
		]);
		await until(() => seen.resumes > 0, 'a resume');
		expect(seen.resumes).toBe(1);
		expect(seen.events).toEqual([]);
		expect(logged).toEqual([expect.stringContaining('could not render pushed events')]);
	});
});
