import type pg from 'pg';
import { sessionSecret } from './auth/jwt-secret';
import { readConfig, type Config } from './config';
import { ensureDatabase } from './db/database';
import { createPool } from './db/pool';
import { scheduleRetention } from './db/retention';
import { startPostgresRealtime, type MessagingRealtime } from './index';

/** What the server holds for its whole life; one per process. */
export interface Runtime {
	config: Config;
	/** Plain-PostgreSQL modes only. */
	pool?: pg.Pool;
	/** Signs session cookies in plain-PostgreSQL modes. */
	sessionSecret?: string;
	/** How live events reach browsers: this process's LISTEN relay, or Supabase Realtime. */
	realtime: MessagingRealtime;
}

const SHARED = Symbol.for('bazaar-messaging.runtime');
type Shared = typeof globalThis & { [SHARED]?: Promise<Runtime> };

async function start(): Promise<Runtime> {
	const config = readConfig();
	if (config.mode === 'supabase') return { config, realtime: { transport: 'supabase', supabase: config.supabase! } };
	const database = await ensureDatabase(config, (line) => console.log(`[db] ${line}`));
	const pool = createPool(database.url);
	const realtime = startPostgresRealtime({ connectionString: database.url, pool });
	scheduleRetention(pool);
	// The embedded cluster stops on these signals (and then the process exits): the LISTEN
	// connection must not take that shutdown for an outage and start reconnecting.
	if (database.cluster) for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void realtime.stop());
	return { config, pool, sessionSecret: sessionSecret(config), realtime };
}

/** The process's runtime; kept on globalThis so Vite's module reloads reuse one pool. */
export function runtime(): Promise<Runtime> {
	const shared = globalThis as Shared;
	shared[SHARED] ??= start().catch((error) => {
		delete shared[SHARED];
		throw error;
	});
	return shared[SHARED];
}
