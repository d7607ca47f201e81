import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { plainRealtime } from '$lib/server/realtime/require-plain-mode';
import { typingRecipient } from '$lib/server/realtime/signal-recipients';
import type { RequestHandler } from './$types';

const Typing = z.object({ conversation_id: z.uuid() });
const TYPING_MS = 5_000;

/** "ana is typing…": relayed to the other member's open streams, never stored. */
export const POST: RequestHandler = async ({ locals, request }) => {
	const { hub, pool, user } = await plainRealtime(locals);
	const parsed = Typing.safeParse(await request.json().catch(() => null));
	if (!parsed.success) error(400, { message: 'Send {"conversation_id": "<uuid>"}.' });
	const recipient = await typingRecipient(pool, user.id, parsed.data.conversation_id);
	// Not a member, or blocked either way: nothing to tell, and no hint which.
	if (recipient) {
		hub.signal(recipient, { type: 'typing', conversation_id: parsed.data.conversation_id, user_id: user.id, until: Date.now() + TYPING_MS });
	}
	return new Response(null, { status: 204 });
};
