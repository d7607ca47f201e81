import { tryParseConversationKey } from '$lib/messaging/conversation-key.js';
import { systemText } from '$lib/messaging/offers/system-text.js';
import type { DigestContent, DigestConversation, DigestMessage } from './content.js';

/** A digest as text and HTML, with its subject. */
export interface RenderedDigest {
	subject: string;
	text: string;
	html: string;
}

export interface RenderOptions {
	/** Where the app is served, e.g. https://bazaar.example; links are built on it. */
	publicUrl: string;
	/** Where the app mounts the messages page (default `/messages`), as its MessagingClient's `basePath`. */
	messagesPath?: string;
	/** The signed link that switches digests off (the List-Unsubscribe target too). */
	unsubscribeUrl: string;
	/** The marketplace's name, as the email says it. */
	siteName?: string;
}

/** The newest messages a conversation shows; the rest are counted. */
export const MESSAGES_SHOWN = 5;
/** Longer bodies are cut here: the email points to the conversation, it does not replace it. */
const BODY_SHOWN = 600;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** One line, no control characters: names and titles end up in a header. */
const oneLine = (value: string) => value.replace(/[\s\p{Cc}]+/gu, ' ').trim();

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * A page of the app: `path` under `publicUrl`, keeping a path `publicUrl` has (an app served at
 * https://shop.example/app links to https://shop.example/app/messages).
 */
export function appUrl(publicUrl: string, path: string): URL {
	return new URL(`${publicUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}

/** Where the demo, and a host that keeps the default, mounts the messages page. */
const MESSAGES_PATH = '/messages';

/**
 * `${publicUrl}${messagesPath}?conversation=<key>`: the messages page opens that conversation.
 * With `forUser` (a digest's reader), `&for=<id>`: a key names the other member, so the same link
 * followed while signed in as someone else would open a conversation of theirs with that member,
 * ready to write in; the page says the link is another account's instead.
 */
export function conversationUrl(publicUrl: string, key: string, messagesPath = MESSAGES_PATH, forUser?: string): string {
	const url = appUrl(publicUrl, messagesPath);
	url.searchParams.set('conversation', key);
	if (forUser) url.searchParams.set('for', forUser);
	return url.toString();
}

function names(conversations: DigestConversation[]): string {
	const all = [...new Set(conversations.map((c) => oneLine(c.other_name)))];
	if (all.length === 1) return all[0];
	if (all.length === 2) return `${all[0]} and ${all[1]}`;
	return `${all[0]}, ${all[1]} and ${plural(all.length - 2, 'other')}`;
}

/**
 * What a message says to the digest's reader: an update about the deal in the words the app gives
 * that reader ("Sam accepted your offer of €141.00"; the stored sentence names everyone in the
 * third person, for previews and search), anything else as stored. Each is the other member's.
 */
function wordsFor(reader: string, c: DigestConversation, m: DigestMessage): string {
	if (m.kind !== 'system') return m.body;
	const other = { id: tryParseConversationKey(c.key)?.otherUserId ?? '', display_name: c.other_name };
	return systemText({ body: m.body, payload: m.payload ?? null }, { me: reader, other });
}

/** The newest offer card or update about a deal in the digest, with its conversation. */
function newestDealNews(content: DigestContent): { c: DigestConversation; m: DigestMessage } | null {
	let newest: { c: DigestConversation; m: DigestMessage } | null = null;
	for (const c of content.conversations) {
		for (const m of c.messages) {
			if (m.kind !== 'text' && (!newest || Date.parse(m.created_at) >= Date.parse(newest.m.created_at))) newest = { c, m };
		}
	}
	return newest;
}

/**
 * A move in a deal is what the reader most needs to know: named first, with its listing (an update
 * such as "Reserved for another buyer" does not say which), the other messages only counted.
 */
function dealSubject(reader: string, news: { c: DigestConversation; m: DigestMessage }, count: number): string {
	const listing = news.c.product_title ? ` · ${oneLine(news.c.product_title)}` : '';
	const more = count > 1 ? ` (and ${plural(count - 1, 'more new message')})` : '';
	return `${oneLine(wordsFor(reader, news.c, news.m))}${listing}${more}`;
}

// Counted as "new", not "unread": a digest holds what arrived since the last one was mailed,
// and the inbox's unread count, which also counts what was mailed before, said another number.
function subjectOf(content: DigestContent): string {
	const count = content.conversations.reduce((sum, c) => sum + c.messages.length, 0);
	const [first] = content.conversations;
	const about = content.conversations.length === 1 && first.product_title ? ` about ${oneLine(first.product_title)}` : '';
	const news = newestDealNews(content);
	const subject = news
		? dealSubject(content.user_id, news, count)
		: count === 1
			? `${oneLine(first.other_name)} sent you a message${about}`
			: `${count} new messages from ${names(content.conversations)}${about}`;
	return subject.length > 150 ? `${subject.slice(0, 149)}…` : subject;
}

/** What a message says, clipped; a photo-only message says how many photos. */
function said(message: DigestMessage): string {
	const body = message.body.length > BODY_SHOWN ? `${message.body.slice(0, BODY_SHOWN - 1).trimEnd()}…` : message.body;
	const photos = message.photo_count ? plural(message.photo_count, 'photo') : '';
	if (!body) return photos ? `sent ${photos}` : '(no text)';
	return photos ? `${body} (+${photos})` : body;
}

/**
 * A message's line, text then HTML: a text is said by someone ("Ben: Is it available?"); an offer
 * card or a system message is already a sentence naming who did it ("Ben offered €35.00"), so a
 * "Ben:" before it would say the name twice.
 */
function line(reader: string, c: DigestConversation, m: DigestMessage): { who: string | null; what: string } {
	return { who: m.kind === 'text' ? oneLine(m.sender_name) : null, what: said({ ...m, body: wordsFor(reader, c, m) }) };
}

const heading = (c: DigestConversation) => (c.product_title ? `${oneLine(c.other_name)} about “${oneLine(c.product_title)}”` : oneLine(c.other_name));

function shown(c: DigestConversation) {
	return { messages: c.messages.slice(-MESSAGES_SHOWN), earlier: Math.max(0, c.messages.length - MESSAGES_SHOWN) };
}

function textOf(content: DigestContent, options: Required<RenderOptions>, total: number): string {
	const lines = [`Hi ${oneLine(content.display_name)},`, '', `You have ${plural(total, 'new message')} on ${options.siteName}.`, ''];
	for (const c of content.conversations) {
		const { messages, earlier } = shown(c);
		lines.push(`${heading(c)} (${plural(c.messages.length, 'new message')})`);
		if (earlier) lines.push(`  …and ${plural(earlier, 'earlier message')}`);
		for (const { who, what } of messages.map((m) => line(content.user_id, c, m))) lines.push(`  ${who ? `${who}: ` : ''}${what.replace(/\n/g, '\n    ')}`);
		lines.push(`  Open the conversation: ${conversationUrl(options.publicUrl, c.key, options.messagesPath, content.user_id)}`, '');
	}
	lines.push(
		`You get this email because messages arrived while you were away from ${options.siteName}.`,
		`Stop these emails: ${options.unsubscribeUrl}`,
		''
	);
	return lines.join('\n');
}

const TEXT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328;line-height:1.5';

function htmlOf(content: DigestContent, options: Required<RenderOptions>, total: number, subject: string): string {
	const sections = content.conversations.map((c) => {
		const { messages, earlier } = shown(c);
		const rows = messages
			.map((m) => line(content.user_id, c, m))
			.map(
				({ who, what }) =>
					`<p style="margin:4px 0">${who ? `<strong>${escapeHtml(who)}:</strong> ` : ''}${escapeHtml(what).replace(/\n/g, '<br>')}</p>`
			);
		return [
			'<div style="border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;margin:12px 0">',
			`<p style="margin:0 0 8px;font-weight:600">${escapeHtml(heading(c))} <span style="color:#59636e;font-weight:400">(${plural(c.messages.length, 'new message')})</span></p>`,
			earlier ? `<p style="margin:4px 0;color:#59636e">…and ${plural(earlier, 'earlier message')}</p>` : '',
			...rows,
			`<p style="margin:8px 0 0"><a href="${escapeHtml(conversationUrl(options.publicUrl, c.key, options.messagesPath, content.user_id))}" style="color:#0969da">Open the conversation</a></p>`,
			'</div>'
		].join('');
	});
	return [
		`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
		// A long word or link breaks inside the card rather than widening the whole email (word-break
		// for the mail clients that ignore overflow-wrap).
		`<body style="${TEXT};margin:0;padding:16px"><div style="max-width:560px;margin:0 auto;overflow-wrap:anywhere;word-break:break-word">`,
		`<p>Hi ${escapeHtml(oneLine(content.display_name))},</p>`,
		`<p>You have ${plural(total, 'new message')} on ${escapeHtml(options.siteName)}.</p>`,
		...sections,
		`<p style="font-size:12px;color:#59636e">You get this email because messages arrived while you were away from ${escapeHtml(options.siteName)}. `,
		`<a href="${escapeHtml(options.unsubscribeUrl)}" style="color:#59636e">Unsubscribe from these emails</a>.</p>`,
		'</div></body></html>'
	].join('\n');
}

/**
 * A digest's email: who wrote, about which listing, the unread messages (the newest few of each
 * conversation) and a link into each conversation, as plain text and as HTML. Every value that
 * came from a member is escaped in the HTML and made one line where it could reach a header.
 */
export function renderDigest(content: DigestContent, options: RenderOptions): RenderedDigest {
	const full: Required<RenderOptions> = { ...options, messagesPath: options.messagesPath ?? MESSAGES_PATH, siteName: options.siteName ?? 'Bazaar' };
	const total = content.conversations.reduce((sum, c) => sum + c.messages.length, 0);
	const subject = subjectOf(content);
	return { subject, text: textOf(content, full, total), html: htmlOf(content, full, total, subject) };
}
