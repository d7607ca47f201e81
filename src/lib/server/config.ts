import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Which database the app talks to: a Supabase project, any PostgreSQL at DATABASE_URL,
 * or the embedded PostgreSQL kept under BAZAAR_DATA_DIR (the default).
 */
export type Mode = 'supabase' | 'postgres' | 'embedded';

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);

/**
 * A setting only the operator can fix. Said as a sentence, without a stack trace (a stack says
 * nothing about an environment variable), and the server does not start.
 */
export class ConfigError extends Error {
	override name = 'ConfigError';
}

/** Ends a server that must not start with the problem's sentence: the process exits 1. */
export function stopForConfig(error: ConfigError): never {
	console.error(`\n${error.message}\n`);
	process.exit(1);
}

/** A step of a server's start: a setting that is wrong (ConfigError) ends the process with its sentence. */
export async function stopOnConfigError<T>(step: () => T | Promise<T>): Promise<T> {
	try {
		return await step();
	} catch (error) {
		if (error instanceof ConfigError) stopForConfig(error);
		throw error;
	}
}

const ZERO_OR_ONE = { error: 'must be 0 or 1' };
const A_URL = { error: 'must be a URL, such as https://example.com' };
const A_PORT = { error: 'must be a port number (0 to 65535)' };

const Env = z.object({
	PUBLIC_SUPABASE_URL: z.preprocess(blankToUndefined, z.url(A_URL).optional()),
	PUBLIC_SUPABASE_ANON_KEY: z.preprocess(blankToUndefined, z.string().min(20, 'must be the project\'s anon key (Project Settings → API)').optional()),
	SUPABASE_SERVICE_ROLE_KEY: z.preprocess(blankToUndefined, z.string().min(20, 'must be the project\'s service_role key (Project Settings → API)').optional()),
	DATABASE_URL: z.preprocess(blankToUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgresql://').optional()),
	BAZAAR_DATA_DIR: z.preprocess(blankToUndefined, z.string().default('.data')),
	BAZAAR_ATTACHMENTS_DIR: z.preprocess(blankToUndefined, z.string().optional()),
	BAZAAR_DB_PORT: z.preprocess(blankToUndefined, z.coerce.number(A_PORT).int(A_PORT).min(0, A_PORT).max(65535, A_PORT).default(54322)),
	BAZAAR_DB_EPHEMERAL: z.preprocess(blankToUndefined, z.enum(['0', '1'], ZERO_OR_ONE).default('0')),
	BAZAAR_SEED: z.preprocess(blankToUndefined, z.enum(['0', '1'], ZERO_OR_ONE).default('1')),
	JWT_SECRET: z.preprocess(blankToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
	BAZAAR_CONTACT_MASKING: z.preprocess(blankToUndefined, z.enum(['on', 'off'], { error: 'must be on or off' }).optional()),
	BAZAAR_DIGEST_DELAY_SECONDS: z.preprocess(blankToUndefined, z.coerce.number({ error: 'must be whole seconds' }).int('must be whole seconds').min(0, 'must be 0 or more').max(7 * 86_400, 'must be at most 604800 (a week)').default(600)),
	BAZAAR_SMTP_URL: z.preprocess(blankToUndefined, z.string().regex(/^smtps?:\/\/[^/]/, 'must start with smtp:// or smtps://').optional()),
	BAZAAR_MAIL_FROM: z.preprocess(blankToUndefined, z.string().min(3, 'must be an address, such as Bazaar <no-reply@example.com>').default('Bazaar <no-reply@localhost>')),
	BAZAAR_PUBLIC_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, ...A_URL }).optional()),
	ORIGIN: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, ...A_URL }).optional()),
	NODE_ENV: z.preprocess(blankToUndefined, z.string().optional())
});

