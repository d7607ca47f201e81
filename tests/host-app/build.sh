#!/usr/bin/env bash
# Builds the host-app fixture against the packaged module (run `npm run package` first: it makes
# dist/). The fixture's node_modules/bazaar-messaging links to this repository, so its imports
# resolve through package.json's `exports` exactly as an installed copy's would.
set -euo pipefail
cd "$(dirname "$0")"
test -f ../../dist/index.js || { echo 'dist/ is missing: run npm run package first' >&2; exit 1; }
mkdir -p node_modules
ln -sfn ../../.. node_modules/bazaar-messaging
npx svelte-kit sync
npx vite build --logLevel warn
