/** Splits a message into its plain text and the links and email addresses in it, which the bubble makes clickable. */

import { linksAndEmails } from './links';

export interface MessageSegment {
	/** As written: the bubble shows it escaped, whatever it holds. */
	text: string;
	/** Where it opens, always http:, https: or mailto:; null for plain text. */
	href: string | null;
}

export function messageSegments(body: string): MessageSegment[] {
	const segments: MessageSegment[] = [];
	let at = 0;
	for (const found of linksAndEmails(body)) {
		const text = body.slice(found.start, found.end);
		const href = hrefFor(text, found.schema);
		if (href === null) continue;
		if (found.start > at) segments.push({ text: body.slice(at, found.start), href: null });
		segments.push({ text, href });
		at = found.end;
	}
	if (at < body.length) segments.push({ text: body.slice(at), href: null });
	return segments;
}

/**
 * Only the web and email open from a message, and every href starts with its scheme: linkify's "ftp://" and
 * "//host" stay text, and a scheme it does not know (javascript:, data:) is never matched at all.
 */
function hrefFor(text: string, schema: string): string | null {
	if (schema === 'http:' || schema === 'https:') return text;
	// "example.com" and "www.example.com": the secure scheme, as browsers now try first.
	if (schema === '') return `https://${text}`;
	if (schema === 'mailto:') return /^mailto:/i.test(text) ? text : `mailto:${text}`;
	return null;
}
