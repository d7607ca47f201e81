import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	products: await locals.catalogue.listProducts()
});
