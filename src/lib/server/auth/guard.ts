import { redirect, type Handle } from '@sveltejs/kit';

const PRIVATE = ['/messages'];

export const isPrivate = (pathname: string) =>
	PRIVATE.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));

/** Resolves the session once per request; private pages send visitors to sign in and back. */
export const authGuard: Handle = async ({ event, resolve }) => {
	const { session, user } = await event.locals.safeGetSession();
	event.locals.session = session;
	event.locals.user = user;
	if (!user && isPrivate(event.url.pathname) && event.request.method === 'GET' && !event.url.pathname.endsWith('/stream')) {
		redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	}
	return resolve(event);
};

/** Only same-site paths: `next` must never send a user to another origin. */
export function safeNext(next: string | null): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
	return next;
}
