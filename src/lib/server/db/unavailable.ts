import type { RequestEvent } from '@sveltejs/kit';
import { UNAVAILABLE_MESSAGE } from '$lib';

/** Seconds a browser waits before asking again. */
const RETRY_SECONDS = 5;

/**
 * What a page says while the database is away: the whole site is, not only messages (the home
 * and login pages say it too), and the page tries again by itself, with or without script.
 * Fetches, form actions and streams get the messaging sentence (UNAVAILABLE_MESSAGE).
 */
export const SITE_UNAVAILABLE = 'Bazaar is unavailable right now. This page tries again by itself.';

/** A browser loading a page (not a fetch, a form action or a stream). */
export const wantsPage = (event: RequestEvent) =>
	event.request.method === 'GET' && (event.request.headers.get('accept') ?? '').includes('text/html');
const RETRY_HEADERS = { 'retry-after': String(RETRY_SECONDS), 'cache-control': 'no-store' };

/** The sentence for a request the database's absence refused: a page's (its data read by a navigation too), which retries by itself, or the messaging one. */
export const unavailableMessage = (event: RequestEvent) => (wantsPage(event) || event.isDataRequest ? SITE_UNAVAILABLE : UNAVAILABLE_MESSAGE);

/**
 * The answer while the server cannot reach its database at all (not even to read a session):
 * 503 with Retry-After. A page that reloads itself (no script: a meta refresh, which the CSP
 * allows), or, for fetches, form actions and streams, the sentence as JSON, as every other
 * error of theirs is shaped.
 */
export function unavailableResponse(event: RequestEvent): Response {
	if (!wantsPage(event)) {
		return new Response(JSON.stringify({ message: unavailableMessage(event) }), { status: 503, headers: { ...RETRY_HEADERS, 'content-type': 'application/json' } });
	}
	const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="${RETRY_SECONDS}"><title>Bazaar</title></head>
<body><main><h1>Bazaar</h1><p role="alert">${SITE_UNAVAILABLE}</p></main></body>
</html>
`;
	return new Response(page, { status: 503, headers: { ...RETRY_HEADERS, 'content-type': 'text/html; charset=utf-8' } });
}

/** Requests whose error handleError answered "unavailable, retrying". */
const answeredUnavailable = new WeakSet<Request>();

export function markUnavailable(event: RequestEvent) {
	answeredUnavailable.add(event.request);
}

/**
 * The page or JSON of an error handleError took for an unreachable database (the database, or
 * Supabase, went away after the server started) says "retrying"; its status says so too: 503
 * with Retry-After, as while the server cannot reach its database at start, instead of a 500.
 */
export function unavailableStatus(event: RequestEvent, response: Response): Response {
	// A 503 is this app's "unavailable" (the messaging error of an unreachable database): it gets the headers too.
	const unavailable = response.status === 503 ? !response.headers.has('retry-after') : response.status === 500 && answeredUnavailable.has(event.request);
	if (!unavailable) return response;
	const headers = new Headers(response.headers);
	for (const [name, value] of Object.entries(RETRY_HEADERS)) headers.set(name, value);
	return new Response(response.body, { status: 503, statusText: 'Service Unavailable', headers });
}
