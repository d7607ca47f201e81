import { redirect } from '@sveltejs/kit';
import { formActions } from '$lib/server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) redirect(303, '/');
};

export const actions: Actions = formActions({
	default: async ({ locals }) => {
		await locals.auth.signOut();
		redirect(303, '/');
	}
});
