import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where tests/host-app/build.sh installs the packed package and builds the host app, one folder
 * per app port: outside the repository, so its node_modules (devDependencies included) is out of
 * the package's reach.
 */
export function hostAppDir(port: number | string): string {
	return join(tmpdir(), `bazaar-host-app-${port}`);
}
