import type { ProductStatus } from '../schemas';

/** The words of a listing's badge: none while it is for sale. */
export function listingStatusLabel(status: ProductStatus | null | undefined): 'Reserved' | 'Sold' | null {
	return status === 'reserved' ? 'Reserved' : status === 'sold' ? 'Sold' : null;
}
