import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface AppServer {
	url: string;
	/** The app's throwaway database (migrated and seeded with the demo marketplace), for arranging data. */
	databaseUrl: string;
	/** The server process, for reading its memory. */
	pid: number;
	stop(): Promise<void>;
}

/**
 * The production build (`npm run build` first) served as tests/e2e/serve.ts serves it: on a
 * throwaway embedded PostgreSQL, migrated and seeded, on 127.0.0.1.
 */
export async function startApp(options: { port: number; env?: Record<string, string>; log?: (line: string) => void }): Promise<AppServer> {
	if (!existsSync(resolve('build/index.js'))) throw new Error('No build: run `npm run build` first.');
	const urlFile = join(tmpdir(), `bench-db-${options.port}-${randomBytes(4).toString('hex')}.url`);
	const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'tests/e2e/serve.ts'], {
		env: {
			...process.env,
			PORT: String(options.port),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${options.port}`,
			BAZAAR_DB_EPHEMERAL: '1',
			E2E_DATABASE_URL_FILE: urlFile,
			DATABASE_URL: '',
			PUBLIC_SUPABASE_URL: '',
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
	await new Promise<void>((ready, fail) => {
		const timer = setTimeout(() => fail(new Error('The app did not start within 60 s')), 60_000);
		const onLine = (chunk: Buffer) => {
			const text = chunk.toString();
			for (const line of text.split('\n').filter(Boolean)) options.log?.(`[app] ${line}`);
			if (text.includes('Listening on')) {
				clearTimeout(timer);
				ready();
			}
		};
		child.stdout!.on('data', onLine);
		child.stderr!.on('data', (chunk: Buffer) => options.log?.(`[app] ${chunk.toString().trimEnd()}`));
		void exited.then((code) => {
			clearTimeout(timer);
			fail(new Error(`The app exited (${code}) before listening`));
		});
	});
	const databaseUrl = readFileSync(urlFile, 'utf8').trim();
	return {
		url: `http://127.0.0.1:${options.port}`,
		databaseUrl,
		pid: child.pid!,
		async stop() {
			// SIGTERM: the server stops its PostgreSQL and deletes the throwaway cluster.
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
			rmSync(urlFile, { force: true });
		}
	};
}
