// Intl.NumberFormat objects take tens of microseconds to make: one per currency, made once.
const formats = new Map<string, Intl.NumberFormat>();

/** Prices are stored in minor units; one fixed locale so server and browser render the same text. */
export function formatPrice(cents: number, currency: string): string {
	let format = formats.get(currency);
	if (!format) formats.set(currency, (format = new Intl.NumberFormat('en-IE', { style: 'currency', currency })));
	return format.format(cents / 100);
}
