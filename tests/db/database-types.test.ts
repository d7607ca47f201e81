import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { DATABASE_TYPES_DIR, DATABASE_TYPES_FILE, generateDatabaseTypes } from '../../src/lib/server/db/database-types.ts';

it('src/lib/database.types.ts and its parts are what the migrations generate, and nothing else is there', async () => {
	// The global setup's database is what `npm run types` builds: a fresh cluster, migrated, no seed.
	const generated = await generateDatabaseTypes(inject('databaseUrl'));
	const parts = (await readdir(DATABASE_TYPES_DIR)).map((name) => join(DATABASE_TYPES_DIR, name));
	const committed = new Map(await Promise.all([DATABASE_TYPES_FILE, ...parts].map(async (path) => [path, await readFile(path, 'utf8')] as const)));
	expect(Object.fromEntries(committed), 'src/lib/database.types.ts or its parts do not match supabase/migrations: run npm run types').toEqual(
		Object.fromEntries(generated)
	);
});
