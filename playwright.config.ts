import { defineConfig } from '@playwright/test';
import { databaseUrlFile } from './tests/e2e/database';
import { hostAppDir } from './tests/e2e/host-app';

// E2E_PORT lets two runs share a machine.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 30_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? 'list' : [['list']],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		launchOptions: {
			// Debian's Chromium: Playwright's own browser download cannot run on these machines.
			executablePath: '/usr/bin/chromium',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		},
		trace: 'retain-on-failure'
	},
	webServer: [
		{
			// The production build on a throwaway embedded PostgreSQL, migrated and seeded at start. The
			// wrapper is `node build` plus one thing: it tells the tests the database URL, for arranging data in SQL.
			command: 'npm run build && node --import tsx tests/e2e/serve.ts',
			url: `http://127.0.0.1:${PORT}/`,
			timeout: 180_000,
			reuseExistingServer: false,
			// SIGTERM lets the server stop its PostgreSQL and delete the throwaway cluster; the default SIGKILL would not.
			gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
			stdout: 'pipe',
			env: {
				PORT: String(PORT),
				HOST: '127.0.0.1',
				ORIGIN: `http://127.0.0.1:${PORT}`,
				BAZAAR_DB_EPHEMERAL: '1',
				E2E_DATABASE_URL_FILE: databaseUrlFile(PORT),
				DATABASE_URL: '',
				PUBLIC_SUPABASE_URL: ''
			}
		},
		{
			// A host marketplace that uses the module only through the package's exports (tests/host-app),
			// built against `npm pack` of `npm run package`'s dist/, installed outside the repository,
			// and served the same way on its own throwaway database, which the packed runner migrates.
			command: 'bash tests/host-app/build.sh && node --import tsx tests/e2e/serve.ts',
			url: `http://127.0.0.1:${PORT + 1}/sign-in`,
			timeout: 180_000,
			reuseExistingServer: false,
			gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
			stdout: 'pipe',
			env: {
				PORT: String(PORT + 1),
				HOST: '127.0.0.1',
				ORIGIN: `http://127.0.0.1:${PORT + 1}`,
				BAZAAR_DB_EPHEMERAL: '1',
				HOST_APP_DIR: hostAppDir(PORT + 1),
				E2E_DATABASE_URL_FILE: databaseUrlFile(PORT + 1),
				DATABASE_URL: '',
				PUBLIC_SUPABASE_URL: ''
			}
		}
	]
});
