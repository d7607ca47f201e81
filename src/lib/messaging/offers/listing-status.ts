import type { ProductStatus } from '../schemas';

const LABELS: Partial<Record<ProductStatus, string>> = { reserved: 'Reserved', sold: 'Sold', withdrawn: 'Withdrawn' };

/** The words of a listing's badge: none while it is for sale. */
export function listingStatusLabel(status: ProductStatus | null | undefined): string | null {
	return (status && LABELS[status]) ?? null;
}
