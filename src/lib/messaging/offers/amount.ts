/**
 * Reading an amount a person typed into an offer or counter-offer field. The rule, stated once
 * so browser and form action agree: digits, then optionally one decimal point or comma and at
 * most as many decimals as the currency has ("120", "120.5", "120,50"). The listing's own sign or
 * code may come before or after ("€120", "120 EUR"), and digits may be grouped in threes where the
 * grouping cannot be a decimal point: "1,200.50", "1.200,50", "1 200", "1,000,000". A lone "1,200"
 * could be either, so it is refused rather than silently read as 1.2 or 1200. It is converted to
 * the currency's minor units (cents for EUR, yen for JPY, fils for KWD).
 */
/** The largest offer in major units, whatever the currency (the database caps minor units at 100,000,000). */
export const MAX_OFFER_MAJOR = 1_000_000;

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

// Intl.NumberFormat objects take tens of microseconds to make: one per currency, made once.
const formats = new Map<string, Intl.NumberFormat | null>();

/** One fixed locale, as prices use, so server and browser say the same. null for a code Intl refuses. */
function currencyFormat(currency: string): Intl.NumberFormat | null {
	if (!formats.has(currency)) {
		let format: Intl.NumberFormat | null = null;
		try {
			format = new Intl.NumberFormat('en-IE', { style: 'currency', currency });
		} catch {
			// Not a currency code (RangeError): the caller says so in words.
		}
		formats.set(currency, format);
	}
	return formats.get(currency) ?? null;
}

/** How many decimals the currency has (EUR 2, JPY 0, KWD 3); null for a code that is not a currency. */
export function minorUnits(currency: string): number | null {
	return currencyFormat(currency)?.resolvedOptions().maximumFractionDigits ?? null;
}

/** The currency's sign as prices show it ("€", "£", "US$", "JP¥"), for labels such as "Your offer (€)". */
export function currencySymbol(currency: string): string {
	return currencyFormat(currency)?.formatToParts(0).find((part) => part.type === 'currency')?.value ?? currency;
}

/** An amount in major units written out in its currency: "€1,000,000.00". */
function majorAmount(major: number, currency: string): string {
	return currencyFormat(currency)?.format(major) ?? `${major} ${currency}`;
}

/**
 * An amount in minor units written out in its currency with the currency's own decimals:
 * "€120.50", "JP¥12,000". (formatPrice assumes two decimals for every currency; for EUR, USD and
 * GBP the two agree.)
 */
export function formatMinor(minor: number, currency: string): string {
	const digits = minorUnits(currency);
	return digits === null ? `${minor} ${currency}` : majorAmount(minor / 10 ** digits, currency);
}

/** What a person typed, as minor units of `currency`, or why it cannot be an offer, in a sentence they can act on. */
export function parseAmount(typed: string, currency: string): ParsedAmount {
	const digits = minorUnits(currency);
	if (digits === null) return { ok: false, message: "Offers cannot be made in this listing's currency." };
	const text = plainNumber(westernDigits(typed).trim(), currency);
	if (text === '') return { ok: false, message: 'Type the amount you want to offer.' };
	const example = digits === 0 ? '120' : `120 or 120.${'5'.padEnd(digits, '0')}`;
	const match = /^(\d+)(?:[.,](\d+))?$/.exec(text);
	// "-5" is a number, just not an offer: said as "0" is.
	if (!match && /^[-−]\s*\d+(?:[.,]\d+)?$/.test(text)) return { ok: false, message: 'An offer must be more than zero.' };
	if (!match) return { ok: false, message: `Type the amount as a number, like ${example}.` };
	const [, whole, fraction = ''] = match;
	if (fraction.length > digits) {
		return {
			ok: false,
			message:
				digits === 0
					? `Amounts in ${currencySymbol(currency)} have no decimals: type a whole number, like 120.`
					: `Use at most ${digits} decimals and no thousands separators, like 1200.${'5'.padEnd(digits, '0')}.`
		};
	}
	const tooLarge = { ok: false, message: `Offers can be at most ${majorAmount(MAX_OFFER_MAJOR, currency)}.` } as const;
	// Checked on the digits first: a long enough string would lose precision as a number.
	if (whole.replace(/^0+/, '').length > String(MAX_OFFER_MAJOR).length) return tooLarge;
	const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
	if (minor <= 0) return { ok: false, message: 'An offer must be more than zero.' };
	if (minor > MAX_OFFER_MAJOR * 10 ** digits) return tooLarge;
	return { ok: true, minor };
}

/**
 * The digits and marks of other scripts as the rule reads them: a phone's keyboard in Arabic,
 * Persian, Hindi or a Japanese IME types "١٢٠", "۱۲۰", "१२०" or "１２０", which were refused as
 * not a number. Full-width forms fold by NFKC; every decimal digit counts from the first of its
 * run of ten (Unicode keeps them in such runs); the Arabic decimal and thousands marks become "."
 * and ",".
 */
function westernDigits(typed: string): string {
	return typed
		.normalize('NFKC')
		.replace(/\p{Nd}/gu, (digit) => {
			const code = digit.codePointAt(0)!;
			let first = code;
			while (/\p{Nd}/u.test(String.fromCodePoint(first - 1))) first--;
			return String((code - first) % 10);
		})
		.replace(/\u066b/g, '.')
		.replace(/\u066c/g, ',');
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SPACE = '[\\s\\u00a0\\u202f\\u2009]';
const GROUP_SPACE = new RegExp(`(\\d)${SPACE}(?=\\d{3}(?:\\D|$))`, 'g');
const signs = new Map<string, RegExp>();

/** The listing's sign, its narrow form ("$" for US$) or its code, before or after the number. */
function signOf(currency: string): RegExp {
	let sign = signs.get(currency);
	if (!sign) {
		const narrow = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).formatToParts(0).find((part) => part.type === 'currency')?.value;
		const marks = [currencySymbol(currency), narrow ?? currency, currency].map(escaped).join('|');
		signs.set(currency, (sign = new RegExp(`^(?:${marks})${SPACE}*|${SPACE}*(?:${marks})$`, 'gi')));
	}
	return sign;
}

/** The number in what was typed: the listing's sign or code taken off, and digit grouping that can only be grouping. */
function plainNumber(text: string, currency: string): string {
	const bare = text.replace(signOf(currency), '').replace(GROUP_SPACE, '$1');
	if (/^\d{1,3}(?:,\d{3})+\.\d+$/.test(bare) || /^\d{1,3}(?:,\d{3}){2,}$/.test(bare)) return bare.replaceAll(',', '');
	if (/^\d{1,3}(?:\.\d{3})+,\d+$/.test(bare) || /^\d{1,3}(?:\.\d{3}){2,}$/.test(bare)) return bare.replaceAll('.', '').replace(',', '.');
	return bare;
}
