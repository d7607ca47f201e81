import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config';

/**
 * JWT_SECRET when given; otherwise one generated once and kept in the data folder, so
 * sessions survive a restart of `npm run dev`. A throwaway database gets a throwaway secret.
 * In production there is no fallback: a secret in a data folder is one backup or copied
 * volume away from forged sessions, so the server refuses to start without JWT_SECRET.
 */
export function sessionSecret(config: Config): string {
	if (config.jwtSecret) return config.jwtSecret;
	if (config.ephemeral) return randomBytes(48).toString('base64url');
	if (config.production) {
		throw new ConfigError('JWT_SECRET is required in production (NODE_ENV=production): set it to 32 or more random characters, e.g. JWT_SECRET=$(openssl rand -base64 48).');
	}
	const file = join(config.dataDir, 'jwt-secret');
	if (!existsSync(file)) {
		mkdirSync(config.dataDir, { recursive: true });
		writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
	}
	return readFileSync(file, 'utf8').trim();
}
