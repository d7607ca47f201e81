import { startBuiltServer } from './built-server';
import { expect, test } from './fixtures';

/**
 * `node build` with a setting only its operator can fix does not start, and says what to fix in
 * a sentence: before, each sentence came with a stack trace into the bundle and the source line
 * it was thrown from, and a zod message ('Invalid option: expected one of "0"|"1"').
 */
const cases: { name: string; env: Record<string, string>; says: string }[] = [
	{ name: 'no JWT_SECRET in production', env: { JWT_SECRET: '' }, says: 'JWT_SECRET is required in production (NODE_ENV=production)' },
	{ name: 'a switch that is neither 0 nor 1', env: { BAZAAR_SEED: 'yes' }, says: 'Invalid environment:\n  BAZAAR_SEED: must be 0 or 1' },
	{ name: 'a port that is no number', env: { BAZAAR_DB_PORT: 'five' }, says: 'BAZAAR_DB_PORT: must be a port number' }
];

for (const { name, env, says } of cases) {
	test(`${name}: the server stops with one sentence and no stack trace`, async () => {
		// No database is reached: the settings are read first.
		const app = await startBuiltServer('startup-error', { DATABASE_URL: 'postgresql://127.0.0.1:9/none', ...env });
		try {
			expect(await app.exited).toEqual({ code: 1, signal: null });
			const output = app.output();
			expect(output).toContain(says);
			expect(output).not.toMatch(/^\s+at /m);
			expect(output).not.toMatch(/Invalid option|expected one of|Listening on/);
		} finally {
			await app.dispose();
		}
	});
}
