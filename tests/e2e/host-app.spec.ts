import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures';
import { databaseUrlFile, withDatabase } from './database';
import { hostAppDir } from './host-app';
import { DEMO, hydrated } from './session';

// tests/host-app is a marketplace of its own that uses the messaging module only through the
// package's exports, mounted at /chat with its own sign-in. tests/host-app/build.sh installs
// `npm pack` of the package outside the repository and builds it there; it runs on its own
// throwaway database, which its deploy step migrates (playwright.config.ts starts it).
const HOST_PORT = Number(process.env.E2E_PORT ?? 4173) + 1;
const HOST = `http://127.0.0.1:${HOST_PORT}`;
const APP = hostAppDir(HOST_PORT);
const PACKAGE = join(APP, 'node_modules', 'bazaar-messaging');
const LAMP = 'a0000000-0000-4000-8000-000000000005';
// Plain Node, without the tsx loader, as a host's scripts run.
const plainNode = (extra: Record<string, string>) => ({ ...process.env, NODE_OPTIONS: '', DATABASE_URL: databaseUrl(), ...extra });
const databaseUrl = () => readFileSync(databaseUrlFile(HOST_PORT), 'utf8').trim();

/** Where Node would find `name` from `from`, looking in every node_modules above it. */
function reachable(from: string, name: string): string | null {
	for (let dir = from; ; dir = dirname(dir)) {
		if (existsSync(join(dir, 'node_modules', name))) return join(dir, 'node_modules', name);
		if (dir === dirname(dir)) return null;
	}
}

test('the packed package is installed as a host has it: no devDependency within reach, and its prepare script does nothing', async () => {
	const { devDependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as { devDependencies: Record<string, string> };
	const hostTools = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
	// The host builds with Kit, Svelte and Vite of its own; nothing else we develop with may be there.
	const leaked = Object.keys(devDependencies).filter((name) => !(name in hostTools.devDependencies) && reachable(PACKAGE, name));
	expect(leaked).toEqual([]);
	expect(existsSync(join(PACKAGE, 'src'))).toBe(false);
	await promisify(execFile)('npm', ['run', '--silent', 'prepare'], { cwd: PACKAGE, env: plainNode({}) });
});

test('the packed runner, from plain Node, migrated the host database with every file it ships, and running it again applies nothing', async () => {
	const shipped = readdirSync(join(PACKAGE, 'supabase', 'migrations')).map((file) => file.replace(/\.sql$/, '')).sort();
	const recorded = await withDatabase(HOST, async (db) =>
		(await db.query<{ file: string }>(`select version || '_' || name as file from supabase_migrations.schema_migrations order by version`)).rows
	);
	expect(recorded.map((row) => row.file)).toEqual(shipped);
	const { stdout } = await promisify(execFile)(process.execPath, ['migrate.mjs'], { cwd: APP, env: plainNode({}) });
	expect(JSON.parse(stdout)).toEqual([]);
});

test('a host’s digest worker script starts from plain Node, runs the housekeeping and stops on SIGTERM', async () => {
	const scratch = mkdtempSync(join(tmpdir(), 'host-worker-'));
	const env = plainNode({ MAIL_DIR: join(scratch, 'mail'), ATTACHMENTS_DIR: join(scratch, 'attachments'), PUBLIC_URL: HOST, HOUSEKEEPING_NOW: '1' });
	const worker = spawn(process.execPath, ['worker.mjs'], { cwd: APP, env, stdio: ['ignore', 'pipe', 'pipe'] });
	try {
		let output = '';
		const exited = new Promise<number | null>((done) => worker.once('exit', done));
		worker.stdout.on('data', (chunk) => (output += chunk));
		worker.stderr.on('data', (chunk) => (output += chunk));
		await expect.poll(() => output, { timeout: 20_000 }).toMatch(/housekeeping: \d+ expired messages, \d+ old events, \d+ unsent photos, \d+ photo files/);
		worker.kill('SIGTERM');
		expect(await exited, output).toBe(0);
	} finally {
		worker.kill('SIGKILL');
		rmSync(scratch, { recursive: true, force: true });
	}
});

test('a host app using only the package exports renders the inbox and sends a message on PostgreSQL', async ({ browser }) => {
	const buyerContext = await browser.newContext({ baseURL: HOST });
	const buyer = await buyerContext.newPage();
	await buyer.goto(`/sign-in?as=${DEMO.ben.id}&next=${encodeURIComponent(`/chat?conversation=${DEMO.lee.id}__${LAMP}`)}`);
	await hydrated(buyer);
	await expect(buyer.getByRole('heading', { level: 1, name: 'Messages' })).toBeVisible();
	await expect(buyer.getByRole('heading', { level: 2, name: 'Lee Seller' })).toBeVisible();
	// The module's links follow the host's options, not the demo's paths.
	await expect(buyer.locator('.thread-header').getByRole('link', { name: /Oak desk lamp/ })).toHaveAttribute('href', `/listing/${LAMP}`);

	const text = `Is the lamp still for sale? ${Date.now()}`;
	await buyer.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
	await buyer.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
	await expect(buyer.getByRole('list', { name: 'Messages' }).locator('li[data-status="sent"]', { hasText: text })).toHaveCount(1);
	await expect(buyer.getByRole('list', { name: 'Conversations' }).getByText(`You: ${text}`)).toBeVisible();

	const stored = await withDatabase(HOST, async (db) => (await db.query('select sender_id from public.messages where body = $1', [text])).rows);
	expect(stored).toEqual([{ sender_id: DEMO.ben.id }]);

	// The seller's inbox on the host shows it unread, and opening it shows the message.
	const sellerContext = await browser.newContext({ baseURL: HOST });
	const seller = await sellerContext.newPage();
	await seller.goto(`/sign-in?as=${DEMO.lee.id}`);
	await hydrated(seller);
	const preview = seller.locator(`a.preview[data-conversation-key="${DEMO.ben.id}__${LAMP}"]`);
	await expect(preview).toContainText(text);
	await expect(preview).toContainText('1 unread');
	await preview.click();
	await expect(seller.getByRole('list', { name: 'Messages' }).getByText(text)).toBeVisible();
	// Opening it marks it read.
	await expect(preview).not.toContainText('unread');
	await buyerContext.close();
	await sellerContext.close();
});
