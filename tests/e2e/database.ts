import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** Where the web server (tests/e2e/serve.ts) writes the URL of its throwaway database; one file per app port. */
export function databaseUrlFile(port: number | string): string {
	// Under the output folder, which Playwright empties before it starts the web server.
	return fileURLToPath(new URL(`../../test-results/e2e-database-${port}.url`, import.meta.url));
}

/**
 * Runs SQL as the database owner (no row-level security) on the web server's database, for
 * arranging what the UI cannot make quickly. `baseURL` picks the server of this run.
 */
export async function withDatabase<T>(baseURL: string | undefined, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const port = new URL(baseURL ?? 'http://127.0.0.1:4173').port;
	const url = readFileSync(databaseUrlFile(port), 'utf8').trim();
	const client = new pg.Client({ connectionString: url });
	client.on('error', () => {});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end().catch(() => {});
	}
}

/** A member signed up as the demo's are (password123, a cheap hash), for a test of its own. */
export async function insertMember(db: pg.Client, member: { id: string; email: string; username: string; name: string }): Promise<void> {
	await db.query(
		`insert into auth.users (id, email, encrypted_password, raw_user_meta_data)
		 values ($1, $2, extensions.crypt('password123', extensions.gen_salt('bf', 4)), $3)`,
		[member.id, member.email, { username: member.username, display_name: member.name }]
	);
}

/**
 * A conversation between a buyer and the seller of a listing with both members' rows, as a first
 * send makes them, for a test that writes its history straight into the database. Returns its id.
 */
export async function insertConversation(db: pg.Client, buyerId: string, sellerId: string, productId: string): Promise<string> {
	const {
		rows: [conversation]
	} = await db.query<{ id: string }>(
		`insert into public.conversations (user_low, user_high, product_id, seller_id)
		 values (least($1::uuid, $2::uuid), greatest($1::uuid, $2::uuid), $3, $2) returning id`,
		[buyerId, sellerId, productId]
	);
	await db.query(
		`insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id) values ($1, $2, $3, $4), ($1, $3, $2, $4)`,
		[conversation.id, buyerId, sellerId, productId]
	);
	return conversation.id;
}

/** Row counts and a checksum of each table, in one query: what a refused request must leave as it was. */
export async function tableFingerprint(db: pg.Client, tables: readonly string[]): Promise<Record<string, string>> {
	const sql = tables
		.map((table) => `select '${table}' as name, count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as sum from ${table} t`)
		.join(' union all ');
	const { rows } = await db.query<{ name: string; sum: string }>(sql);
	return Object.fromEntries(rows.map((row) => [row.name, row.sum]));
}
