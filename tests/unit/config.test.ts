import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readConfig } from '../../src/lib/server/config.ts';
import { servedUrl } from '../../src/lib/server/db/dev-database-plugin.ts';
import { safeNext } from '../../src/lib/server/auth/guard.ts';

describe('environment', () => {
	it('defaults to the embedded PostgreSQL on port 54322 under .data', () => {
		const config = readConfig({});
		expect(config.mode).toBe('embedded');
		expect(config.dbPort).toBe(54322);
		expect(config.dataDir.endsWith('/.data')).toBe(true);
		expect(config.seed).toBe(true);
	});

	it('DATABASE_URL selects plain PostgreSQL; a Supabase URL wins over it', () => {
		expect(readConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/app' }).mode).toBe('postgres');
		const supabase = readConfig({
			DATABASE_URL: 'postgresql://u:p@db:5432/app',
			PUBLIC_SUPABASE_URL: 'https://abc.supabase.co',
			PUBLIC_SUPABASE_ANON_KEY: 'eyJhbGciOiJIUzI1NiJ9.anon-key'
		});
		expect(supabase.mode).toBe('supabase');
		expect(supabase.supabase).toEqual({ url: 'https://abc.supabase.co', anonKey: 'eyJhbGciOiJIUzI1NiJ9.anon-key' });
	});

	it('empty variables count as unset', () => {
		expect(readConfig({ DATABASE_URL: '', PUBLIC_SUPABASE_URL: '' }).mode).toBe('embedded');
	});

	it('bad values are refused with the variable named', () => {
		expect(() => readConfig({ DATABASE_URL: 'mysql://x' })).toThrow('DATABASE_URL: must start with postgresql://');
		expect(() => readConfig({ BAZAAR_DB_PORT: '70000' })).toThrow('BAZAAR_DB_PORT');
		expect(() => readConfig({ JWT_SECRET: 'short' })).toThrow('JWT_SECRET: must be at least 32 characters');
		expect(() => readConfig({ PUBLIC_SUPABASE_URL: 'https://abc.supabase.co' })).toThrow('PUBLIC_SUPABASE_ANON_KEY: required');
	});
});

describe('where links in mail point', () => {
	it('BAZAAR_PUBLIC_URL, else ORIGIN; neither set leaves it to where the app is served', () => {
		expect(readConfig({ BAZAAR_PUBLIC_URL: 'https://market.example/', ORIGIN: 'https://origin.example' }).publicUrl).toBe('https://market.example');
		expect(readConfig({ ORIGIN: 'https://origin.example' }).publicUrl).toBe('https://origin.example');
		expect(readConfig({}).publicUrl).toBeNull();
	});

	it('the dev server’s address is the one it listens on (npm run dev -- --port 5200), a wildcard read as localhost', async () => {
		const server = createServer();
		await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
		try {
			expect(servedUrl(server.address())).toBe(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		} finally {
			server.close();
		}
		expect(servedUrl({ address: '0.0.0.0', family: 'IPv4', port: 5200 })).toBe('http://localhost:5200');
		expect(servedUrl({ address: '::1', family: 'IPv6', port: 5200 })).toBe('http://[::1]:5200');
		expect(servedUrl('/tmp/app.sock')).toBeNull();
	});
});

describe('sign-in redirect target', () => {
	it('keeps same-site paths and refuses other origins', () => {
		expect(safeNext('/messages?conversation=x')).toBe('/messages?conversation=x');
		expect(safeNext(null)).toBe('/');
		expect(safeNext('https://evil.example')).toBe('/');
		expect(safeNext('//evil.example')).toBe('/');
		expect(safeNext('/\\evil.example')).toBe('/');
		// Browsers drop tabs and newlines from URLs: "/\t/evil.example" would become "//evil.example".
		expect(safeNext('/\t/evil.example')).toBe('/');
		expect(safeNext('/\n/evil.example')).toBe('/');
		expect(safeNext('/messages?conversation=x#message-1')).toBe('/messages?conversation=x#message-1');
	});
});

describe('the session secret', () => {
	it('is required in production; a data-folder secret is for development, a throwaway one for throwaway databases', async () => {
		const { mkdtempSync, rmSync } = await import('node:fs');
		const { tmpdir } = await import('node:os');
		const { join } = await import('node:path');
		const { sessionSecret } = await import('../../src/lib/server/auth/jwt-secret.ts');
		const dir = mkdtempSync(join(tmpdir(), 'secret-'));
		try {
			expect(() => sessionSecret(readConfig({ NODE_ENV: 'production', BAZAAR_DATA_DIR: dir }))).toThrow(/JWT_SECRET is required in production/);
			const given = 'g'.repeat(40);
			expect(sessionSecret(readConfig({ NODE_ENV: 'production', JWT_SECRET: given, BAZAAR_DATA_DIR: dir }))).toBe(given);
			expect(sessionSecret(readConfig({ NODE_ENV: 'production', BAZAAR_DB_EPHEMERAL: '1', BAZAAR_DATA_DIR: dir })).length).toBeGreaterThanOrEqual(32);
			const kept = sessionSecret(readConfig({ BAZAAR_DATA_DIR: dir }));
			expect(sessionSecret(readConfig({ BAZAAR_DATA_DIR: dir }))).toBe(kept);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
