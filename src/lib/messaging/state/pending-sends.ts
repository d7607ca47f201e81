import { z } from 'zod';
import { MAX_ATTACHMENTS } from '../attachments/image-type';
import { tryParseConversationKey } from '../conversation-key';
import { Attachment, Id, isBlankBody, type Message } from '../schemas';
import { quotedText } from './message-merge';
import type { PendingDraft, ThreadState } from './thread.svelte';

/**
 * The sends a member made that the server has not yet stored or refused for good, kept in the
 * browser's localStorage: a reload, a closed tab or a crash while a message is on its way (or
 * waits for a connection) no longer loses it, and the next page of that member, in any tab,
 * sends it again. localStorage rather than sessionStorage (where drafts are) because a tab closed
 * and a new one opened must find it.
 *
 * Each send is its sender's: a conversation key is relative to the viewer, so another member
 * could open the same key. Sends are kept under their sender's id, and every send not of the
 * member signed in is forgotten once a page shows who that is. A page that shows nobody forgets
 * nothing, unlike drafts: with the database out of reach a signed-in member's pages carry no
 * session either, and the sends made then are the ones waiting here. Storage refused (private
 * modes, quotas) keeps nothing; the tab still holds them in memory (see Outbox).
 */
const PREFIX = 'bazaar-messaging:outbox:';

const keyOf = (member: string, id: string) => `${PREFIX}${member}:${id}`;

/** Whether a storage key (another tab's `storage` event) is one of `member`'s kept sends. */
export const isPendingSendKey = (member: string | null, key: string | null): boolean => member !== null && key !== null && key.startsWith(`${PREFIX}${member}:`);

/** A send as its form posted it; read back from storage, so parsed like any other input. */
export const PendingSend = z.object({
	id: Id,
	/** The thread it was written in, from its sender's side: where it shows, and where a first message goes. */
	key: z.string().refine((key) => tryParseConversationKey(key) !== null),
	conversation_id: Id.nullable(),
	/** As typed: the server knows a send again by its id and this body (check_resent). */
	body: z.string().max(20_000),
	reply_to: z.object({ id: Id, sender_id: Id, preview: z.string().max(200) }).nullable(),
	/** Uploaded photos: pending on the server, and valid, until a message takes them or they are purged. */
	attachments: z.array(Attachment).max(MAX_ATTACHMENTS),
	created_at: z.iso.datetime()
});
export type PendingSend = z.infer<typeof PendingSend>;

/** Whether storage took it: false leaves it in the tab's memory alone. `member` null keeps nothing. */
export function keepPendingSend(member: string | null, send: PendingSend): boolean {
	if (!member) return false;
	try {
		localStorage.setItem(keyOf(member, send.id), JSON.stringify(send));
		return true;
	} catch {
		return false;
	}
}

/**
 * The member's kept sends, oldest first. An entry that does not read as a send (written by
 * another version, or by hand) could not be sent as it was written; it is dropped.
 */
export function readPendingSends(member: string | null): PendingSend[] {
	if (!member) return [];
	const own = `${PREFIX}${member}:`;
	const sends: PendingSend[] = [];
	try {
		const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).filter((key) => key?.startsWith(own));
		for (const key of keys as string[]) {
			const parsed = PendingSend.safeParse(parseJson(localStorage.getItem(key)));
			if (parsed.success && key === keyOf(member, parsed.data.id)) sends.push(parsed.data);
			else localStorage.removeItem(key);
		}
	} catch {
		// Storage refused: what was read so far is all there is.
	}
	return sends.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
}

/** Whether storage still has it; true when storage cannot say (refused), so that nothing is held back for that. */
export function hasPendingSend(member: string | null, id: string): boolean {
	if (!member) return true;
	try {
		return localStorage.getItem(keyOf(member, id)) !== null;
	} catch {
		return true;
	}
}

export function forgetPendingSend(member: string | null, id: string): void {
	if (!member) return;
	try {
		localStorage.removeItem(keyOf(member, id));
	} catch {
		// Storage refused: nothing was kept either.
	}
}

/** Forgets every kept send that is not `member`'s, so none is shown to or sent as the member signed in. */
export function forgetOthersPendingSends(member: string): void {
	try {
		const own = `${PREFIX}${member}:`;
		const others = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).filter((key) => key?.startsWith(PREFIX) && !key.startsWith(own));
		for (const key of others as string[]) localStorage.removeItem(key);
	} catch {
		// Storage refused: nothing was kept either.
	}
}

function parseJson(text: string | null): unknown {
	try {
		return text === null ? null : JSON.parse(text);
	} catch {
		return null;
	}
}

/** A send as the composer posts it, written in `thread`. */
export function pendingSend(
	thread: ThreadState,
	draft: { id: string; body: string; replyTo?: Pick<Message, 'id' | 'sender_id' | 'body'> | null; attachments?: Attachment[] }
): PendingSend {
	const reply = draft.replyTo ? { id: draft.replyTo.id, sender_id: draft.replyTo.sender_id, preview: quotedText(draft.replyTo.body) } : null;
	return {
		id: draft.id,
		key: thread.key,
		conversation_id: thread.conversationId,
		body: draft.body,
		reply_to: reply,
		attachments: draft.attachments ?? [],
		created_at: new Date().toISOString()
	};
}

/** How a kept send shows in its thread: the body as the server will store it. */
export function draftOf(send: PendingSend): PendingDraft {
	return { id: send.id, body: isBlankBody(send.body) ? '' : send.body.trim(), reply: send.reply_to, attachments: send.attachments, createdAt: send.created_at };
}
