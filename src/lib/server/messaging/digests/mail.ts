import type { DigestContent } from './content.js';
import { appUrl, renderDigest } from './render.js';

/** One email as the worker hands it to a mailer. */
export interface OutgoingMail {
	from: string;
	to: { name: string; address: string };
	subject: string;
	text: string;
	html: string;
	/** `<…@…>`: the same for every attempt at one digest, so a receiver can tell a copy. */
	messageId: string;
	headers: Record<string, string>;
}

/** Where digests go: an SMTP server, or files in development. */
export interface DigestMailer {
	/**
	 * Hands the mail over. Throws MailNotSent when it certainly was not taken; any other error
	 * means it may have been (the connection dropped after the message went out, say).
	 */
	send(mail: OutgoingMail): Promise<void>;
	close(): void;
	/** For the log: where mail goes. */
	readonly description: string;
}

/** The mail certainly was not taken: retry later, or give up when `permanent` (the server said no for good). */
export class MailNotSent extends Error {
	constructor(
		message: string,
		readonly permanent: boolean,
		options?: { cause?: unknown }
	) {
		super(message, options);
		this.name = 'MailNotSent';
	}
}

export interface DigestMailOptions {
	/** Where the app is served; links, the unsubscribe target and the Message-ID's host come from it. */
	publicUrl: string;
	/** Where the app mounts the messages page (default `/messages`). */
	messagesPath?: string;
	/** Where the app mounts the unsubscribe page, `loadUnsubscribePage` and `oneClickUnsubscribe` (default `/unsubscribe`). */
	unsubscribePath?: string;
	/** The From header, e.g. `Bazaar <no-reply@bazaar.example>`. */
	from: string;
	siteName?: string;
}

/** The signed link that switches a member's digests off; it works without a session. */
export function unsubscribeUrl(publicUrl: string, userId: string, token: string, unsubscribePath = '/unsubscribe'): string {
	const url = appUrl(publicUrl, unsubscribePath);
	url.searchParams.set('u', userId);
	url.searchParams.set('t', token);
	return url.toString();
}

/**
 * The email of a digest: rendered, addressed, with a Message-ID that stays the same for the
 * digest (`<digest-<id>@<host of publicUrl>>`) and the one-click unsubscribe headers of RFC 8058
 * (`List-Unsubscribe` with the signed https link, `List-Unsubscribe-Post`).
 */
export function digestMail(content: DigestContent, options: DigestMailOptions): OutgoingMail {
	const unsubscribe = unsubscribeUrl(options.publicUrl, content.user_id, content.unsubscribe_token, options.unsubscribePath);
	const rendered = renderDigest(content, {
		publicUrl: options.publicUrl,
		messagesPath: options.messagesPath,
		unsubscribeUrl: unsubscribe,
		siteName: options.siteName
	});
	return {
		from: options.from,
		to: { name: content.display_name.replace(/[\s\p{Cc}]+/gu, ' ').trim(), address: content.email },
		...rendered,
		messageId: `<digest-${content.id}@${new URL(options.publicUrl).hostname}>`,
		headers: {
			'List-Unsubscribe': `<${unsubscribe}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click'
		}
	};
}
