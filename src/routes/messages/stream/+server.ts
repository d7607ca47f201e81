import { error } from '@sveltejs/kit';
import { messagingEventStream } from '$lib/server/realtime/event-stream';
import { plainRealtime } from '$lib/server/realtime/require-plain-mode';
import type { RequestHandler } from './$types';

const CURSOR = /^\d{1,15}$/;

/** The signed-in user's events as Server-Sent Events, from Last-Event-ID (or ?cursor) on. */
export const GET: RequestHandler = async ({ locals, request, url }) => {
	const { hub, user } = await plainRealtime(locals);
	const given = request.headers.get('last-event-id') ?? url.searchParams.get('cursor') ?? '';
	if (!CURSOR.test(given)) error(400, { message: 'Send the last event id you have (Last-Event-ID or ?cursor=).' });
	const stream = messagingEventStream({
		userId: user.id,
		cursor: Number(given),
		hub,
		syncSince: (cursor) => locals.messaging.syncSince({ cursor }),
		log: (line) => console.warn(`[realtime] ${line}`)
	});
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-cache, no-transform',
			connection: 'keep-alive',
			'x-accel-buffering': 'no'
		}
	});
};
