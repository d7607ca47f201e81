import type pg from 'pg';
import { RealtimeHub } from './hub.js';
import { listenForEvents, type Listener } from './listener.js';
import { relayPresence } from './presence.js';

/** How live events reach browsers: the server's own relay (plain PostgreSQL), or Supabase Realtime. */
export type MessagingRealtime =
	| { transport: 'sse'; hub: RealtimeHub; pool: pg.Pool }
	| { transport: 'supabase'; supabase: { url: string; anonKey: string } };

export interface PostgresRealtime {
	transport: 'sse';
	hub: RealtimeHub;
	pool: pg.Pool;
	listener: Listener;
	/** Ends the LISTEN connection (before the database goes away on purpose). */
	stop(): Promise<void>;
}

/**
 * Plain-PostgreSQL mode: the one LISTEN connection of this process feeding a hub that every
 * SSE stream of this process subscribes to, and presence relayed to conversation partners.
 * Start it once per process and put it on `locals.messagingRealtime`.
 */
export function startPostgresRealtime(options: { connectionString: string; pool: pg.Pool; log?: (line: string) => void }): PostgresRealtime {
	// pg reads an empty string as "localhost:5432", and a relay retrying there forever looks like an outage.
	if (!options.connectionString?.trim()) throw new Error('startPostgresRealtime needs a connectionString (is DATABASE_URL set?).');
	const hub = new RealtimeHub();
	const listener = listenForEvents({ connectionString: options.connectionString, hub, pool: options.pool, log: options.log });
	const stopPresence = relayPresence(hub, options.pool);
	const stopSeen = markSeenWhileConnected(hub, options.pool, options.log ?? ((line) => console.log(`[realtime] ${line}`)));
	return {
		transport: 'sse',
		hub,
		pool: options.pool,
		listener,
		async stop() {
			stopPresence();
			stopSeen();
			await listener.stop();
		}
	};
}

/** How often members with a live stream are recorded as online (record_seen writes at most this often anyway). */
const SEEN_EVERY_MS = 30_000;

/**
 * Members with a live stream open are online, and digests wait for members who are away: every
 * 30 seconds this process records its connected members as seen (one query for all of them),
 * and a member whose first stream opens or last stream closes within about a second, batched.
 */
function markSeenWhileConnected(hub: RealtimeHub, pool: pg.Pool, log: (line: string) => void): () => void {
	const changed = new Set<string>();
	let flush: ReturnType<typeof setTimeout> | null = null;
	const record = (userIds: string[]) => {
		if (userIds.length === 0) return;
		pool.query('select public.mark_seen_members($1::uuid[])', [userIds]).catch((error: Error) => log(`could not record who is online: ${error.message}`));
	};
	const stopListening = hub.onPresenceChange((userId) => {
		changed.add(userId);
		flush ??= setTimeout(() => {
			flush = null;
			const userIds = [...changed];
			changed.clear();
			record(userIds);
		}, 1000);
	});
	const timer = setInterval(() => record(hub.connectedUsers()), SEEN_EVERY_MS);
	timer.unref();
	return () => {
		stopListening();
		clearInterval(timer);
		if (flush) clearTimeout(flush);
	};
}
