/** Finds the ways to reach someone off the marketplace (phones, emails, links, handles) in a message, so they can be hidden. */

import { linksAndEmails } from '$lib/messaging/links.js';
import { handles } from './handles.js';
import { numbers } from './phone-numbers.js';
import { obfuscatedDomains, obfuscatedEmails } from './written-emails.js';

export type ContactKind = 'phone' | 'email' | 'link';
/** UTF-16 offsets into the input, end exclusive. */
export interface ContactSpan {
	start: number;
	end: number;
	kind: ContactKind;
}

export const HIDDEN_CONTACT = '(contact details hidden)';

/** Every stretch of `text` that gives away a way to reach someone off the marketplace, sorted, non-overlapping (merged). */
export function findContactDetails(original: string): ContactSpan[] {
	if (!original) return [];
	const text = normalise(original);
	// Spans reach callers as merged here: where and what, not the scheme the bubble needs for its links.
	const links = linksAndEmails(text).map(({ start, end, kind }): ContactSpan => ({ start, end, kind }));
	const found = [...links, ...obfuscatedEmails(text), ...obfuscatedDomains(text), ...handles(text), ...numbers(text)];
	return merge(found);
}

/** The text with each span replaced by HIDDEN_CONTACT (adjacent/overlapping spans merged into one). `hidden` says whether anything changed. */
export function hideContactDetails(text: string): { text: string; hidden: boolean } {
	const spans = findContactDetails(text);
	if (!spans.length) return { text, hidden: false };
	let out = '';
	let at = 0;
	for (const { start, end } of spans) {
		out += text.slice(at, start) + HIDDEN_CONTACT;
		at = end;
	}
	return { text: out + text.slice(at), hidden: true };
}

// ─── Normalising ────────────────────────────────────────────────────────────

const UNUSUAL = /[^\0-\x7f]/;
// Other scripts' digits ("０７７", "०७७"), full-width "@" and ".", the marks that make "0️⃣" a keycap emoji, and
// invisible characters slipped between digits ("0612\u200b345678").
const LOOKALIKE_CHARACTERS = /(?![0-9])\p{Nd}|[＠﹫．\ufe0f\u20e3\u00ad\u200b-\u200d\u2060\ufeff]/gu;
const SAME_CHARACTER: Record<string, string> = { '＠': '@', '﹫': '@', '．': '.' };

/** The text with look-alike characters made plain, one UTF-16 unit for one, so every offset stays true. */
function normalise(text: string): string {
	if (!UNUSUAL.test(text)) return text;
	return text.replace(LOOKALIKE_CHARACTERS, (c) => {
		if (c.length > 1) return c; // a digit outside the BMP would change the length; none is in everyday use
		if (SAME_CHARACTER[c]) return SAME_CHARACTER[c];
		if (!/\p{Nd}/u.test(c)) return ' ';
		// Decimal digits come in runs of ten from zero: count back to the zero.
		let value = 0;
		while (value < 60 && /\p{Nd}/u.test(String.fromCharCode(c.charCodeAt(0) - value - 1))) value++;
		return String(value % 10);
	});
}

// ─── Merging ────────────────────────────────────────────────────────────────

/** Overlapping or touching spans become one; it keeps the kind of the span that starts first (the longer on a tie). */
function merge(spans: ContactSpan[]): ContactSpan[] {
	const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
	const merged: ContactSpan[] = [];
	for (const span of sorted) {
		const last = merged[merged.length - 1];
		if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
		else merged.push({ ...span });
	}
	return merged;
}
