/**
 * Finds links and email addresses as written (linkify-it), leaving out "word.tld" slips that only look like domains.
 * Both halves read it: contact masking hides exactly what the message bubble would make clickable.
 */

import { LinkifyIt } from 'linkify-it';

const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true });

export interface FoundLink {
	/** UTF-16 offsets into the text, end exclusive. */
	start: number;
	end: number;
	kind: 'link' | 'email';
	/** The scheme as linkify read it, lower-cased: '' for "example.com", 'mailto:' for every address, else "https:", "ftp:", "//"… */
	schema: string;
}

// Two-letter country domains that are also everyday words: "thanks.is it free?" is a missing space, not a site.
const WORDLIKE_CC = new Set(['is', 'so', 'to', 'no', 'me', 'my', 'do', 'go', 'am', 'an', 'as', 'by', 'he', 'hi', 'if', 'of', 'ok', 'or', 'up', 'we', 'us']);

// Where a link or an address can be: a dot or "@" between characters, or "://".
const LINK_ANCHOR = /[.@][\p{L}\p{N}]|:\/\//gu;

/** Links never hold whitespace, so linkify reads only the words around a dot or "@", not the whole message. */
export function linksAndEmails(text: string): FoundLink[] {
	const spans: FoundLink[] = [];
	let chunkEnd = 0;
	for (const anchor of text.matchAll(LINK_ANCHOR)) {
		if (anchor.index < chunkEnd) continue;
		let start = anchor.index;
		while (start > 0 && !/\s/.test(text[start - 1])) start--;
		chunkEnd = anchor.index;
		while (chunkEnd < text.length && !/\s/.test(text[chunkEnd])) chunkEnd++;
		for (const match of linkify.match(text.slice(start, chunkEnd)) ?? []) {
			if (match.schema === '' && !isPlausibleBareDomain(match.raw)) continue;
			const schema = match.schema.toLowerCase();
			const kind = schema === 'mailto:' ? 'email' : 'link';
			spans.push({ start: start + match.index, end: start + match.lastIndex, kind, schema });
		}
	}
	return spans;
}

/** A schemaless link with a path or "www." is a link; a bare "word.tld" needs to look like a domain, not a typo. */
function isPlausibleBareDomain(raw: string): boolean {
	if (/^www\./i.test(raw) || raw.includes('/')) return true;
	const labels = raw.split('.');
	const tld = labels[labels.length - 1];
	if (tld !== tld.toLowerCase() && tld !== tld.toUpperCase()) return false; // "end.No", "S23.Is"
	if (/^\d+$/.test(labels[0])) return false; // "5.it"
	return !(labels.length === 2 && WORDLIKE_CC.has(tld.toLowerCase()));
}
