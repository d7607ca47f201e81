/** Finds phone numbers in the runs of digits, checked with libphonenumber-js, and lets codes, dates and amounts go. */

// 'max' metadata knows every country's real number ranges ('min' checks lengths only); that is what
// makes trying a dozen default countries safe. This runs on the server, so its size costs nothing.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { ContactSpan } from './contact-details.js';
import { runs, type Piece } from './spelled-digits.js';

function sum(pieces: Piece[], field: 'spelled' | 'lookalikes' | 'real'): number {
	return pieces.reduce((n, p) => n + p[field], 0);
}

/** Maximal stretches of plain pieces with at least seven digits, leaving out labelled codes and dates. */
function plainStretches(run: Piece[], excuses: Excuses): Piece[][] {
	const out: Piece[][] = [];
	let current: Piece[] = [];
	for (const piece of [...run, null]) {
		if (piece?.plain && !overlaps(piece, excuses.codes) && !overlaps(piece, excuses.dates)) current.push(piece);
		else {
			if (sum(current, 'real') >= 7) out.push(current);
			current = [];
		}
	}
	return out;
}

/** The span of some pieces, with a leading "+" and the brackets of "(415) 555-2671" that belong to the number. */
function spanOf(text: string, pieces: Piece[]): ContactSpan {
	let start = pieces[0].start;
	let end = pieces[pieces.length - 1].end;
	const inside = text.slice(start, end);
	if (text[start - 1] === '(' && inside.includes(')') && !inside.includes('(')) start -= 1;
	if (text[start - 1] === '+') start -= 1;
	return { start, end, kind: 'phone' };
}

const LIKELY_COUNTRIES: CountryCode[] = ['GB', 'US', 'DE', 'FR', 'ES', 'IT', 'NL', 'IE', 'PL', 'SE', 'AU', 'IN', 'BR'];
// What people write right before their number: "call me on", "Tel.:", "Handy", "mi número es".
const PHONE_CUE = new RegExp(
	'(?<![\\p{L}\\p{N}])(?:tel|tél|phone|mobile|mob|cell|call|ring|text|sms|whats\\s?app|handy|telefon|telefono|teléfono|móvil|movil|cellulare|' +
		'portable|telefoon|mobiel|kom[óo]rka|celular|zadzwo[ńn]|anrufen|appelle[rz]?|ll[áa]mame|chiamami|bel)\\.?' +
		'(?:[\\s:\\-]{1,3}(?:me|on|at|my|number|nr|no|is|ist|est|es|è|é|op|auf|au|al|mi|moi|mich|mir|o|numer|nummer|num[ée]ro|n[úu]mero|under|unter)\\.?){0,3}[\\s:\\-]{1,3}$',
	'iu'
);

/** Parser calls one message may spend (some 20 µs each); past that, a number's shape alone decides. */
const PARSE_BUDGET = 150;
interface Budget {
	parses: number;
}

export function numbers(text: string): ContactSpan[] {
	const budget: Budget = { parses: PARSE_BUDGET };
	const found: ContactSpan[] = [];
	for (const run of runs(text)) {
		const excuses = excusedRanges(text, run);
		const spelled = sum(run, 'spelled');
		const singles = run.filter((p) => p.end - p.start === 1 && p.real === 1).length;
		if (spelled >= 2 || (sum(run, 'lookalikes') >= 1 && sum(run, 'real') >= 4) || singles >= 6) {
			// Written so no machine would read it: only a label or an IBAN around it excuses it.
			const span = spanOf(text, run);
			if (!overlaps(span, excuses.codes)) found.push(span);
			continue;
		}
		for (const stretch of plainStretches(run, excuses)) found.push(...phonesIn(text, stretch, budget));
	}
	return found;
}

/**
 * The phone numbers in a stretch of plain digit groups: from each group on, the longest slice that reads as
 * one number ("Size 42 0612345678", "0171 1234567 / 0171 7654321").
 */
function phonesIn(text: string, pieces: Piece[], budget: Budget): ContactSpan[] {
	const found: ContactSpan[] = [];
	let i = 0;
	while (i < pieces.length) {
		let next = i + 1;
		let last = i;
		for (let j = i, digits = 0; j < pieces.length && (digits += pieces[j].digits.length) <= 17; j++) last = j;
		for (let j = last; j >= i; j--) {
			const span = spanOf(text, pieces.slice(i, j + 1));
			if (isPhoneAt(text, span, budget)) {
				found.push(span);
				next = j + 1;
				break;
			}
		}
		i = next;
	}
	return found;
}

