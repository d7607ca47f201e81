import type pg from 'pg';
import { RealtimeHub } from './hub';
import { listenForEvents, type Listener } from './listener';
import { relayPresence } from './presence';

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
	const hub = new RealtimeHub();
	const listener = listenForEvents({ connectionString: options.connectionString, hub, pool: options.pool, log: options.log });
	const stopPresence = relayPresence(hub, options.pool);
	return {
		transport: 'sse',
		hub,
		pool: options.pool,
		listener,
		async stop() {
			stopPresence();
			await listener.stop();
		}
	};
}
