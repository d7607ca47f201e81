import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A mail in the development mail folder, as its list shows it. */
export interface MailSummary {
	/** The file's name: what `selected` takes. */
	name: string;
	date: string | null;
	to: string;
	subject: string;
}

/** One mail opened: its text part, its HTML (shown sandboxed) and the headers that matter for digests. */
export interface MailView extends MailSummary {
	from: string;
	messageId: string | null;
	listUnsubscribe: string | null;
	listUnsubscribePost: string | null;
	text: string;
	html: string | null;
}

export interface Mailbox {
	dir: string;
	/** Newest first, at most `limit`. */
	mails: MailSummary[];
	selected: MailView | null;
}

const MAIL_FILE = /^[\w.-]+\.eml$/;

/**
 * The mail fileMailer wrote into `dir`, newest first, and the one named `selected` opened, for
 * the development page `/dev/mail`. Parsed with mailparser, a development dependency: this
 * lives beside the page rather than in the package, because a host's build resolves every
 * import the package makes, even one nothing calls, and a host has no mailparser.
 */
export async function readMailbox(options: { dir: string; selected?: string | null; limit?: number }): Promise<Mailbox> {
	const { dir, limit = 100 } = options;
	const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
		if (error.code === 'ENOENT') return [] as string[];
		throw error;
	});
	const newest = names.filter((name) => MAIL_FILE.test(name)).sort().reverse().slice(0, limit);
	const { simpleParser } = await import('mailparser');
	const parse = async (name: string) => simpleParser(await readFile(join(dir, name)));
	const summary = (name: string, mail: Awaited<ReturnType<typeof parse>>): MailSummary => ({
		name,
		date: mail.date?.toISOString() ?? null,
		to: [mail.to ?? []].flat().map((to) => to.text).join(', '),
		subject: mail.subject ?? '(no subject)'
	});

	const mails = await Promise.all(newest.map(async (name) => summary(name, await parse(name))));
	let selected: MailView | null = null;
	if (options.selected && newest.includes(options.selected)) {
		const mail = await parse(options.selected);
		// As the mail carries them, unfolded: mailparser reads List-* headers into an object of its own.
		const header = (key: string) =>
			mail.headerLines
				.find((line) => line.key === key)
				?.line.replace(/\r?\n(?=[ \t])/g, '')
				.replace(/^[^:]+:\s*/, '') ?? null;
		selected = {
			...summary(options.selected, mail),
			from: mail.from?.text ?? '',
			messageId: mail.messageId ?? null,
			listUnsubscribe: header('list-unsubscribe'),
			listUnsubscribePost: header('list-unsubscribe-post'),
			text: mail.text ?? '',
			html: typeof mail.html === 'string' ? mail.html : null
		};
	}
	return { dir, mails, selected };
}
