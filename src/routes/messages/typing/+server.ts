import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { asUser } from '$lib/server/db/request-scope';
import { plainRealtime } from '$lib/server/realtime/require-plain-mode';
import type { RequestHandler } from './$types';

const Typing = z.object({ conversation_id: z.uuid() });
const TYPING_MS = 5_000;

/** "ana is typing…": relayed to the other member's open streams, never stored. */
export const POST: RequestHandler = async ({ locals, request }) => {
	const { hub, pool, user } = await plainRealtime(locals);
	const parsed = Typing.safeParse(await request.json().catch(() => null));
	if (!parsed.success) error(400, { message: 'Send {"conversation_id": "<uuid>"}.' });
	// Membership as the user sees it under RLS: only their own member row is visible.
	const rows = await asUser(pool, locals.claims ?? null, async (client) =>
		(await client.query<{ other_user_id: string }>('select other_user_id from public.conversation_members where conversation_id = $1', [
			parsed.data.conversation_id
		])).rows
	);
	if (rows.length === 0) error(404, { message: 'This conversation does not exist or you are not part of it.' });
	hub.signal(rows[0].other_user_id, {
		type: 'typing',
		conversation_id: parsed.data.conversation_id,
		user_id: user.id,
		until: Date.now() + TYPING_MS
	});
	return new Response(null, { status: 204 });
};
