/**
 * The browser tests' web server: the production build (`build/`) on a throwaway PostgreSQL
 * cluster, migrated and seeded, exactly as `BAZAAR_DB_EPHEMERAL=1 node build` would run it,
 * except that this process starts the cluster itself and writes its URL to
 * E2E_DATABASE_URL_FILE, so tests can arrange data no user action can make quickly (say 500
 * messages in one thread, past the per-minute send limit) with plain SQL. Photos go to
 * test-results/e2e-attachments-<PORT> (BAZAAR_ATTACHMENTS_DIR), where tests can count them, and
 * request bodies may be 11 MB (BODY_SIZE_LIMIT), room for a 10 MB photo.
 *
 * Run with `node --import tsx tests/e2e/serve.ts` after `npm run build`. SIGTERM (Playwright's
 * graceful shutdown) stops PostgreSQL and deletes the cluster, as with `node build`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readConfig } from '../../src/lib/server/config.ts';
import { prepareDatabase, type MigrateDatabase } from '../../src/lib/server/db/database.ts';

const urlFile = process.env.E2E_DATABASE_URL_FILE;
if (!urlFile) throw new Error('E2E_DATABASE_URL_FILE must name the file that receives the database URL.');

// HOST_APP_DIR: serve the host-app fixture that tests/host-app/build.sh built there, on a database
// its own deploy step migrates: migrate.mjs, the packed package's runner in plain Node (no tsx).
const hostApp = process.env.HOST_APP_DIR;
const migrateAsHost: MigrateDatabase | undefined = hostApp
	? async (url) => {
			const env = { ...process.env, DATABASE_URL: url, NODE_OPTIONS: '' };
			const { stdout } = await promisify(execFile)(process.execPath, ['migrate.mjs'], { cwd: hostApp, env });
			return JSON.parse(stdout) as string[];
		}
	: undefined;

// Shim, migrations and seed on a throwaway cluster; prepareDatabase also stops it on SIGTERM/SIGINT.
const database = await prepareDatabase(
	readConfig({ ...process.env, DATABASE_URL: '', BAZAAR_DB_EPHEMERAL: '1' }),
	(line) => console.log(`[db] ${line}`),
	migrateAsHost
);

mkdirSync(dirname(resolve(urlFile)), { recursive: true });
writeFileSync(urlFile, `${database.url}\n`);
process.once('exit', () => rmSync(urlFile, { force: true }));

// The app then runs in plain-PostgreSQL mode against that cluster: the shim and migrations are
// already applied (a no-op again), the seed already ran, and sessions get a throwaway secret.
process.env.DATABASE_URL = database.url;
process.env.BAZAAR_SEED = '0';
process.env.JWT_SECRET ??= randomBytes(48).toString('base64url');
// adapter-node refuses request bodies over BODY_SIZE_LIMIT (512 KB unless set): photos may be
// 10 MB, plus the multipart envelope. The endpoint keeps its own 10 MB limit.
process.env.BODY_SIZE_LIMIT ??= '11M';
// Photos go to a folder beside the database URL file (emptied with it), so tests can count the files.
const attachmentsDir = resolve(dirname(resolve(urlFile)), `e2e-attachments-${process.env.PORT ?? 'default'}`);
rmSync(attachmentsDir, { recursive: true, force: true });
process.env.BAZAAR_ATTACHMENTS_DIR ??= attachmentsDir;
process.once('exit', () => rmSync(attachmentsDir, { recursive: true, force: true }));

// The host app's folder (its packed package, its build) goes with the server, as the database does.
if (hostApp) process.once('exit', () => rmSync(hostApp, { recursive: true, force: true }));

// Not a literal import: the build is JavaScript outside the type-checked program.
const { server } = await import(pathToFileURL(resolve(hostApp ? join(hostApp, 'build') : 'build', 'index.js')).href);
// As `npm start` does (scripts/start.js).
const { answerClientErrors } = await import(pathToFileURL(resolve('scripts/client-errors.js')).href);
answerClientErrors(server.server);
