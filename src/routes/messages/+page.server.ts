import { randomUUID } from 'node:crypto';
import { error, fail } from '@sveltejs/kit';
import { z } from 'zod';
import { tryParseConversationKey, type ConversationKeyParts } from '$lib/messaging/conversation-key';
import { MessagingError } from '$lib/messaging/errors';
import { InboxFilter, ReportReason } from '$lib/messaging/schemas';
import { asFormResult, orErrorPage } from '$lib/server/backend/user-errors';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals, parent }) => {
	if (!locals.user) error(401, { message: 'Sign in to see your messages.' });
	// The layout reads the realtime cursor; our data must be read after it, or an event committed
	// in between would be neither in the data nor after the cursor.
	await parent();
	const filter = InboxFilter.catch('all').parse(url.searchParams.get('filter') ?? 'all');
	const key = url.searchParams.get('conversation');
	const query = (url.searchParams.get('q') ?? '').trim();
	let parts: ConversationKeyParts | null = null;
	if (key !== null) {
		parts = tryParseConversationKey(key);
		if (!parts) error(400, { message: 'This conversation link is not valid.' });
	}
	const [inbox, opened, search] = await Promise.all([
		locals.messaging.listConversationPreviews({ filter }),
		parts ? orErrorPage(() => locals.messaging.openConversation(parts)) : null,
		query ? searchOrMessage(locals, query) : null
	]);
	return {
		filter,
		query,
		inbox,
		opened,
		search,
		// For sending without JavaScript: the idempotency key of the next message, so a resubmitted form stores it once.
		draftId: randomUUID()
	};
};

/** A search a person got wrong (too long, no words) shows its message above the inbox; real failures still throw. */
async function searchOrMessage(locals: App.Locals, query: string) {
	try {
		return { page: await locals.messaging.searchMessages({ query }), message: null };
	} catch (e) {
		if (e instanceof MessagingError) return { page: null, message: e.message };
		throw e;
	}
}

const Key = z.string().transform((value, ctx) => {
	const parts = tryParseConversationKey(value);
	if (!parts) {
		ctx.addIssue({ code: 'custom', message: 'This conversation link is not valid.' });
		return z.NEVER;
	}
	return parts;
});
const Uuid = z.uuid();

function field(form: FormData, name: string): string {
	const value = form.get(name);
	return typeof value === 'string' ? value : '';
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, action: string) {
	const result = schema.safeParse(value);
	if (!result.success) {
		const message = result.error.issues[0]?.message ?? 'Some of what was sent is not valid.';
		return { ok: false as const, failure: { action, ok: false as const, code: 'invalid_input', message } };
	}
	return { ok: true as const, value: result.data };
}

export const actions: Actions = {
	send: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(
			z.object({ key: Key, id: Uuid, body: z.string().max(20_000, 'Messages can be at most 4000 characters.'), reply_to: Uuid.nullable() }),
			{ key: field(form, 'key'), id: field(form, 'id'), body: field(form, 'body'), reply_to: field(form, 'reply_to') || null },
			'send'
		);
		if (!input.ok) return badRequest(input.failure, field(form, 'body'));
		const { key, id, body, reply_to } = input.value;
		const result = await asFormResult('send', () =>
			locals.messaging.sendMessage({ id, body, to: key, replyToId: reply_to })
		);
		if ('status' in result) return keepingBody(result, body);
		return { ...result, nextDraftId: randomUUID() };
	},
	edit: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ id: Uuid, body: z.string().max(20_000, 'Messages can be at most 4000 characters.') }), { id: field(form, 'id'), body: field(form, 'body') }, 'edit');
		if (!input.ok) return badRequest(input.failure, field(form, 'body'));
		return asFormResult('edit', () => locals.messaging.editMessage(input.value));
	},
	delete: async ({ request, locals }) => {
		const input = parsed(Uuid, field(await request.formData(), 'id'), 'delete');
		if (!input.ok) return badRequest(input.failure);
		return asFormResult('delete', () => locals.messaging.deleteMessage({ id: input.value }));
	},
	archive: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ conversation_id: Uuid, archived: z.enum(['true', 'false']) }), {
			conversation_id: field(form, 'conversation_id'),
			archived: field(form, 'archived')
		}, 'archive');
		if (!input.ok) return badRequest(input.failure);
		return asFormResult('archive', () =>
			locals.messaging.setArchived({ conversationId: input.value.conversation_id, archived: input.value.archived === 'true' })
		);
	},
	mute: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ conversation_id: Uuid, muted: z.enum(['true', 'false']) }), {
			conversation_id: field(form, 'conversation_id'),
			muted: field(form, 'muted')
		}, 'mute');
		if (!input.ok) return badRequest(input.failure);
		return asFormResult('mute', () =>
			locals.messaging.setMuted({ conversationId: input.value.conversation_id, until: input.value.muted === 'true' ? 'infinity' : null })
		);
	},
	block: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ user_id: Uuid, blocked: z.enum(['true', 'false']) }), {
			user_id: field(form, 'user_id'),
			blocked: field(form, 'blocked')
		}, 'block');
		if (!input.ok) return badRequest(input.failure);
		const { user_id, blocked } = input.value;
		return asFormResult('block', () =>
			blocked === 'true' ? locals.messaging.blockUser({ userId: user_id }) : locals.messaging.unblockUser({ userId: user_id })
		);
	},
	report: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ message_id: Uuid, reason: ReportReason, details: z.string().max(1000) }), {
			message_id: field(form, 'message_id'),
			reason: field(form, 'reason'),
			details: field(form, 'details')
		}, 'report');
		if (!input.ok) return badRequest(input.failure);
		return asFormResult('report', () =>
			locals.messaging.reportMessage({ messageId: input.value.message_id, reason: input.value.reason, details: input.value.details })
		);
	},
	read: async ({ request, locals }) => {
		const form = await request.formData();
		const input = parsed(z.object({ conversation_id: Uuid, up_to: Uuid.nullable() }), {
			conversation_id: field(form, 'conversation_id'),
			up_to: field(form, 'up_to') || null
		}, 'read');
		if (!input.ok) return badRequest(input.failure);
		return asFormResult('read', () =>
			locals.messaging.markConversationRead({ conversationId: input.value.conversation_id, upToMessageId: input.value.up_to })
		);
	}
};

function badRequest(failure: { action: string; ok: false; code: string; message: string }, body?: string) {
	return fail(400, { ...failure, body });
}

/** A refused send keeps what the person wrote, so nothing typed is lost. */
function keepingBody<T extends { status: number; data: object }>(result: T, body: string) {
	return fail(result.status, { ...result.data, body });
}
