import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { formActions, formFields } from '$lib/server';
import { readConfig } from '$lib/server/config';
import { safeNext } from '$lib/server/auth/guard';
import { signInLimits } from '$lib/server/auth/sign-in-limits';
import type { Actions, PageServerLoad } from './$types';
import { demoLoginsLeft } from './demo-logins';

const Credentials = z.object({
	email: z.string().trim().min(1).max(320),
	password: z.string().min(1).max(200),
	next: z.string().max(2000).nullable()
});

const INVALID = 'Invalid email or password';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeNext(url.searchParams.get('next')));
	return { next: safeNext(url.searchParams.get('next')), demoLogins: await demoLoginsLeft(readConfig().seed, locals.auth) };
};

export const actions: Actions = formActions({
	default: async ({ request, locals, getClientAddress }) => {
		const form = (await formFields(request)) ?? {};
		const parsed = Credentials.safeParse({ email: form.email, password: form.password, next: form.next ?? null });
		const email = typeof form.email === 'string' ? form.email.slice(0, 320) : '';
		if (!parsed.success) return fail(400, { email, message: INVALID });
		const { password, next } = parsed.data;
		const wait = signInLimits.waitMinutes(parsed.data.email, getClientAddress());
		if (wait) return fail(429, { email, message: `Too many failed sign-ins. Try again in ${wait} minute${wait === 1 ? '' : 's'}.` });
		if (!(await locals.auth.signInWithPassword(parsed.data.email, password))) {
			signInLimits.failed(parsed.data.email, getClientAddress());
			return fail(400, { email, message: INVALID });
		}
		signInLimits.succeeded(parsed.data.email, getClientAddress());
		redirect(303, safeNext(next));
	}
});
