import type { RequestEvent } from '@sveltejs/kit';
import { UNAVAILABLE_MESSAGE } from '$lib';

/** Seconds a browser waits before asking again. */
const RETRY_SECONDS = 5;

/**
 * The answer while the server cannot reach its database at all (not even to read a session):
 * 503 with Retry-After. A page that reloads itself (no script: a meta refresh, which the CSP
 * allows), or, for fetches, form actions and streams, the sentence as JSON, as every other
 * error of theirs is shaped.
 */
export function unavailableResponse(event: RequestEvent): Response {
	const headers = { 'retry-after': String(RETRY_SECONDS), 'cache-control': 'no-store' };
	const wantsPage = event.request.method === 'GET' && (event.request.headers.get('accept') ?? '').includes('text/html');
	if (!wantsPage) {
		return new Response(JSON.stringify({ message: UNAVAILABLE_MESSAGE }), { status: 503, headers: { ...headers, 'content-type': 'application/json' } });
	}
	const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="${RETRY_SECONDS}"><title>Bazaar</title></head>
<body><main><h1>Bazaar</h1><p role="alert">${UNAVAILABLE_MESSAGE}</p></main></body>
</html>
`;
	return new Response(page, { status: 503, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
}
