import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { applyShim, migrate } from '../../src/lib/server/migrations/runner.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { scratchDatabase } from './database.ts';

/**
 * A database of its own that looks like a Supabase project to the migrations: the shim, then
 * the stand-ins of Supabase's realtime, storage and cron schemas (supabase-standins.sql), then
 * every migration, which create their Realtime policies, Storage bucket and policies and cron
 * jobs only where those exist.
 */
export async function supabaseLikeDatabase(admin: pg.Pool): Promise<{ db: pg.Pool; drop(): Promise<void> }> {
	const scratch = await scratchDatabase(admin);
	const setup = new pg.Client({ connectionString: scratch.url });
	await setup.connect();
	try {
		await applyShim(setup, join(process.cwd(), 'supabase', 'shim'));
		await setup.query(readFileSync(join(process.cwd(), 'tests', 'support', 'supabase-standins.sql'), 'utf8'));
		await migrate(setup, join(process.cwd(), 'supabase', 'migrations'));
	} finally {
		await setup.end();
	}
	const db = createPool(scratch.url, { max: 4 });
	return {
		db,
		drop: async () => {
			await db.end();
			await scratch.drop();
		}
	};
}
