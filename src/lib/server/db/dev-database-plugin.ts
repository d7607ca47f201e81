import type { Plugin } from 'vite';
import { readConfig } from '../config.ts';
import { ensureDatabase } from './database.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from './seed.ts';

/**
 * `npm run dev` brings the database up before Vite serves a request: the embedded
 * PostgreSQL (or DATABASE_URL), shim, migrations and seed. Supabase mode needs none of it.
 */
export function devDatabase(): Plugin {
	return {
		name: 'bazaar-dev-database',
		apply: (_config, env) => env.command === 'serve' && !process.env.VITEST,
		async configureServer(server) {
			const config = readConfig();
			const info = (line: string) => server.config.logger.info(`  [db] ${line}`, { timestamp: true });
			if (config.mode === 'supabase') {
				info(`Supabase mode: ${config.supabase!.url}`);
				return;
			}
			const database = await ensureDatabase(config, info);
			const where = database.cluster
				? `embedded PostgreSQL, data in ${database.cluster.dataDir}\n    psql ${database.url}`
				: `DATABASE_URL (${new URL(database.url).host})`;
			const applied = database.applied.length ? `applied ${database.applied.length} migration(s)` : 'schema up to date';
			const logins = DEMO_LOGINS.map(({ email, role }) => `    ${email.padEnd(18)} ${role}`).join('\n');
			server.config.logger.info(
				`\n  Bazaar Messaging: ${where}\n  ${applied}; demo logins (password ${DEMO_PASSWORD}):\n${logins}\n`
			);
		}
	};
}
