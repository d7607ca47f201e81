import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DigestMailer, OutgoingMail } from './mail.js';
import { MailNotSent } from './mail.js';

type Nodemailer = typeof import('nodemailer');
// Loaded on first use: the app server imports this module's neighbours but sends no mail itself.
let nodemailer: Promise<Nodemailer> | undefined;
const loadNodemailer = () => (nodemailer ??= import('nodemailer'));

const message = (mail: OutgoingMail) => ({
	from: mail.from,
	to: mail.to,
	subject: mail.subject,
	text: mail.text,
	html: mail.html,
	messageId: mail.messageId,
	headers: mail.headers
});

/** Failures that happen before any of the message can have reached the server. */
const BEFORE_SENDING = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ETLS', 'EREQUIRETLS', 'EDNS', 'ESTREAM', 'EPROTOCOL', 'EMAXLIMIT']);
const CANNOT_CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface SmtpFailure {
	code?: string;
	originalCode?: string;
	responseCode?: number;
	timeoutType?: string;
	permanent?: boolean;
}

/**
 * Whether nodemailer's error proves the server did not take the message: it answered with a
 * failure code, or the failure came before anything was sent (no connection, refused login,
 * bad envelope). A connection that dropped or timed out mid-conversation proves nothing, since
 * the server may have taken the message just before; that is left for the caller to treat as
 * "maybe sent".
 */
export function refusedForCertain(error: unknown): MailNotSent | null {
	const failure = (error ?? {}) as SmtpFailure;
	const text = error instanceof Error ? error.message : String(error);
	if (typeof failure.responseCode === 'number' && failure.responseCode >= 400) {
		return new MailNotSent(text, failure.responseCode >= 500, { cause: error });
	}
	if (failure.code && BEFORE_SENDING.has(failure.code)) return new MailNotSent(text, false, { cause: error });
	if (failure.originalCode && CANNOT_CONNECT.has(failure.originalCode)) return new MailNotSent(text, false, { cause: error });
	if (failure.code === 'ETIMEDOUT' && (failure.timeoutType === 'CONNECT_TIMEOUT' || failure.timeoutType === 'GREETING_TIMEOUT' || failure.timeoutType === 'UPGRADE_TIMEOUT')) {
		return new MailNotSent(text, false, { cause: error });
	}
	return null;
}

/** Mail over SMTP: `smtp://user:pass@host:port` (or smtps://). */
export function smtpMailer(url: string): DigestMailer {
	const where = new URL(url);
	let transport: Promise<import('nodemailer').Transporter> | undefined;
	const open = () => (transport ??= loadNodemailer().then(({ createTransport }) => createTransport(url)));
	return {
		description: `SMTP ${where.hostname}:${where.port || (where.protocol === 'smtps:' ? 465 : 587)}`,
		async send(mail) {
			const transporter = await open();
			try {
				await transporter.sendMail(message(mail));
			} catch (error) {
				throw refusedForCertain(error) ?? error;
			}
		},
		close() {
			void transport?.then((t) => t.close());
		}
	};
}

/**
 * Development mail: each message written as an .eml file into `dir` (what an SMTP server
 * would have received), named so that the newest sorts last. Written to a temporary name and
 * renamed, so a reader never sees half a file.
 */
export function fileMailer(dir: string): DigestMailer {
	let transport: Promise<import('nodemailer').Transporter> | undefined;
	const open = () => (transport ??= loadNodemailer().then(({ createTransport }) => createTransport({ streamTransport: true, buffer: true })));
	return {
		description: `files in ${dir}`,
		async send(mail) {
			const transporter = await open();
			const info = await transporter.sendMail(message(mail)).catch((error: unknown) => {
				throw new MailNotSent(`could not compose the mail: ${(error as Error).message}`, true, { cause: error });
			});
			const raw = (info as { message: Buffer }).message;
			const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
			const partial = join(dir, `.${name}.partial`);
			try {
				await mkdir(dir, { recursive: true });
				await writeFile(partial, raw, { mode: 0o600 });
				await rename(partial, join(dir, name));
			} catch (error) {
				await rm(partial, { force: true });
				throw new MailNotSent(`could not write ${name}: ${(error as Error).message}`, false, { cause: error });
			}
		},
		close() {}
	};
}
