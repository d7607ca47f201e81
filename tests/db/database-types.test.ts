import { readFile } from 'node:fs/promises';
import { expect, inject, it } from 'vitest';
import { DATABASE_TYPES_FILE, generateDatabaseTypes } from '../../src/lib/server/db/database-types.ts';

it('src/lib/database.types.ts is what the migrations generate', async () => {
	// The global setup's database is what `npm run types` builds: a fresh cluster, migrated, no seed.
	const [generated, committed] = await Promise.all([generateDatabaseTypes(inject('databaseUrl')), readFile(DATABASE_TYPES_FILE, 'utf8')]);
	expect(committed, 'src/lib/database.types.ts does not match supabase/migrations: run npm run types').toBe(generated);
});
