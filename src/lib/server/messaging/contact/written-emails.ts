/** Finds emails and domains written so no link finder sees them ("ana at example dot com", "ana [at] gmail"). */

import type { ContactSpan } from './contact-details.js';

const AT_WORDS = 'at|arroba|chiocciola|ma[lł]pa|klammeraffe|arobase|apenstaartje';
const DOT_WORDS = 'dot|punkt|punto|point|punt|kropka|ponto';
const BRACKETED = (words: string) => `[\\[({<]\\s{0,2}(?:${words})\\s{0,2}[\\])}>]`;
const AT = `(?:\\s{0,3}${BRACKETED(`${AT_WORDS}|@`)}\\s{0,3}|\\s{0,3}@{1,3}\\s{0,3}|\\s{1,3}(?:${AT_WORDS})\\s{1,3})`;
const DOT = `(?:\\s{0,3}${BRACKETED(`${DOT_WORDS}|\\.`)}\\s{0,3}|\\s{1,3}(?:${DOT_WORDS})\\s{1,3}|\\s{0,3}\\.\\s{0,3})`;
const LOCAL = '[\\p{L}\\p{N}][\\p{L}\\p{N}._%+\\-]{0,63}';
const LABEL = '[\\p{L}\\p{N}][\\p{L}\\p{N}\\-]{0,62}';
const NOT_AFTER_WORD = '(?<![\\p{L}\\p{N}._%+\\-@])';
export const NOT_BEFORE_WORD = '(?![\\p{L}\\p{N}])';

// Anchored on the "at": the local part before it is read backwards, so plain words cost nothing.
const AT_THEN_DOMAIN = new RegExp(`(${AT})(${LABEL}(?:${DOT}${LABEL}){1,4})`, 'giu');
const LOCAL_BEFORE = new RegExp(`${NOT_AFTER_WORD}${LOCAL}$`, 'u');
const LOCAL_PART_BEFORE = new RegExp(`${NOT_AFTER_WORD}${LOCAL}(?:${DOT})$`, 'u');
const OBFUSCATED_DOMAIN = new RegExp(`${NOT_AFTER_WORD}${LABEL}(?:${DOT}${LABEL}){1,4}`, 'giu');
const DOT_THEN_LABEL = new RegExp(`(${DOT})(${LABEL})`, 'iuy');

const MAIL_PROVIDERS = 'gmail|googlemail|hotmail|outlook|yahoo|icloud|protonmail|proton|gmx|aol|live|mail';
const AT_PROVIDER = new RegExp(`(${AT})(${MAIL_PROVIDERS})${NOT_BEFORE_WORD}`, 'giu');
const PROVIDER_DOMAIN = new RegExp(`^(?:${MAIL_PROVIDERS})\\.`, 'i');
const COMMON_WORD_PROVIDERS = new Set(['live', 'mail']); // "see you at live music"
const WORKPLACE = /^(?:work|works|worked|working|job|intern)$/i; // "I work at Yahoo"

// Only unmistakable top-level domains after a spelled "dot": "el punto es…", "a dot in the middle" are speech.
const SPOKEN_TLDS = new Set(
	'com net org info biz io co eu uk fr nl pl ie au br ch pt dk fi cz ca nz shop store online app dev'.split(' ')
);
// Domains that are words elsewhere, allowed only after the dot word of a language where they are not:
// "punkt de" is a German site, "punto de encuentro" a Spanish meeting point.
const SPOKEN_EXTRAS: Record<string, string[]> = { dot: ['de'], punkt: ['de', 'at'], kropka: ['de'], ponto: ['de'], punto: ['it'] };
const GENERIC_TLDS = new Set([...SPOKEN_TLDS, 'gov', 'edu', 'pro', 'web', 'name', 'tv', 'xyz', 'site', 'club', 'top', 'museum']);

