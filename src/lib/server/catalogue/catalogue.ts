import { z } from 'zod';

export const ProductCard = z.object({
	id: z.uuid(),
	title: z.string(),
	price_cents: z.number().int(),
	currency: z.string(),
	image_url: z.string().nullable(),
	/** Reserved: an offer was accepted, the sale is not final yet. Withdrawn: its seller deleted their account. */
	status: z.enum(['active', 'reserved', 'sold', 'withdrawn']),
	seller_id: z.uuid(),
	seller_name: z.string(),
	seller_avatar_url: z.string().nullable()
});
/** The listing's rows: made once, as the home page parses them on every visit. */
export const ProductCards = ProductCard.array();
export type ProductCard = z.infer<typeof ProductCard>;

export const ProductDetail = ProductCard.extend({ description: z.string() });
export type ProductDetail = z.infer<typeof ProductDetail>;

/** The demo marketplace's read side: what the product list and product pages show. */
export interface Catalogue {
	/** The listings on show, newest first: active, and reserved ones (which may come back if the deal falls through). */
	listProducts(): Promise<ProductCard[]>;
	/** null when it does not exist or the viewer may not see it (a sold product of someone else). */
	getProduct(id: string): Promise<ProductDetail | null>;
}
