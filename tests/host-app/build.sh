#!/usr/bin/env bash
# Builds the host-app fixture the way a host gets the module: `npm pack` of this repository
# (run `npm run package` first: it makes dist/), installed into HOST_APP_DIR, a folder outside the
# repository with nothing above it holding a node_modules. Beside the package there are links to
# its dependencies and peers and to the host's own build tools, as `npm install` would hoist
# them; no devDependency and no unshipped file of this repository can be reached from it.
set -euo pipefail
fixture="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$fixture/../.." && pwd)"
app="${HOST_APP_DIR:?HOST_APP_DIR must name the folder to build the host app in}"
case "$app/" in "$repo/"*) echo "HOST_APP_DIR ($app) must be outside the repository" >&2; exit 1 ;; esac
test -f "$repo/dist/index.js" || { echo 'dist/ is missing: run npm run package first' >&2; exit 1; }
above="$(dirname "$app")"
while :; do
	test ! -e "$above/node_modules" || { echo "$above/node_modules would be visible to the package: pick another HOST_APP_DIR" >&2; exit 1; }
	test "$above" != / || break
	above="$(dirname "$above")"
done

rm -rf "$app"
mkdir -p "$app/node_modules"
tarball="$(cd "$repo" && npm pack --ignore-scripts --silent --pack-destination "$app")"
tar -xzf "$app/$tarball" -C "$app"
mv "$app/package" "$app/node_modules/bazaar-messaging"

# The package's dependencies and peers, then what the host itself builds and runs with.
node -e '
	const { dependencies = {}, peerDependencies = {} } = require(process.argv[1]);
	const host = ["@sveltejs/adapter-node", "@sveltejs/vite-plugin-svelte", "vite", "pg"];
	console.log([...new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies), ...host])].join("\n"));
' "$app/node_modules/bazaar-messaging/package.json" | while read -r dependency; do
	mkdir -p "$(dirname "$app/node_modules/$dependency")"
	ln -s "$repo/node_modules/$dependency" "$app/node_modules/$dependency"
done

cp -R "$fixture/src" "$fixture/package.json" "$fixture/svelte.config.js" "$fixture/vite.config.js" "$fixture/migrate.mjs" "$fixture/worker.mjs" "$app/"
cd "$app"
node node_modules/@sveltejs/kit/svelte-kit.js sync
node node_modules/vite/bin/vite.js build --logLevel warn
