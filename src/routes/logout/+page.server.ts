import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/local-auth';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) redirect(303, '/');
};

export const actions: Actions = {
	default: async ({ cookies, locals }) => {
		if (locals.supabase) await locals.supabase.auth.signOut();
		else cookies.delete(SESSION_COOKIE, { path: '/' });
		redirect(303, '/');
	}
};
