import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { safeNext } from '$lib/server/auth/guard';
import { SESSION_COOKIE, SESSION_SECONDS, signInWithPassword } from '$lib/server/auth/local-auth';
import { runtime } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

const Credentials = z.object({
	email: z.string().trim().min(1).max(320),
	password: z.string().min(1).max(200),
	next: z.string().max(2000).nullable()
});

const INVALID = 'Invalid email or password';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	return { next: safeNext(url.searchParams.get('next')) };
};

export const actions: Actions = {
	default: async ({ request, cookies, locals, url }) => {
		const form = await request.formData();
		const parsed = Credentials.safeParse({
			email: form.get('email'),
			password: form.get('password'),
			next: form.get('next')
		});
		const email = typeof form.get('email') === 'string' ? String(form.get('email')).slice(0, 320) : '';
		if (!parsed.success) return fail(400, { email, message: INVALID });
		const { password, next } = parsed.data;

		if (locals.supabase) {
			const { error } = await locals.supabase.auth.signInWithPassword({ email: parsed.data.email, password });
			if (error) return fail(400, { email, message: INVALID });
		} else {
			const rt = await runtime();
			const signedIn = await signInWithPassword(rt.pool!, rt.sessionSecret!, parsed.data.email, password);
			if (!signedIn) return fail(400, { email, message: INVALID });
			cookies.set(SESSION_COOKIE, signedIn.token, {
				path: '/',
				httpOnly: true,
				sameSite: 'lax',
				secure: url.protocol === 'https:',
				maxAge: SESSION_SECONDS
			});
		}
		redirect(303, safeNext(next));
	}
};
