import pg from 'pg';
import { z } from 'zod';
import { sqlText } from '../backend/sql-text.js';
import type { RealtimeHub } from './hub.js';
import { Pushes } from './pushes.js';

const CHANNEL = 'bazaar_messaging';

/** Events rendered in the transaction, and references to those the relay renders. */
const Notification = z.object({
	events: z.array(z.looseObject({ user_id: z.uuid() })).default([]),
	refs: z.array(z.object({ user_id: z.uuid(), id: z.number() })).default([])
});

export interface Listener {
	stop(): Promise<void>;
	/** Resolves once LISTEN is active (again). */
	ready(): Promise<void>;
}

/**
 * The one LISTEN connection of this process. It relays each NOTIFY to the hub, rendering the
 * events that travel by reference (messages for members not seen lately, and anything too
 * large for NOTIFY). When the connection drops (PostgreSQL restarted, network), it reconnects
 * with backoff and tells every stream to catch up, since notifications sent meanwhile are gone.
 */
export function listenForEvents(options: { connectionString: string; hub: RealtimeHub; pool: pg.Pool; log?: (line: string) => void }): Listener {
	const { connectionString, hub, pool, log = (line) => console.log(`[realtime] ${line}`) } = options;
	let client: pg.Client | undefined;
	let stopped = false;
	let attempt = 0;
	// Notifications sent while the connection was down are gone: streams must catch up when it is back.
	let reconnecting = false;
	let readyWaiters: (() => void)[] = [];
	let live = false;

	const pushes = new Pushes(
		hub,
		// A literal, not a parameter: one simple-protocol message, as the adapter's calls.
		async (refs) =>
			(await pool.query<{ user_id: string; event: unknown }>(`select user_id, event from public.messaging_events_by_ref(${sqlText(JSON.stringify(refs))})`))
				.rows,
		log
	);

	function relay(payload: string | undefined) {
		const parsed = Notification.safeParse(JSON.parse(payload ?? 'null'));
		if (!parsed.success) return log(`ignored a malformed notification`);
		pushes.add([
			...parsed.data.events.map((event) => ({ userId: event.user_id, event })),
			...parsed.data.refs.map((ref) => ({ userId: ref.user_id, id: ref.id }))
		]);
	}

	async function connect() {
		while (!stopped) {
			const next = new pg.Client({ connectionString });
			next.on('error', () => {}); // surfaced through 'end'
			try {
				await next.connect();
				next.on('notification', (message) => {
					if (message.channel !== CHANNEL) return;
					try {
						relay(message.payload);
					} catch (error) {
						log(`relay failed: ${(error as Error).message}`);
					}
				});
				await next.query(`listen ${CHANNEL}`);
				if (stopped) {
					await next.end().catch(() => {});
					return;
				}
				client = next;
				attempt = 0;
				live = true;
				for (const wake of readyWaiters.splice(0)) wake();
				if (reconnecting) {
					reconnecting = false;
					log('LISTEN connection restored; streams catch up');
					hub.resumeAll();
				}
				next.once('end', () => {
					live = false;
					client = undefined;
					if (stopped) return;
					log('LISTEN connection lost; reconnecting');
					reconnecting = true;
					void connect();
				});
				return;
			} catch (error) {
				await next.end().catch(() => {});
				attempt++;
				const delay = Math.min(10_000, 200 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
				if (attempt === 1 || attempt % 10 === 0) log(`cannot LISTEN (${(error as Error).message}); retrying`);
				await new Promise((r) => setTimeout(r, delay));
			}
		}
	}

	void connect();
	return {
		ready: () => (live ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve))),
		async stop() {
			stopped = true;
			readyWaiters = [];
			await client?.end().catch(() => {});
		}
	};
}
