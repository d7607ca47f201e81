import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/lib/server/db/embedded-cluster';

export interface BuiltServer {
	url: string;
	/** Everything it printed so far. */
	output(): string;
	/** How it ended. */
	exited: Promise<{ code: number | null; signal: string | null }>;
	signal(name: NodeJS.Signals): void;
	/** Kills it if still running, and deletes its data folder. */
	dispose(): Promise<void>;
}

/**
 * `node build` as deployed (or `entry` in its place, such as `npm start`'s script), on a free port of
 * 127.0.0.1, with a data folder of its own; `env` says where its database is.
 */
export async function startBuiltServer(name: string, env: Record<string, string>, entry = 'build'): Promise<BuiltServer> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
	const app = spawn(process.execPath, [entry], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			JWT_SECRET: randomBytes(48).toString('base64url'),
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: url,
			PUBLIC_SUPABASE_URL: '',
			BAZAAR_DATA_DIR: dataDir,
			BAZAAR_ATTACHMENTS_DIR: join(dataDir, 'attachments'),
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	app.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	app.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<{ code: number | null; signal: string | null }>((done) => app.once('exit', (code, signal) => done({ code, signal })));
	return {
		url,
		output: () => output,
		exited,
		signal: (signal) => void app.kill(signal),
		async dispose() {
			app.kill('SIGKILL');
			await exited;
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
