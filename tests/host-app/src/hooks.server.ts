import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handle, ServerInit } from '@sveltejs/kit';
import pg from 'pg';
import { folderAttachmentStore, migrateMessaging, postgresMessaging, startPostgresRealtime } from 'bazaar-messaging/server';

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error('DATABASE_URL is not set');
const pool = new pg.Pool({ connectionString });
pool.on('error', () => {});
const realtime = startPostgresRealtime({ connectionString, pool });
// Photos in a folder of the host's choosing (the browser tests name one; otherwise a throwaway one).
const attachments = folderAttachmentStore({ dir: process.env.BAZAAR_ATTACHMENTS_DIR || mkdtempSync(join(tmpdir(), 'host-attachments-')) });

// At every start, before the first request: a no-op once the deploy step (migrate.mjs) has run,
// and here the runner is bundled into the host's build, where it must still find its SQL files.
export const init: ServerInit = async () => {
	await migrateMessaging({ pool });
};

// This host's own sign-in is a cookie naming the user: enough for a fixture, and all the
// messaging module needs from a host is the verified user id.
export const handle: Handle = async ({ event, resolve }) => {
	const id = event.cookies.get('host-user') ?? null;
	event.locals.user = id ? { id } : null;
	event.locals.messaging = postgresMessaging({ pool, claims: id ? { sub: id, role: 'authenticated' } : null });
	event.locals.messagingRealtime = realtime;
	event.locals.messagingAttachments = attachments;
	return resolve(event);
};
