// A host that points the module at a database without its migrations is told to apply them, in
// place of "function public.messaging_session_start() does not exist".
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { claimsFor, scratchDatabase, testPool } from '../support/database.ts';

const admin = testPool();
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
	scratch = await scratchDatabase(admin);
	pool = new pg.Pool({ connectionString: scratch.url, max: 2 });
});
afterAll(async () => {
	await pool?.end();
	await scratch?.drop();
});

describe('a database without the migrations', () => {
	it('names the missing step, with the database’s own words kept', async () => {
		const messaging = postgresMessaging({ pool, claims: claimsFor('11111111-1111-4111-8111-111111111111') });
		const failure = messaging.sessionStart();
		await expect(failure).rejects.toThrow(/migrations are not applied to this database, or are older than the package \(function public\.messaging_session_start\(\) does not exist; 42883\)/);
		await expect(failure).rejects.toThrow(/step 4/);
		await expect(messaging.unreadTotal()).rejects.toThrow(/migrations are not applied/);
	});
});
