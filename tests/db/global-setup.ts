import type { TestProject } from 'vitest/node';
import { readConfig } from '../../src/lib/server/config.ts';
import { prepareDatabase } from '../../src/lib/server/db/database.ts';

declare module 'vitest' {
	export interface ProvidedContext {
		databaseUrl: string;
	}
}

/** One throwaway cluster for the whole run: shim and migrations applied, no demo data. */
export default async function setup(project: TestProject) {
	const database = await prepareDatabase(readConfig({ BAZAAR_DB_EPHEMERAL: '1', BAZAAR_SEED: '0' }));
	project.provide('databaseUrl', database.url);
	return async () => {
		await database.cluster?.stop();
	};
}