type DotStyle = 'period' | 'spaced' | 'bracketed' | 'spoken';
function dotStyle(separator: string): DotStyle {
	const s = separator.trim();
	if (s === '.') return separator === '.' ? 'period' : 'spaced';
	return /^[\[({<]/.test(s) ? 'bracketed' : 'spoken';
}

function isTld(label: string, style: DotStyle, spokenWord: string): boolean {
	const tld = label.toLowerCase();
	if (style === 'spoken') return SPOKEN_TLDS.has(tld) || (SPOKEN_EXTRAS[spokenWord.toLowerCase()]?.includes(tld) ?? false);
	return GENERIC_TLDS.has(tld) || /^[a-z]{2}$/.test(tld);
}

interface DomainCut {
	length: number; // of the domain up to and including its last top-level label
	styles: DotStyle[];
}

/** Reads "label (dot label)…" from `domain` and cuts it after the last label that can end a domain. */
function cutDomain(domain: string): DomainCut | null {
	const first = /^[\p{L}\p{N}][\p{L}\p{N}-]*/u.exec(domain)![0];
	let at = first.length;
	const styles: DotStyle[] = [];
	let best: DomainCut | null = null;
	DOT_THEN_LABEL.lastIndex = at;
	for (let m = DOT_THEN_LABEL.exec(domain); m; m = DOT_THEN_LABEL.exec(domain)) {
		const style = dotStyle(m[1]);
		styles.push(style);
		at = DOT_THEN_LABEL.lastIndex;
		if (isTld(m[2], style, m[1].trim())) best = { length: at, styles: [...styles] };
	}
	return best;
}

/** The local part of an address that ends at `at`, if any: "ana.b" in "ana.b [at] …", "ana dot b" in "ana dot b at …". */
function localPartBefore(text: string, at: number): string | null {
	let local = LOCAL_BEFORE.exec(text.slice(Math.max(0, at - 65), at))?.[0];
	if (!local) return null;
	for (let more = 0; more < 3; more++) {
		const start: number = at - local.length;
		const part: string | undefined = LOCAL_PART_BEFORE.exec(text.slice(Math.max(0, start - 80), start))?.[0];
		if (!part) break;
		local = part + local;
	}
	return local;
}

export function obfuscatedEmails(text: string): ContactSpan[] {
	const spans: ContactSpan[] = [];
	for (const m of text.matchAll(AT_THEN_DOMAIN)) {
		const [, at, domain] = m;
		const local = localPartBefore(text, m.index);
		const cut = local && cutDomain(domain);
		if (!local || !cut) continue;
		const atIsSymbol = /[@\[({<]/.test(at);
		if (cut.styles.includes('spaced') && !atIsSymbol) continue; // "meet at home . Then" is prose
		const onlyPeriods = cut.styles.every((s) => s === 'period');
		if (onlyPeriods && !atIsSymbol && !/[\d._]/.test(local) && !PROVIDER_DOMAIN.test(domain)) continue; // leave "ana at example.com" to linkify
		spans.push({ start: m.index - local.length, end: m.index + at.length + cut.length, kind: 'email' });
	}
	for (const m of text.matchAll(AT_PROVIDER)) {
		const [whole, at, provider] = m;
		const local = localPartBefore(text, m.index);
		if (!local) continue;
		const atIsWord = !/[@\[({<]/.test(at);
		if (atIsWord && (COMMON_WORD_PROVIDERS.has(provider.toLowerCase()) || WORKPLACE.test(local))) continue;
		spans.push({ start: m.index - local.length, end: m.index + whole.length, kind: 'email' });
	}
	return spans;
}

const MAYBE_WRITTEN_DOT = new RegExp(`${DOT_WORDS}|[\\[({<]\\s{0,2}\\.`, 'i');

export function obfuscatedDomains(text: string): ContactSpan[] {
	if (!MAYBE_WRITTEN_DOT.test(text)) return [];
	const spans: ContactSpan[] = [];
	for (const m of text.matchAll(OBFUSCATED_DOMAIN)) {
		const cut = cutDomain(m[0]);
		if (!cut || !cut.styles.some((s) => s === 'bracketed' || s === 'spoken')) continue;
		spans.push({ start: m.index, end: m.index + cut.length, kind: 'link' });
	}
	return spans;
}
