import { randomUUID } from 'node:crypto';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { MessagingError } from '../../messaging/errors.js';
import { MessagingActions, type ActionInput, type MessagingAction } from '../../messaging/schemas/index.js';
import type { MessagingBackend } from './backend/messaging-backend.js';
import { formActions, formFields, UNREADABLE_FORM } from './form.js';
import { checkMessagingLocals } from './locals.js';

const KEPT_BODY = 20_000;

type Handlers = { [A in MessagingAction]: (input: ActionInput<A>, messaging: MessagingBackend) => Promise<unknown> };

const handlers: Handlers = {
	send: ({ id, body, conversation_id, key, reply_to, attachments }, messaging) =>
		messaging.sendMessage({
			id,
			body,
			replyToId: reply_to,
			...(attachments.length ? { attachmentIds: attachments } : {}),
			...(conversation_id ? { conversationId: conversation_id } : { to: key! })
		}),
	edit: (input, messaging) => messaging.editMessage(input),
	delete: (input, messaging) => messaging.deleteMessage(input),
	archive: (input, messaging) => messaging.setArchived({ conversationId: input.conversation_id, archived: input.archived }),
	mute: (input, messaging) => messaging.setMuted({ conversationId: input.conversation_id, until: input.muted ? 'infinity' : null }),
	block: (input, messaging) => (input.blocked ? messaging.blockUser({ userId: input.user_id }) : messaging.unblockUser({ userId: input.user_id })),
	report: (input, messaging) => messaging.reportMessage({ messageId: input.message_id, reason: input.reason, details: input.details }),
	read: (input, messaging) => messaging.markConversationRead({ conversationId: input.conversation_id, upToMessageId: input.up_to }),
	unread: (input, messaging) => messaging.markConversationUnread({ conversationId: input.conversation_id }),
	react: (input, messaging) => messaging.toggleReaction({ messageId: input.message_id, emoji: input.emoji }),
	offer: ({ id, amount_cents, currency, conversation_id, key }, messaging) =>
		messaging.makeOffer({ id, amountCents: amount_cents, currency, ...(conversation_id ? { conversationId: conversation_id } : { to: key! }) }),
	respond: ({ offer_id, action, amount_cents, currency, id }, messaging) =>
		messaging.respondToOffer({ offerId: offer_id, action, amountCents: amount_cents, currency, id }),
	listing: (input, messaging) => messaging.setListingStatus({ conversationId: input.conversation_id, status: input.status }),
	save_quick_reply: (input, messaging) => messaging.saveQuickReply(input),
	delete_quick_reply: (input, messaging) => messaging.deleteQuickReply(input)
};

/**
 * One named form action: parse the form once with the action's schema, make one call, answer
 * in the one shape every action shares. A refused send keeps what the person wrote, and a
 * stored one hands out the idempotency key of the next draft (for sending without JavaScript).
 */
function action<A extends MessagingAction>(name: A) {
	return async ({ request, locals, url }: RequestEvent) => {
		checkMessagingLocals(locals);
		if (!locals.user) error(401, { message: 'Sign in to use messages.' });
		const form = await formFields(request);
		if (!form) return fail(400, { action: name, ok: false as const, code: 'invalid_input', message: UNREADABLE_FORM });
		// Kept for the form to show again, up to what a pasted file (not a message) could be.
		const body = typeof form.body === 'string' ? form.body.slice(0, KEPT_BODY) : undefined;
		const parsed = MessagingActions[name].input.safeParse(form);
		if (!parsed.success) {
			return fail(400, { action: name, ok: false as const, code: 'invalid_input', message: parsed.error.issues[0]?.message ?? 'Some of what was sent is not valid.', body });
		}
		try {
			const result = await handlers[name](parsed.data as never, locals.messaging);
			if (name !== 'send' && request.headers.get('x-sveltekit-action') !== 'true') redirect(303, pageOf(url));
			return { action: name, ok: true as const, result, nextDraftId: name === 'send' ? randomUUID() : undefined };
		} catch (e) {
			if (e instanceof MessagingError) return fail(e.status, { action: name, ok: false as const, code: e.code, message: e.message, body });
			throw e;
		}
	};
}

/**
 * Where a plain form's done action sends the browser: the page it was posted from, without the
 * action's name. Rendered in the POST's answer, the address kept `&/archive`, and reloading asked
 * to post again (a reaction toggled back). A send still answers with the page: it says the message
 * went without a draft of it coming back, and posting it again stores it once.
 */
function pageOf(url: URL): string {
	const search = new URLSearchParams([...url.searchParams].filter(([key]) => !key.startsWith('/')));
	return `${url.pathname}${search.size ? `?${search}` : ''}`;
}

/** The messages page's named form actions, for `export { actions }` in a `+page.server.ts`. */
export const actions = formActions(Object.fromEntries((Object.keys(handlers) as MessagingAction[]).map((name) => [name, action(name)]))) as {
	[A in MessagingAction]: ReturnType<typeof action<A>>;
};
