/** Prices are stored in minor units; one fixed locale so server and browser render the same text. */
export function formatPrice(cents: number, currency: string): string {
	return new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(cents / 100);
}
