import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';

/** The identity the PostgreSQL server runs as: `postgres` when we are root (it refuses root), else ourselves. */
export interface ServerIdentity {
	uid?: number;
	gid?: number;
}

const isRoot = () => userInfo().uid === 0;

export function serverIdentity(): ServerIdentity {
	if (!isRoot()) return {};
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	try {
		return { uid: id('-u'), gid: id('-g') };
	} catch {
		// A fresh container has no postgres user; PostgreSQL refuses to run as root, so make one.
		spawnSync('groupadd', ['--system', 'postgres']);
		const made = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
			encoding: 'utf8'
		});
		if (made.status !== 0) throw new Error(`Could not create the postgres user: ${made.stderr}`);
		return { uid: id('-u'), gid: id('-g') };
	}
}

/** True when the server identity can open `path` with `access` (`-r`, `-w`, `-x`). */
export function canAccess(identity: ServerIdentity, path: string, access: '-r' | '-w' | '-x'): boolean {
	if (identity.uid === undefined) return true;
	return spawnSync('test', [access, path], { uid: identity.uid, gid: identity.gid }).status === 0;
}

/**
 * A folder every user can traverse, for what the `postgres` user must reach when the
 * checkout is out of its reach (a 0700 parent): staged binaries and cluster data.
 */
export function stagingRoot(): string {
	const root = '/var/tmp/bazaar-messaging';
	mkdirSync(root, { recursive: true });
	chmodSync(root, 0o755);
	return root;
}
