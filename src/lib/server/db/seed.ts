import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

/**
 * The demo marketplace from supabase/seed.sql; the file is idempotent, so this runs at every start.
 * Its messages go through send_message, which refuses text nobody screened while contact masking
 * is on: the seed runs with masking off, in one transaction that puts the setting back. (A start
 * after a run with BAZAAR_CONTACT_MASKING=on failed here, whatever the variable said then.)
 */
export async function seed(client: pg.ClientBase, supabaseDir: string): Promise<void> {
	const sql = readFileSync(join(supabaseDir, 'seed.sql'), 'utf8');
	await client.query('begin');
	try {
		const { rows } = await client.query<{ on: boolean }>('select contact_masking as on from public.messaging_settings for update');
		await client.query('update public.messaging_settings set contact_masking = false');
		await client.query(sql);
		await client.query('update public.messaging_settings set contact_masking = $1', [rows[0]?.on ?? false]);
		await client.query('commit');
	} catch (error) {
		await client.query('rollback');
		throw error;
	}
}

export const DEMO_LOGINS = [
	{ email: 'ana@example.com', role: 'buyer' },
	{ email: 'ben@example.com', role: 'buyer' },
	{ email: 'sam@example.com', role: 'seller' },
	{ email: 'lee@example.com', role: 'seller' }
] as const;

export const DEMO_PASSWORD = 'password123';
