import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ url, cookies }) => {
	cookies.set('host-user', url.searchParams.get('as') ?? '', { path: '/', httpOnly: true, sameSite: 'lax', secure: false });
	redirect(303, url.searchParams.get('next') ?? '/chat');
};
