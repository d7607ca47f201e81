import type { AddressInfo } from 'node:net';
import type { Plugin, ViteDevServer } from 'vite';
import { readConfig, stopOnConfigError, type Config } from '../config.ts';
import { ensureDatabase } from './database.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from './seed.ts';

/**
 * `npm run dev` brings the database up before Vite serves a request: the embedded
 * PostgreSQL (or DATABASE_URL), shim, migrations and seed. Supabase mode needs none of it.
 * Then it runs the worker (digests, housekeeping) in the same process, so the demo mails
 * digests into the data directory's mail folder (see /dev/mail) with no extra command.
 */
export function devDatabase(): Plugin {
	return {
		name: 'bazaar-dev-database',
		apply: (_config, env) => env.command === 'serve' && !process.env.VITEST,
		async configureServer(server) {
			const config = await stopOnConfigError(() => readConfig());
			const info = (line: string) => server.config.logger.info(`  [db] ${line}`, { timestamp: true });
			if (config.mode === 'supabase') {
				info(`Supabase mode: ${config.supabase!.url}`);
				if (config.databaseUrl) runWorker(server, config, config.databaseUrl);
				else info('no DATABASE_URL: no digests (the worker needs the project connection string)');
				return;
			}
			const database = await stopOnConfigError(() => ensureDatabase(config, info));
			const where = database.cluster
				? `embedded PostgreSQL, data in ${database.cluster.dataDir}\n    psql ${database.url}`
				: `DATABASE_URL (${new URL(database.url).host})`;
			const applied = database.applied.length ? `applied ${database.applied.length} migration(s)` : 'schema up to date';
			const logins = DEMO_LOGINS.map(({ email, role }) => `    ${email.padEnd(18)} ${role}`).join('\n');
			const seeded = config.seed ? `; demo logins (password ${DEMO_PASSWORD}):\n${logins}` : '; not seeded (BAZAAR_SEED=0): no demo logins';
			server.config.logger.info(`\n  Bazaar Messaging: ${where}\n  ${applied}${seeded}\n`);
			runWorker(server, config, database.url);
		}
	};
}

/**
 * Starts the worker once the server listens, through Vite's SSR loader (the worker's modules
 * import `$lib`, which only Vite resolves), and stops it with the server or on Ctrl-C.
 */
function runWorker(server: ViteDevServer, config: Config, databaseUrl: string) {
	const http = server.httpServer;
	if (!http) return;
	const log = (line: string) => server.config.logger.info(`  [worker] ${line}`, { timestamp: true });
	let worker: Promise<{ stop(): Promise<void> } | null> | undefined;
	http.once('listening', () => {
		// `npm run dev -- --port 5200` mails links to 5200, not to the port the script names.
		const servedAt = servedUrl(http.address());
		worker = server
			.ssrLoadModule('/src/lib/server/db/worker.ts')
			.then((loaded) => (loaded as typeof import('./worker.ts')).startWorker(config, databaseUrl, log, servedAt))
			.catch((error: Error) => {
				log(`not started: ${error.message}`);
				return null;
			});
	});
	const stop = () => void worker?.then((running) => running?.stop());
	http.once('close', stop);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
}

/** Where a server listening on `address` is reached from this machine (a wildcard as localhost). */
export function servedUrl(address: AddressInfo | string | null): string | null {
	if (!address || typeof address === 'string') return null;
	const wildcard = address.address === '0.0.0.0' || address.address === '::';
	const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
	return `http://${host}:${address.port}`;
}
