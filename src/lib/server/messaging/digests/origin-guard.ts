import { json, text, type Handle } from '@sveltejs/kit';

// The content types a cross-site page can post without asking (and SvelteKit's own form encoding).
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/x-sveltekit-formdata']);
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * SvelteKit's cross-site form check, with room for the one-click unsubscribe.
 *
 * SvelteKit refuses a form POST whose Origin is not the app's own before any hook or route runs,
 * a missing Origin included, and no setting exempts one path. A mail provider sends the RFC 8058
 * one-click POST (`List-Unsubscribe=One-Click`) from its own servers, with no Origin or another
 * one, so with the built-in check on it never reaches `/unsubscribe` in a production build (dev
 * servers skip the check). To take it: switch the built-in check off in svelte.config.js
 * (`kit: { csrf: { trustedOrigins: ['*'] } }`) and put this handle first in hooks.server.ts'
 * `sequence`. It refuses exactly what SvelteKit refused, on every path but `crossSite`. Those
 * must be safe to post from anywhere: `/unsubscribe` only acts on a link signed by the database.
 */
export function formOriginGuard(options: { crossSite?: string[] } = {}): Handle {
	const open = new Set(options.crossSite ?? ['/unsubscribe']);
	return ({ event, resolve }) => {
		const { request, url } = event;
		const type = (request.headers.get('content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
		if (CHANGES.has(request.method) && FORM_TYPES.has(type) && request.headers.get('origin') !== url.origin && !open.has(url.pathname)) {
			// As SvelteKit answers: JSON to a form enhanced by use:enhance, which reads it as one.
			const message = `Cross-site ${request.method} form submissions are forbidden`;
			return request.headers.get('accept') === 'application/json' ? json({ message }, { status: 403 }) : text(message, { status: 403 });
		}
		return resolve(event);
	};
}
