import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The shape issue 8 drew: the demo marketplace uses messaging only through the package's public
 * edge (`$lib` and `$lib/server`), route files stay glue, and no source file grows past 300 lines.
 */
const ROOT = join(import.meta.dirname, '../..');

function files(dir: string): string[] {
	return readdirSync(join(ROOT, dir)).flatMap((name) => {
		const path = join(dir, name);
		return statSync(join(ROOT, path)).isDirectory() ? files(path) : [path];
	});
}

const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const imports = (text: string) => [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);

// The demo around the module: its pages, hooks and server code for sign-in, catalogue and database.
const DEMO = [
	...files('src/routes'),
	'src/hooks.server.ts',
	'src/app.d.ts',
	...files('src/lib/server/auth'),
	...files('src/lib/server/catalogue'),
	...files('src/lib/server/db'),
	'src/lib/server/runtime.ts',
	'src/lib/server/config.ts'
].filter((path) => /\.(ts|js|svelte)$/.test(path));

describe('module boundary', () => {
	it.each(DEMO)('%s reaches messaging only through $lib or $lib/server', (path) => {
		const deep = imports(source(path)).filter(
			(specifier) => /^\$lib\/(server\/)?messaging(\/|$)/.test(specifier) || /(^|\/)messaging\//.test(specifier)
		);
		expect(deep).toEqual([]);
	});

	it('the module itself never imports the demo', () => {
		const module = [...files('src/lib/messaging'), ...files('src/lib/server/messaging'), 'src/lib/index.ts', 'src/lib/server/index.ts'];
		const demo = module.flatMap((path) =>
			imports(source(path))
				.filter((specifier) => /\/(auth|catalogue|db)\/|\/(runtime|config)$|\$lib\/components/.test(specifier))
				.map((specifier) => `${path}: ${specifier}`)
		);
		expect(demo).toEqual([]);
	});

	it('route files are glue: at most 40 lines each', () => {
		const long = files('src/routes')
			.filter((path) => /\/\+[^/]+$/.test(path))
			.map((path) => ({ path, lines: source(path).split('\n').length }))
			.filter(({ lines }) => lines > 40);
		expect(long).toEqual([]);
	});

	it('no source file under src is over 300 lines', () => {
		const long = files('src')
			.map((path) => ({ path: relative(ROOT, join(ROOT, path)), lines: source(path).split('\n').length }))
			.filter(({ lines }) => lines > 300);
		expect(long).toEqual([]);
	});
});
