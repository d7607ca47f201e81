import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

/** The demo marketplace from supabase/seed.sql; the file is idempotent, so this runs at every start. */
export async function seed(client: pg.ClientBase, supabaseDir: string): Promise<void> {
	await client.query(readFileSync(join(supabaseDir, 'seed.sql'), 'utf8'));
}

export const DEMO_LOGINS = [
	{ email: 'ana@example.com', role: 'buyer' },
	{ email: 'ben@example.com', role: 'buyer' },
	{ email: 'sam@example.com', role: 'seller' },
	{ email: 'lee@example.com', role: 'seller' }
] as const;

export const DEMO_PASSWORD = 'password123';
