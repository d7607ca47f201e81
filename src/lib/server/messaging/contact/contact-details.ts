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

/**
 * The text with each span replaced by HIDDEN_CONTACT, reading as a sentence would: contacts with only
 * spaces between them become one, brackets around a contact are the placeholder's own, and the space
 * on each side of it is one space (a line break stays a line break). `hidden` says whether anything changed.
 */
export function hideContactDetails(text: string): { text: string; hidden: boolean } {
	const spans = findContactDetails(text);
	if (!spans.length) return { text, hidden: false };
	const places = placeholders(text, spans);
	const pieces = [...places.map((place, i) => text.slice(i === 0 ? 0 : places[i - 1].end, place.start)), text.slice(places.at(-1)!.end)];
	const last = pieces.length - 1;
	const tidied = pieces.map((piece, i) => {
		// At either end of the message, space next to a placeholder is space at the end: none.
		if (i > 0) piece = piece.replace(LEADING_SPACE, (space) => (i === last && space === piece ? '' : oneSpace(space)));
		if (i < last) piece = piece.replace(TRAILING_SPACE, (space) => (i === 0 && space === piece ? '' : oneSpace(space)));
		return piece;
	});
	return { text: tidied.join(HIDDEN_CONTACT), hidden: true };
}

// ─── Replacing ──────────────────────────────────────────────────────────────

// Spaces, and the invisible marks a phone or a web page puts around a number it copies (direction
// marks, zero-width spaces): left beside a placeholder they read as a doubled space, or a space before a comma.
const SPACE = /[\s\p{Cf}]/u;
const LEADING_SPACE = /^[\s\p{Cf}]+/u;
const TRAILING_SPACE = /[\s\p{Cf}]+$/u;
const BRACKETS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Where the placeholders go: spans with only spaces between them are one, and brackets around one go with it. */
function placeholders(text: string, spans: ContactSpan[]): { start: number; end: number }[] {
	const places: { start: number; end: number }[] = [];
	for (const { start, end } of spans) {
		const last = places.at(-1);
		if (last && [...text.slice(last.end, start)].every((c) => SPACE.test(c))) last.end = end;
		else places.push({ start, end });
	}
	for (const place of places) {
		let before = place.start;
		while (before > 0 && SPACE.test(text[before - 1])) before--;
		let after = place.end;
		while (after < text.length && SPACE.test(text[after])) after++;
		// "(07700 900123)" would read "((contact details hidden))".
		const open = text[before - 1];
		if (BRACKETS[open] && text[after] === BRACKETS[open]) Object.assign(place, { start: before - 1, end: after + 1 });
	}
	return places;
}

/** One space for a run of spaces, its line breaks if it has any, nothing for invisible marks alone. */
function oneSpace(space: string): string {
	return space.match(/\r?\n/g)?.join('') ?? (/\s/.test(space) ? ' ' : '');
}

// ─── Normalising ────────────────────────────────────────────────────────────

const UNUSUAL = /[^\0-\x7f]/;
// Other scripts' digits ("０７７", "०७७"), full-width "@" and ".", the marks that make "0️⃣" a keycap emoji, and
// invisible characters slipped between digits ("0612\u200b345678"), and the direction marks a phone wraps
// a copied number or address in ("\u202a+44 7700 900123\u202c").
const LOOKALIKE_CHARACTERS = /(?![0-9])\p{Nd}|[＠﹫．\ufe0f\u20e3\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/gu;
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
