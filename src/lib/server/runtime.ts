import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { sessionSecret } from './auth/jwt-secret';
import { readConfig, type Config } from './config';
import { ensureDatabase } from './db/database';
import { createPool, REQUEST_TIMEOUTS } from './db/pool';
import { scheduleAttachmentRemovals } from './db/retention';
import {
	folderAttachmentStore,
	startPostgresRealtime,
	supabaseAttachmentRemovals,
	supabaseAttachmentStore,
	type AttachmentStorageClient,
	contactScreen,
	type AttachmentStore,
	type ContactScreen,
	type MessagingRealtime,
	type PostgresRealtime
} from './index';

/** What the server holds for its whole life; one per process. */
export interface Runtime {
	config: Config;
	/** Plain-PostgreSQL modes only. */
	pool?: pg.Pool;
	/** Signs session cookies in plain-PostgreSQL modes. */
	sessionSecret?: string;
	/** How live events reach browsers: this process's LISTEN relay, or Supabase Realtime. */
	realtime: MessagingRealtime;
	/** Plain-PostgreSQL modes: the folder photos are kept in (Supabase mode makes a store per request, as the user). */
	attachments?: AttachmentStore;
	/** Supabase mode with SUPABASE_SERVICE_ROLE_KEY: the client that may delete stored photos. */
	supabaseAdmin?: AttachmentStorageClient;
	/** Screens texts for contact details while masking is on (Supabase mode needs the service-role key for it). */
	contactScreen?: ContactScreen;
}

const SHARED = Symbol.for('bazaar-messaging.runtime');

type Shared = typeof globalThis & { [SHARED]?: Promise<Runtime> };

/** `<data directory>/attachments`, or a throwaway folder for an ephemeral run (deleted when the process exits). */
function attachmentsFolder(config: Config): string {
	if (config.attachmentsDir) {
		mkdirSync(config.attachmentsDir, { recursive: true, mode: 0o700 });
		return config.attachmentsDir;
	}
	const dir = mkdtempSync(join(tmpdir(), 'bazaar-attachments-'));
	process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

async function startSupabase(config: Config): Promise<Runtime> {
	const runtime: Runtime = { config, realtime: { transport: 'supabase', supabase: config.supabase! } };
	if (config.contactMasking !== null) {
		console.warn('[contact masking] BAZAAR_CONTACT_MASKING is ignored on Supabase: set public.messaging_settings.contact_masking in SQL.');
	}
	if (!config.supabaseServiceRoleKey) {
		console.warn(
			'[attachments] SUPABASE_SERVICE_ROLE_KEY is not set: files of deleted photos stay in Storage, and messages are refused while contact masking is on, until it is.'
		);
		return runtime;
	}
	// supabase-js is loaded only in Supabase mode: plain-PostgreSQL mode has no use for it.
	const [{ createClient }, { default: WebSocket }] = await Promise.all([import('@supabase/supabase-js'), import('ws')]);
	const admin = createClient(config.supabase!.url, config.supabaseServiceRoleKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		// Node 20 has no native WebSocket, and supabase-js refuses to start without one (this client never opens one).
		realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket }
	});
	scheduleAttachmentRemovals(supabaseAttachmentRemovals(admin), supabaseAttachmentStore({ supabase: admin, admin }));
	const screen = contactScreen(async () => {
		const { data, error } = await admin.rpc('contact_screening');
		if (error) throw new Error(`contact_screening: ${error.message}`);
		return data;
	});
	return { ...runtime, supabaseAdmin: admin, contactScreen: screen };
}

async function start(): Promise<Runtime> {
	const config = readConfig();
	if (config.mode === 'supabase') return startSupabase(config);
	// Before the database: a server that must not start says so whether or not the database answers.
	const secret = sessionSecret(config);
	const database = await ensureDatabase(config, (line) => console.log(`[db] ${line}`));
	const pool = createPool(database.url, REQUEST_TIMEOUTS);
	if (config.contactMasking !== null) {
		await pool.query('update public.messaging_settings set contact_masking = $1', [config.contactMasking]);
	}
	const realtime = startPostgresRealtime({ connectionString: database.url, pool });
	const attachments = folderAttachmentStore({ dir: attachmentsFolder(config) });
	// Retention and event pruning run in the worker (npm run worker, or inside npm run dev), on its cron.
	closeOnShutdown(realtime, pool, { clusterStops: Boolean(database.cluster) });
	const screen = contactScreen(async () => (await pool.query('select public.contact_screening() as screening')).rows[0].screening);
	return { config, pool, sessionSecret: secret, realtime, attachments, contactScreen: screen };
}

/**
 * `node build` (adapter-node) stops on SIGTERM or SIGINT: it closes its HTTP server, emits
 * `sveltekit:shutdown` once the server's connections are gone, and the process ends when
 * nothing else keeps it running. Live streams never end by themselves, so they held the server
 * open for adapter-node's SHUTDOWN_TIMEOUT (30 s), and the pool and the LISTEN connection kept
 * the process running for good. The streams end at the signal (browsers reconnect to a server
 * still running and catch up from their cursor), the connections once the server has closed.
 * One place for all of it, the embedded cluster's stop included.
 */
function closeOnShutdown(realtime: PostgresRealtime, pool: pg.Pool, options: { clusterStops: boolean }) {
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
		// First in line, so the others (adapter-node, the embedded cluster's stop) are still registered
		// when it counts them: a `once` listener is gone by the time a later one runs, and counted
		// last this re-raised the signal and killed the process before the cluster stopped (an
		// ephemeral cluster's folder was left behind under npm run dev).
		process.prependOnceListener(signal, () => {
			realtime.hub.endAll();
			// The embedded cluster stops on these signals, then the process exits: the LISTEN
			// connection must not take that shutdown for an outage and start reconnecting.
			if (options.clusterStops) void realtime.stop();
			// With no one else listening (no adapter-node, no embedded cluster), the signal still ends the process.
			if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
		});
	}
	process.once('sveltekit:shutdown', () => void realtime.stop().finally(() => pool.end()));
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
