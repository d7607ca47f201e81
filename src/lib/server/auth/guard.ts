import { redirect, type Handle } from '@sveltejs/kit';

// Pages only: the endpoints under /messages answer 401 themselves rather than redirecting.
const PRIVATE_PAGES = new Set(['/messages']);

const isPrivate = (pathname: string) => PRIVATE_PAGES.has(pathname);

/** Resolves the session once per request; private pages send visitors to sign in and back. */
export const authGuard: Handle = async ({ event, resolve }) => {
	const { session, user } = await event.locals.safeGetSession();
	event.locals.session = session;
	event.locals.user = user;
	if (!user && isPrivate(event.url.pathname) && event.request.method === 'GET') {
		redirect(303, `/login?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	}
	return resolve(event);
};

/** Only same-site paths: `next` must never send a user to another origin. */
export function safeNext(next: string | null): string {
	if (!next) return '/';
	const base = 'http://bazaar.invalid';
	let target: URL;
	try {
		// Resolved as a browser would (it ignores tabs and newlines, reads "\\" as "/"), then compared.
		target = new URL(next, base);
	} catch {
		return '/';
	}
	return target.origin === base && next.startsWith('/') ? target.pathname + target.search + target.hash : '/';
}
