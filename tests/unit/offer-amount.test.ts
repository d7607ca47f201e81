import { describe, expect, it } from 'vitest';
import { MAX_OFFER_MAJOR, currencySymbol, formatMinor, minorUnits, parseAmount } from '../../src/lib/messaging/offers/amount.ts';

/**
 * Amounts as people type them into the offer and counter fields: one rule for browser and form
 * action, converted with the currency's own decimals, and every refusal a sentence saying what to type.
 */

describe('parseAmount: what is taken', () => {
	it.each([
		['120', 'EUR', 12000],
		['120.5', 'EUR', 12050],
		['120.50', 'EUR', 12050],
		['120,50', 'EUR', 12050],
		['120,5', 'EUR', 12050],
		['  45 ', 'EUR', 4500],
		['0.01', 'EUR', 1],
		['007', 'EUR', 700],
		['1000000', 'EUR', 100_000_000],
		['1000000.00', 'EUR', 100_000_000],
		['99.99', 'USD', 9999],
		['12000', 'JPY', 12000],
		['1.234', 'KWD', 1234],
		// The listing's own sign or code, before or after.
		['€120', 'EUR', 12000],
		['€ 120,50', 'EUR', 12050],
		['120 EUR', 'EUR', 12000],
		['120eur', 'EUR', 12000],
		['$99.99', 'USD', 9999],
		['US$99.99', 'USD', 9999],
		['£45', 'GBP', 4500],
		['¥12000', 'JPY', 12000],
		// Grouping that cannot be a decimal point.
		['1,200.50', 'EUR', 120050],
		['1.200,50', 'EUR', 120050],
		['1 200', 'EUR', 120000],
		['1\u00a0200,50', 'EUR', 120050],
		['1,000,000', 'EUR', 100_000_000],
		['1.000.000', 'EUR', 100_000_000],
		['€1,000,000.00', 'EUR', 100_000_000],
		// Digits as other scripts and keyboards type them.
		['١٢٠', 'EUR', 12000],
		['۱۲۰٫۵', 'EUR', 12050],
		['١٬٢٠٠٫٥٠', 'EUR', 120050],
		['१२०', 'EUR', 12000],
		['１２０．５０', 'EUR', 12050],
		['€９９', 'EUR', 9900],
		['𝟏𝟐𝟎', 'EUR', 12000]
	])('%s %s is %d minor units', (typed, currency, minor) => {
		expect(parseAmount(typed, currency)).toEqual({ ok: true, minor });
	});
});

describe('parseAmount: what is refused, and what the person reads', () => {
	const NUMBER = 'Type the amount as a number, like 120 or 120.50.';
	it.each([
		['', 'Type the amount you want to offer.'],
		['   ', 'Type the amount you want to offer.'],
		['abc', NUMBER],
		// Another currency's sign is not this listing's.
		['$120', NUMBER],
		['120 USD', NUMBER],
		['€', 'Type the amount you want to offer.'],
		// A negative amount is a number, but no offer.
		['-5', 'An offer must be more than zero.'],
		['−5.50', 'An offer must be more than zero.'],
		['- 5', 'An offer must be more than zero.'],
		['-abc', NUMBER],
		['1e3', NUMBER],
		['1,20,000.50', NUMBER],
		['12 34', NUMBER],
		['1,200,50', NUMBER],
		['.5', NUMBER],
		['120.', NUMBER],
		['0x10', NUMBER],
		['120.505', 'Use at most 2 decimals and no thousands separators, like 1200.50.'],
		// Read as a thousands separator it would be 1200, as a decimal comma 1.2: neither is guessed.
		['1,200', 'Use at most 2 decimals and no thousands separators, like 1200.50.'],
		['0', 'An offer must be more than zero.'],
		['0.00', 'An offer must be more than zero.'],
		['000', 'An offer must be more than zero.'],
		['1000000.01', 'Offers can be at most €1,000,000.00.'],
		['1000001', 'Offers can be at most €1,000,000.00.'],
		['99999999999999999999999', 'Offers can be at most €1,000,000.00.']
	])('%j in EUR: %s', (typed, message) => {
		expect(parseAmount(typed, 'EUR')).toEqual({ ok: false, message });
	});

	it('a currency without decimals takes whole numbers only', () => {
		expect(parseAmount('120.5', 'JPY')).toEqual({ ok: false, message: 'Amounts in JP¥ have no decimals: type a whole number, like 120.' });
		expect(parseAmount('abc', 'JPY')).toEqual({ ok: false, message: 'Type the amount as a number, like 120.' });
	});

	it('a code that is not a currency takes no offers', () => {
		expect(parseAmount('120', 'EURO')).toEqual({ ok: false, message: "Offers cannot be made in this listing's currency." });
	});

	it('the cap is the same number of major units in every currency', () => {
		expect(parseAmount(String(MAX_OFFER_MAJOR), 'JPY')).toEqual({ ok: true, minor: 1_000_000 });
		expect(parseAmount(String(MAX_OFFER_MAJOR + 1), 'GBP')).toEqual({ ok: false, message: 'Offers can be at most £1,000,000.00.' });
	});
});

describe('currencies', () => {
	it("minor units come from the currency's decimals", () => {
		expect([minorUnits('EUR'), minorUnits('JPY'), minorUnits('KWD'), minorUnits('nope')]).toEqual([2, 0, 3, null]);
	});

	it('labels show the sign prices show', () => {
		expect([currencySymbol('EUR'), currencySymbol('GBP'), currencySymbol('USD')]).toEqual(['€', '£', 'US$']);
	});

	it('amounts are written with the currency’s own decimals', () => {
		expect(formatMinor(12050, 'EUR')).toBe('€120.50');
		expect(formatMinor(12000, 'JPY')).toBe('JP¥12,000');
	});
});