export interface Config {
	mode: Mode;
	supabase?: { url: string; anonKey: string };
	/** Supabase mode: lets the server delete stored photos (users may not). Never sent to browsers, so not in `supabase`. */
	supabaseServiceRoleKey?: string;
	databaseUrl?: string;
	dataDir: string;
	/** Plain-PostgreSQL modes: the folder photos are kept in; null for a throwaway one (ephemeral runs). */
	attachmentsDir: string | null;
	dbPort: number;
	ephemeral: boolean;
	seed: boolean;
	jwtSecret?: string;
	supabaseDir: string;
	/** Plain-PostgreSQL modes: the contact-masking setting to store at start; null leaves the stored one. */
	contactMasking: boolean | null;
	/** Email digests: how long a message stays unread before it is mailed. */
	digestDelaySeconds: number;
	/** Email digests go over this SMTP server; without it they are written as files into mailDir. */
	smtpUrl?: string;
	/** `<data directory>/mail`: digests as .eml files when no SMTP server is set, listed at /dev/mail. */
	mailDir: string;
	mailFrom: string;
	/**
	 * Where users reach the app (BAZAAR_PUBLIC_URL, else ORIGIN), for links in emails; null when
	 * neither is set, and then the worker uses where the dev server listens (startWorker).
	 */
	publicUrl: string | null;
	/** NODE_ENV=production (`npm start` sets it): session cookies are then signed only with JWT_SECRET. */
	production: boolean;
}

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
	const parsed = Env.safeParse(env);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
		throw new ConfigError(`Invalid environment:\n${problems}`);
	}
	const e = parsed.data;
	if (e.PUBLIC_SUPABASE_URL && !e.PUBLIC_SUPABASE_ANON_KEY) {
		throw new ConfigError('Invalid environment:\n  PUBLIC_SUPABASE_ANON_KEY: required when PUBLIC_SUPABASE_URL is set');
	}
	const mode: Mode = e.PUBLIC_SUPABASE_URL ? 'supabase' : e.DATABASE_URL ? 'postgres' : 'embedded';
	if (statSync(resolve(e.BAZAAR_DATA_DIR), { throwIfNoEntry: false })?.isDirectory() === false) {
		throw new ConfigError(`Invalid environment:\n  BAZAAR_DATA_DIR: ${resolve(e.BAZAAR_DATA_DIR)} is a file; name a folder (it is made if missing)`);
	}
	return {
		mode,
		supabase: e.PUBLIC_SUPABASE_URL ? { url: e.PUBLIC_SUPABASE_URL, anonKey: e.PUBLIC_SUPABASE_ANON_KEY! } : undefined,
		supabaseServiceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
		databaseUrl: e.DATABASE_URL,
		dataDir: resolve(e.BAZAAR_DATA_DIR),
		attachmentsDir: e.BAZAAR_ATTACHMENTS_DIR
			? resolve(e.BAZAAR_ATTACHMENTS_DIR)
			: e.BAZAAR_DB_EPHEMERAL === '1'
				? null
				: resolve(e.BAZAAR_DATA_DIR, 'attachments'),
		dbPort: e.BAZAAR_DB_PORT,
		ephemeral: e.BAZAAR_DB_EPHEMERAL === '1',
		seed: e.BAZAAR_SEED === '1',
		jwtSecret: e.JWT_SECRET,
		supabaseDir: resolve('supabase'),
		contactMasking: e.BAZAAR_CONTACT_MASKING === undefined ? null : e.BAZAAR_CONTACT_MASKING === 'on',
		digestDelaySeconds: e.BAZAAR_DIGEST_DELAY_SECONDS,
		smtpUrl: e.BAZAAR_SMTP_URL,
		mailDir: resolve(e.BAZAAR_DATA_DIR, 'mail'),
		mailFrom: e.BAZAAR_MAIL_FROM,
		publicUrl: (e.BAZAAR_PUBLIC_URL ?? e.ORIGIN)?.replace(/\/+$/, '') ?? null,
		production: e.NODE_ENV === 'production'
	};
}
