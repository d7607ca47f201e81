import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readConfig } from '../src/lib/server/config.ts';
import { prepareDatabase } from '../src/lib/server/db/database.ts';

export interface AppServer {
	url: string;
	/** The app's throwaway database (migrated and seeded with the demo marketplace), for arranging data. */
	databaseUrl: string;
	/** The server process, for reading its memory and CPU. */
	pid: number;
	/** The database's postmaster, whose children are the backends, for reading their CPU. */
	databasePid: number;
	stop(): Promise<void>;
}

/**
 * The production build (`npm run build` first) exactly as `npm start` runs it (`node build`,
 * NODE_ENV=production, nothing preloaded), on 127.0.0.1, against a throwaway embedded PostgreSQL
 * this process starts, migrates and seeds. Not tests/e2e/serve.ts: it runs under tsx, whose
 * loader answers every dynamic import of the app's route modules through a worker thread, a
 * cost `node build` does not have.
 */
export async function startApp(options: { port: number; env?: Record<string, string>; log?: (line: string) => void; /** Another build's folder, to compare two. */ build?: string }): Promise<AppServer> {
	const build = options.build ?? 'build';
	if (!existsSync(resolve(build, 'index.js'))) throw new Error(`No build in ${build}: run \`npm run build\` first.`);
	const database = await prepareDatabase(readConfig({ ...process.env, DATABASE_URL: '', BAZAAR_DB_EPHEMERAL: '1', BAZAAR_SEED: '1' }), (line) =>
		options.log?.(`[db] ${line}`)
	);
	const cluster = database.cluster!;
	const databasePid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	const attachments = mkdtempSync(join(tmpdir(), 'bench-attachments-'));
	const child: ChildProcess = spawn(process.execPath, [build], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(options.port),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${options.port}`,
			DATABASE_URL: database.url,
			BAZAAR_SEED: '0',
			BAZAAR_ATTACHMENTS_DIR: attachments,
			BODY_SIZE_LIMIT: '11M',
			JWT_SECRET: randomBytes(48).toString('base64url'),
			PUBLIC_SUPABASE_URL: '',
			...options.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
	const cleanUp = async () => {
		await cluster.stop();
		rmSync(attachments, { recursive: true, force: true });
	};
	try {
		await new Promise<void>((ready, fail) => {
			const timer = setTimeout(() => fail(new Error('The app did not start within 60 s')), 60_000);
			child.stdout!.on('data', (chunk: Buffer) => {
				const text = chunk.toString();
				for (const line of text.split('\n').filter(Boolean)) options.log?.(`[app] ${line}`);
				if (text.includes('Listening on')) {
					clearTimeout(timer);
					ready();
				}
			});
			child.stderr!.on('data', (chunk: Buffer) => options.log?.(`[app] ${chunk.toString().trimEnd()}`));
			void exited.then((code) => {
				clearTimeout(timer);
				fail(new Error(`The app exited (${code}) before listening`));
			});
		});
	} catch (error) {
		child.kill('SIGKILL');
		await cleanUp();
		throw error;
	}
	return {
		url: `http://127.0.0.1:${options.port}`,
		databaseUrl: database.url,
		pid: child.pid!,
		databasePid,
		async stop() {
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
			await cleanUp();
		}
	};
}
