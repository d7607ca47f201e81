import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { devDatabase } from './src/lib/server/db/dev-database-plugin.ts';

export default defineConfig({
	plugins: [devDatabase(), sveltekit()],
	server: { host: '127.0.0.1' },
	test: {
		// Vitest's default on 2 cores is one worker: the db tests, which mostly wait on PostgreSQL,
		// then run one file at a time (about 200 s against 115 s with two).
		maxWorkers: 2,
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					environment: 'node',
					include: ['tests/unit/**/*.test.ts', 'src/**/*.spec.ts']
				}
			},
			{
				extends: true,
				test: {
					name: 'db',
					environment: 'node',
					include: ['tests/db/**/*.test.ts'],
					globalSetup: ['tests/db/global-setup.ts'],
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			}
		]
	}
});
