import { readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `bazaar-messaging/server` is imported by hosts' SvelteKit builds and by plain `node` (a digest
 * worker script), from the files svelte-package copies as written. So every module it reaches
 * must name its relative imports as Node resolves them (`./x.js`, `./folder/index.js`), load at
 * runtime only what the installed package has (its dependencies and peers, Node's builtins), and
 * nothing only SvelteKit's build provides (`$app/*`, `$env/*`, `.svelte` components).
 * tests/e2e/host-app.spec.ts checks the packed package itself; this names the file at fault.
 */
const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	dependencies: Record<string, string>;
	peerDependencies: Record<string, string>;
};
const installed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);

interface Import {
	specifier: string;
	/** Erased from the JavaScript: only the declaration files keep it. */
	typeOnly: boolean;
}

function importsOf(path: string): Import[] {
	const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
	const found: Import[] = [];
	const visit = (node: ts.Node) => {
		if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
			const typeOnly = ts.isImportDeclaration(node)
				? Boolean(node.importClause?.isTypeOnly) ||
					Boolean(
						node.importClause &&
							!node.importClause.name &&
							node.importClause.namedBindings &&
							ts.isNamedImports(node.importClause.namedBindings) &&
							node.importClause.namedBindings.elements.length > 0 &&
							node.importClause.namedBindings.elements.every((element) => element.isTypeOnly)
					)
				: node.isTypeOnly;
			found.push({ specifier: node.moduleSpecifier.text, typeOnly });
		} else if (
			ts.isCallExpression(node) &&
			node.expression.kind === ts.SyntaxKind.ImportKeyword &&
			node.arguments[0] &&
			ts.isStringLiteral(node.arguments[0])
		) {
			found.push({ specifier: node.arguments[0].text, typeOnly: false });
		} else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
			found.push({ specifier: node.argument.literal.text, typeOnly: true });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

/** The source file a package-relative specifier names, as TypeScript's bundler resolution finds it. */
function sourceOf(from: string, specifier: string): string | null {
	const base = specifier.startsWith('$lib/') ? join(ROOT, 'src/lib', specifier.slice(5)) : join(dirname(from), specifier);
	const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
	return candidates.find((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile()) ?? null;
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

interface Problem {
	file: string;
	specifier: string;
	problem: string;
}

/** Walks every module `src/lib/server/index.ts` reaches, type-only imports included, and lists what breaks outside Vite. */
function serverEntryProblems(): { reached: string[]; problems: Problem[] } {
	const entry = join(ROOT, 'src/lib/server/index.ts');
	const seen = new Set<string>([entry]);
	const queue = [entry];
	const problems: Problem[] = [];
	while (queue.length > 0) {
		const file = queue.shift()!;
		const name = relative(ROOT, file);
		for (const { specifier, typeOnly } of importsOf(file)) {
			const local = specifier.startsWith('.') || specifier.startsWith('$lib/');
			if (!local) {
				if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
				if (/^\$(app|env)\//.test(specifier)) {
					if (!typeOnly) problems.push({ file: name, specifier, problem: 'exists only in a SvelteKit build' });
				} else if (!installed.has(packageName(specifier)) && !typeOnly) {
					problems.push({ file: name, specifier, problem: 'is not among the dependencies or peerDependencies' });
				}
				continue;
			}
			if (specifier.endsWith('.svelte')) {
				if (!typeOnly) problems.push({ file: name, specifier, problem: 'is a component: plain Node cannot load it' });
				continue;
			}
			if (!specifier.endsWith('.js')) {
				problems.push({ file: name, specifier, problem: 'has no .js extension (or /index.js): Node resolves no other form' });
			}
			const target = sourceOf(file, specifier);
			if (!target) {
				problems.push({ file: name, specifier, problem: 'names no file' });
				continue;
			}
			if (!seen.has(target)) {
				seen.add(target);
				queue.push(target);
			}
		}
	}
	return { reached: [...seen].map((file) => relative(ROOT, file)), problems };
}

describe('what bazaar-messaging/server reaches', () => {
	it('imports relative modules by their .js names, and only the dependencies, peers and Node at runtime', () => {
		const { reached, problems } = serverEntryProblems();
		expect(reached.length).toBeGreaterThan(50);
		expect(problems.map(({ file, specifier, problem }) => `${file}: '${specifier}' ${problem}`)).toEqual([]);
	});
});
