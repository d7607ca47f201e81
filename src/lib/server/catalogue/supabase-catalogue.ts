import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$lib/database.types';
import { ProductCards, ProductDetail, type Catalogue } from './catalogue';

// Literal types, so supabase-js types the rows from the generated Database. The seller is named by
// its foreign key: products also point at profiles through reserved_for and sold_to, and PostgREST
// refuses an embed it cannot tell apart.
const CARD = 'id, title, price_cents, currency, image_url, status, seller_id, seller:profiles!products_seller_id_fkey!inner(display_name, avatar_url)';
const DETAIL = `${CARD}, description` as const;

const flatten = <Row extends { seller: { display_name: string; avatar_url: string | null } }>({ seller, ...product }: Row) => ({
	...product,
	seller_name: seller.display_name,
	seller_avatar_url: seller.avatar_url
});

/** The same catalogue through PostgREST; the user's session makes the same policies apply. */
export function supabaseCatalogue(supabase: SupabaseClient<Database>): Catalogue {
	return {
		async listProducts() {
			const { data, error } = await supabase
				.from('products')
				.select(CARD)
				.in('status', ['active', 'reserved'])
				.order('created_at', { ascending: false })
				.limit(100);
			if (error) throw new Error(error.message);
			return ProductCards.parse(data.map(flatten));
		},
		async getProduct(id) {
			const { data, error } = await supabase.from('products').select(DETAIL).eq('id', id).maybeSingle();
			if (error) throw new Error(error.message);
			return data ? ProductDetail.parse(flatten(data)) : null;
		}
	};
}
