import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	chownSync,
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	realpathSync,
	renameSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config.ts';
import { clearStalePostmaster, keepRunning } from './postmaster.ts';
import { postgresBinaries, type PostgresBinaries } from './postgres-binaries.ts';
import { canAccess, serverIdentity, stagingRoot, type ServerIdentity } from './postgres-user.ts';

export interface ClusterOptions {
	/** Folder of the cluster; created and initialised when missing. Ignored when `ephemeral`. */
	dataDir?: string;
	/** 0 picks a free port. */
	port?: number;
	/** A throwaway cluster in a temporary folder, deleted when stopped; durability traded for speed. */
	ephemeral?: boolean;
	log?: (line: string) => void;
}

export interface RunningCluster {
	url: string;
	port: number;
	dataDir: string;
	logFile: string;
	/** Fast shutdown; resolves once the postmaster has exited. */
	stop(): Promise<void>;
}

const PASSWORD = 'postgres';

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
	const log = options.log ?? (() => {});
	const identity = serverIdentity();
	const binaries = postgresBinaries(identity);
	const dataDir = options.ephemeral
		? mkdtempSync(join(tmpdir(), 'bazaar-pg-'))
		: reachableDataDir(resolve(options.dataDir ?? '.data/postgres'), identity, log);
	const logFile = options.ephemeral ? `${dataDir}.log` : join(dirname(resolve(options.dataDir ?? '.data/postgres')), 'postgres.log');

	if (!existsSync(join(dataDir, 'PG_VERSION'))) initialise(binaries, dataDir, identity, log);
	await clearStalePostmaster(dataDir, log);

	const port = options.port || (await freePort());
	if (await isListening(port)) {
		throw new ConfigError(
			`Port ${port} on 127.0.0.1 is already in use by another program. Stop it, or choose another port with BAZAAR_DB_PORT.`
		);
	}

	const durability = options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
	const launch = () => {
		const logFd = openSync(logFile, 'a');
		const child = spawn(
			binaries.postgres,
			['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...durability],
			// A file, not a pipe: PostgreSQL keeps logging after we exit without hitting a closed pipe.
			{ ...identity, stdio: ['ignore', logFd, logFd] }
		);
		closeSync(logFd);
		return child;
	};
	const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
	const postmaster = await keepRunning(launch, { url, logFile, log });

	const killOnExit = () => {
		postmaster.child.kill(options.ephemeral ? 'SIGQUIT' : 'SIGINT');
		if (options.ephemeral) removeEphemeral(dataDir, logFile);
	};
	process.once('exit', killOnExit);

	let stopping: Promise<void> | undefined;
	return {
		url,
		port,
		dataDir,
		logFile,
		stop() {
			stopping ??= (async () => {
				process.off('exit', killOnExit);
				await postmaster.stop();
				if (options.ephemeral) removeEphemeral(dataDir, logFile);
			})();
			return stopping;
		}
	};
}

function removeEphemeral(dataDir: string, logFile: string) {
	rmSync(dataDir, { recursive: true, force: true });
	rmSync(logFile, { force: true });
}

/**
 * As root the server runs as `postgres`, which must reach its data folder. A checkout
 * under a 0700 folder is out of its reach, so the cluster then lives under /var/tmp,
 * in a folder named after the checkout so every run finds the same data.
 */
function reachableDataDir(wanted: string, identity: ServerIdentity, log: (line: string) => void): string {
	// No LOCATION: the folder is new, or was deleted to start from an empty database.
	const fresh = !existsSync(join(wanted, 'LOCATION'));
	mkdirSync(dirname(wanted), { recursive: true });
	mkdirSync(wanted, { recursive: true, mode: 0o700 });
	if (identity.uid === undefined) return wanted;
	chownSync(wanted, identity.uid, identity.gid!);
	if (canAccess(identity, wanted, '-w') && canAccess(identity, wanted, '-x')) return wanted;

	const id = createHash('sha256').update(realpathSync(wanted)).digest('hex').slice(0, 16);
	const staged = join(stagingRoot(), `data-${id}`);
	if (fresh && existsSync(join(staged, 'PG_VERSION')) && !existsSync(join(staged, 'postmaster.pid'))) {
		log(`${wanted} was deleted: starting afresh without the cluster kept for it in ${staged}`);
		rmSync(staged, { recursive: true, force: true });
	}
	mkdirSync(staged, { recursive: true, mode: 0o700 });
	chownSync(staged, identity.uid, identity.gid!);
	writeFileSync(join(wanted, 'LOCATION'), `${staged}\n`);
	log(`The postgres user cannot enter ${wanted}; the cluster lives in ${staged}`);
	return staged;
}

function initialise(binaries: PostgresBinaries, dataDir: string, identity: ServerIdentity, log: (line: string) => void) {
	log(`Creating a PostgreSQL cluster in ${dataDir}`);
	// initdb into a side folder and rename, so an interrupted init never leaves a half cluster behind.
	const partial = `${dataDir}.init`;
	rmSync(partial, { recursive: true, force: true });
	mkdirSync(partial, { mode: 0o700 });
	const pwfile = `${partial}.pw`;
	writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
	if (identity.uid !== undefined) {
		chownSync(partial, identity.uid, identity.gid!);
		chownSync(pwfile, identity.uid, identity.gid!);
	}
	const result = spawnSync(
		binaries.initdb,
		[
			`--pgdata=${partial}`,
			'--username=postgres',
			`--pwfile=${pwfile}`,
			'--auth=scram-sha-256',
			'--encoding=UTF8',
			'--locale-provider=builtin',
			'--builtin-locale=C.UTF-8',
			'--no-instructions'
		],
		{ ...identity, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }
	);
	rmSync(pwfile, { force: true });
	if (result.status !== 0) {
		rmSync(partial, { recursive: true, force: true });
		throw new Error(`initdb failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
	}
	rmSync(dataDir, { recursive: true, force: true });
	renameSync(partial, dataDir);
}

function isListening(port: number): Promise<boolean> {
	return new Promise((done) => {
		const socket = connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			done(true);
		});
		socket.once('error', () => done(false));
	});
}

export function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => done(typeof address === 'object' && address ? address.port : 0));
		});
	});
}