function isPhoneAt(text: string, span: ContactSpan, budget: Budget): boolean {
	const raw = text.slice(span.start, span.end);
	const digits = raw.replace(/\D/g, '').length;
	if (digits < 7 || digits > 17 || looksLikeAmountOrShape(text, span)) return false;
	if (isPhoneNumber(raw, budget)) return true;
	if (!PHONE_CUE.test(text.slice(Math.max(0, span.start - 40), span.start))) return false;
	// No national number is longer than 13 digits with its 0: a longer stretch is two numbers, and taken as
	// one it would end inside the second and leave the rest of it readable ("call 0171 1234567 / 0171 7654321").
	return /^[+(]*0/.test(raw) ? digits <= 13 : isValidAnywhere(raw, budget);
}

/**
 * National numbers written without a leading 0 are how people also write sizes, amounts and years, and some
 * numbering plans accept nearly any digits. So those must be valid for a country that writes numbers without
 * a trunk prefix, in a grouping people of that country use ("415 555 2671", not "41 55 55 26 71").
 */
const WITHOUT_TRUNK_PREFIX: [CountryCode, RegExp, string[]][] = [
	['US', /^1?[2-9]/, ['10', '3,3,4', '3,7', '6,4', '1,10', '1,3,3,4', '1,3,7', '11']],
	['IN', /^[6-9]/, ['10', '5,5', '3,3,4', '4,3,3']],
	['BR', /^[1-9]{2}/, ['10', '11', '2,8', '2,9', '2,4,4', '2,5,4']],
	['ES', /^[6-9]/, ['9', '3,3,3', '3,2,2,2', '2,3,2,2', '3,6']],
	['PL', /^[1-9]/, ['9', '3,3,3', '2,3,2,2', '2,7']],
	['IT', /^3/, ['9', '10', '3,6', '3,7', '3,3,3', '3,3,4', '3,4,3']]
];

/** Is this stretch, exactly as written, one phone number? */
function isPhoneNumber(raw: string, budget: Budget): boolean {
	const digits = raw.replace(/\D/g, '');
	if (raw.startsWith('+') || /^\(?00[1-9]/.test(raw)) {
		// Nothing but a phone number is written "+44 …" or "0044 …", so "possible" is enough: "+44 7700 900123"
		// sits in a range kept free for fiction, and that must not be a way around the filter.
		if (!spend(budget)) return digits.length >= 8 && digits.length <= 15;
		return parsePhoneNumberFromString(raw.replace(/^\(?00/, '+'), { extract: false })?.isPossible() ?? false;
	}
	if (digits.startsWith('0')) return digits.length >= 8 && digits.length <= 13 && isValidAnywhere(raw, budget);
	const groups = raw.match(/\d+/g)!.map((g) => g.length).join(',');
	return WITHOUT_TRUNK_PREFIX.some(
		([country, first, shapes]) => first.test(digits) && shapes.includes(groups) && isValidIn(raw, country, budget)
	);
}

function spend(budget: Budget): boolean {
	return budget.parses-- > 0;
}

function isValidIn(raw: string, country: CountryCode, budget: Budget): boolean {
	if (!spend(budget)) return true;
	return parsePhoneNumberFromString(raw, { defaultCountry: country, extract: false })?.isValid() ?? false;
}

function isValidAnywhere(raw: string, budget: Budget): boolean {
	return LIKELY_COUNTRIES.some((country) => isValidIn(raw, country, budget));
}

// ─── Numbers that are not phone numbers ─────────────────────────────────────

// A reference, order or product number right after its label: "order #123456789", "SKU 4006381333931", "IBAN DE89 …".
const CODE_LABEL = new RegExp(
	'(?<![\\p{L}\\p{N}])(?:(?:' +
		[
			'order|bestellung|bestell|auftrag|auftrags|commande|pedido|encomenda|ordine|bestelling|zam[óo]wienie|zam[óo]wienia',
			'sku|ref|reference|r[ée]f[ée]rence|referencia|referenz|riferimento|referentie|rif',
			'tracking|sendungs|sendung|suivi|seguimiento|spedizione|track',
			'invoice|rechnung|rechnungs|facture|factura|fattura|factuur|faktura|receipt',
			'model|modell|mod[èe]le|modelo|modello|serial|serien|serie|s\\/n|sn|isbn|ean|upc|gtin|imei|barcode|part',
			'article|artikel|art[íi]culo|articolo|art|item|lot|ticket|booking|buchung|r[ée]servation|reserva|prenotazione',
			'iban|bic|swift|konto|id|listing|parcel|package|paket|shipment|transaction|payment|case',
			'postcode|post code|zip|plz|cep|pin|pincode|cap'
		].join('|') +
		')s?(?:nummer|nr|no|number)?(?![\\p{L}])|#)' +
		'\\.?(?:\\s{0,2}(?:no|nr|number|num|nummer|num[ée]ro|n[úu]mero|numer|id|code|#|n[º°o])\\.?)?[\\s:#\\-–º°]{0,4}',
	'giu'
);
// The code itself: "2026-000123", "978-3-16-148410-0", "DE89 3704 0044 …" (space-separated groups stay short).
const CODE = /[\p{L}\p{N}]*\p{N}[\p{L}\p{N}]*(?:(?:[\-\/.]|\s(?=\p{N}[\p{L}\p{N}]{0,5}(?![\p{L}\p{N}])))[\p{L}\p{N}]+)*/uy;
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?(?![\p{L}\p{N}])/gu;
// Day, month and year in either order, but not a French number written with dots ("06.12.34.56.78").
const DATES =
	/(?<!\d[.\/\-]?)(?:\d{1,2}[.\/\-]\d{1,2}[.\/\-]\d{2,4}|\d{4}[.\/\-]\d{1,2}[.\/\-]\d{1,2})(?![.\/\-]?\d)|(?<!\d\s?)\d{1,2}\s\d{1,2}\s(?:19|20)\d\d(?!\s?\d)/g;
// Brazil's CEP, Poland's kod pocztowy, and opening hours written "0900-1700".
const NOT_PHONE_SHAPES = /^(?:\d{5}-\d{3}|\d{2}-\d{3}|(?:[01]\d|2[0-3])[0-5]\d\s?[-–]\s?(?:[01]\d|2[0-3])[0-5]\d)$/;
const MONEY_BEFORE = /(?:[€$£¥₹₽]|\b(?:eur|usd|gbp|pln|sek|inr|rs|chf|aud|brl|r\$|zł)\.?)\s{0,2}$/iu;
const AMOUNT_AFTER =
	/^\s{0,2}(?:[€$£¥₹₽%]|(?:eur|euro|euros|usd|gbp|pln|z[łl]|sek|kr|kn|inr|rs|rupees|dollars?|pounds?|chf|aud|brl|reais|cm|mm|km|m|kg|g|gb|tb|mb|mah|w|kw|kwh|v|hz|mhz|ghz|px|ml|l|x|pcs|stk|st)(?![\p{L}\p{N}]))/iu;

interface Range {
	start: number;
	end: number;
}
interface Excuses {
	codes: Range[];
	dates: Range[];
}

/** Labelled codes, IBANs and dates around one run of digits (its label sits at most a few words before it). */
function excusedRanges(text: string, run: Piece[]): Excuses {
	const from = Math.max(0, run[0].start - 48);
	const window = text.slice(from, run[run.length - 1].end + 1);
	const codes: Range[] = [];
	for (const m of window.matchAll(CODE_LABEL)) {
		CODE.lastIndex = m.index + m[0].length;
		if (CODE.exec(window)) codes.push({ start: from + m.index, end: from + CODE.lastIndex });
	}
	for (const m of window.matchAll(IBAN)) codes.push({ start: from + m.index, end: from + m.index + m[0].length });
	const dates = [...window.matchAll(DATES)].map((m) => ({ start: from + m.index, end: from + m.index + m[0].length }));
	return { codes, dates };
}

function overlaps(span: Range, ranges: Range[]): boolean {
	return ranges.some((r) => span.start < r.end && r.start < span.end);
}

/** Money or a unit around the digits, or the shape of a postcode or of opening hours. */
function looksLikeAmountOrShape(text: string, span: ContactSpan): boolean {
	if (NOT_PHONE_SHAPES.test(text.slice(span.start, span.end))) return true;
	return MONEY_BEFORE.test(text.slice(Math.max(0, span.start - 6), span.start)) || AMOUNT_AFTER.test(text.slice(span.end, span.end + 8));
}
