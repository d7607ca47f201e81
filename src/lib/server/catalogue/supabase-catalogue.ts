import type { SupabaseClient } from '@supabase/supabase-js';
import { ProductCard, ProductDetail, type Catalogue } from './catalogue';

const SELECT = 'id, title, price_cents, currency, image_url, status, seller_id, seller:profiles!inner(display_name, avatar_url)';

interface Row {
	seller: { display_name: string; avatar_url: string | null };
	[column: string]: unknown;
}

const flatten = ({ seller, ...product }: Row) => ({
	...product,
	seller_name: seller.display_name,
	seller_avatar_url: seller.avatar_url
});

/** The same catalogue through PostgREST; the user's session makes the same policies apply. */
export function supabaseCatalogue(supabase: SupabaseClient): Catalogue {
	return {
		async listProducts() {
			const { data, error } = await supabase
				.from('products')
				.select(SELECT)
				.eq('status', 'active')
				.order('created_at', { ascending: false })
				.limit(100);
			if (error) throw new Error(error.message);
			return ProductCard.array().parse((data as unknown as Row[]).map(flatten));
		},
		async getProduct(id) {
			const { data, error } = await supabase
				.from('products')
				.select(`${SELECT}, description`)
				.eq('id', id)
				.maybeSingle();
			if (error) throw new Error(error.message);
			return data ? ProductDetail.parse(flatten(data as unknown as Row)) : null;
		}
	};
}
