// On plain PostgreSQL a send renders its message event only for members seen lately; the others
// travel by reference, and the relay renders those only for users with a stream open in the
// process, a few render queries at a time, handing every user's events to the hub in id order,
// inline ones queued behind a render included.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { RealtimeHub, type Subscriber } from '../../src/lib/server/messaging/realtime/hub.ts';
import { listenForEvents } from '../../src/lib/server/messaging/realtime/listener.ts';
import { Pushes } from '../../src/lib/server/messaging/realtime/pushes.ts';
import { tableScansAs, testPool } from '../support/database.ts';
import { marketplace, send } from '../support/messaging.ts';

/** What a stream would have been handed. */
function recorder() {
	const seen = { events: [] as MessagingEvent[], resumes: 0 };
	const subscriber: Subscriber = {
		event: (event) => seen.events.push(event),
		signal: () => {},
		resume: () => seen.resumes++,
		end: () => {}
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

	it('a send renders its event for a member seen lately and pushes a reference for one who is away', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'Hello', product.id);
		await seller.api.sessionStart(); // a signed-in page load: the seller is here
		await db.query('delete from private.member_activity where user_id = $1', [buyer.id]);
		const spy = new pg.Client({ connectionString: String(db.options.connectionString) });
		const notifications: { events?: { user_id: string; type: string; payload: { message: { id: string } } }[]; refs?: { user_id: string; id: number }[] }[] = [];
		spy.on('notification', (n) => notifications.push(JSON.parse(n.payload ?? '{}')));
		await spy.connect();
		try {
			await spy.query('listen bazaar_messaging');
			const sent = await send(buyer, seller, 'Is it still available?', product.id);
			await until(() => notifications.some((n) => n.events?.some((event) => event.payload.message?.id === sent.id)), 'the push');
			const push = notifications.find((n) => n.events?.some((event) => event.payload.message?.id === sent.id))!;
			expect(push.events!.map((event) => [event.user_id, event.type])).toEqual([[seller.id, 'message.created']]);
			const { rows } = await db.query<{ id: number }>(`select id::int from public.messaging_events where user_id = $1 order by id desc limit 1`, [buyer.id]);
			expect(push.refs).toEqual([{ user_id: buyer.id, id: rows[0].id }]);
		} finally {
			await spy.end();
		}
	});

	it('renders run side by side, and a later batch rendered first waits for the earlier one', async () => {
		const { buyer, seller, product } = await marketplace(db);
		await send(buyer, seller, 'First', product.id);
		await send(buyer, seller, 'Second', product.id);
		const { rows } = await db.query<{ id: number }>(
			`select id::int from public.messaging_events where user_id = $1 and type = 'message.created' order by id desc limit 2`,
			[seller.id]
		);
		const [second, first] = rows.map((row) => row.id);
		const hub = new RealtimeHub();
		const { seen, subscriber } = recorder();
		hub.add(seller.id, subscriber);
		let renders = 0;
		let running = 0;
		let mostAtOnce = 0;
		const pushes = new Pushes(
			hub,
			async (refs) => {
				running++;
				mostAtOnce = Math.max(mostAtOnce, running);
				// The first render is the slow one.
				if (renders++ === 0) await new Promise((done) => setTimeout(done, 300));
				const { rows: rendered } = await db.query<{ user_id: string; event: unknown }>('select user_id, event from public.messaging_events_by_ref($1)', [
					JSON.stringify(refs)
				]);
				running--;
				return rendered;
			},
			() => {}
		);
		pushes.add([{ userId: seller.id, id: first }]);
		pushes.add([{ userId: seller.id, id: second }]);
		await until(() => seen.events.length >= 2, 'both events');
		expect(renders).toBe(2);
		expect(mostAtOnce).toBe(2);
		expect(seen.events.map((event) => event.id)).toEqual([first, second]);
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

describe('rendering the log', () => {
	const db = testPool();

	it('a catch-up reads each message event’s message once, and each conversation’s preview once however many events it has', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const first = await send(buyer, seller, 'Is it still for sale?', product.id);
		await send(seller, buyer, 'It is.', product.id);
		await seller.api.setArchived({ conversationId: first.conversation_id, archived: true });
		const catchUp = 'select public.sync_since(p_cursor => 0)';
		const reads = async () => {
			const { events } = await seller.api.syncSince({ cursor: 0 });
			const messageEvents = events.filter((event) => event.type === 'message.created' || event.type === 'message.updated').length;
			expect(events.length).toBeGreaterThan(messageEvents);
			return {
				messageEvents,
				messages: await tableScansAs(db, seller.id, 'public.messages', catchUp),
				memberships: await tableScansAs(db, seller.id, 'public.conversation_members', catchUp)
			};
		};
		const few = await reads();
		for (let i = 0; i < 6; i++) await send(buyer, seller, `And the lens? (${i})`, product.id);
		const many = await reads();
		expect(many.messageEvents).toBe(few.messageEvents + 6);
		expect([few.messages, many.messages]).toEqual([few.messageEvents, many.messageEvents]);
		expect(many.memberships).toBe(few.memberships);
	});
});
