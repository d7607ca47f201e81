import type { Cursor, Message, MessagePage, OpenedConversation, ProductSummary, ReadState, UserSummary } from '../schemas';
import { compareMessages, timeKey } from '../timeline';

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface ThreadMessage extends Message {
	status: DeliveryStatus;
	/** Why the last send failed, in words a person understands. */
	error?: string;
}

/** A draft shown as "sending" before the server has it; `id` is the idempotency key its retries reuse. */
export interface PendingDraft {
	id: string;
	body: string;
	replyTo?: Message | null;
}

/**
 * One open conversation: its messages oldest first, where older history continues, both
 * members' read positions, block state and the sends still on their way. Server pages, live
 * events, catch-up and optimistic sends all merge here by message id, so each message shows
 * once, in (created_at, id) order, its newest edit winning; messages still sending or failed
 * stay at the bottom.
 */
export class ThreadState {
	readonly key: string;
	#conversationId = $state<string | null>(null);
	#otherUser = $state.raw<UserSummary>() as UserSummary;
	#product = $state.raw<ProductSummary | null>(null);
	#messages = $state<ThreadMessage[]>([]);
	#older = $state.raw<Cursor | null>(null);
	#readState = $state<ReadState | null>(null);
	#blockedByMe = $state(false);
	#blockedMe = $state(false);

	constructor(opened: OpenedConversation) {
		this.key = opened.key;
		this.refresh(opened);
	}

	get conversationId() {
		return this.#conversationId;
	}
	get otherUser() {
		return this.#otherUser;
	}
	get product() {
		return this.#product;
	}
	/** Oldest first. */
	get messages(): readonly ThreadMessage[] {
		return this.#messages;
	}
	/** Continues with older messages; null when the start of the conversation is loaded. */
	get older() {
		return this.#older;
	}
	get readState() {
		return this.#readState;
	}
	get blockedByMe() {
		return this.#blockedByMe;
	}
	get blockedMe() {
		return this.#blockedMe;
	}

	/** The thread as the server (re)loaded it; keeps messages this tab already had, pending ones included. */
	refresh(opened: OpenedConversation) {
		this.#conversationId = opened.conversation_id;
		this.#otherUser = opened.other_user;
		this.#product = opened.product;
		this.#older = opened.page.next;
		this.#readState = opened.read_state;
		this.#blockedByMe = opened.blocked_by_me;
		this.#blockedMe = opened.blocked_me;
		this.#merge(opened.page.messages);
	}

	/** Older history loaded by scrolling up. */
	prependOlder(page: MessagePage) {
		this.#merge(page.messages);
		this.#older = page.next;
	}

	addPending(draft: PendingDraft, sender: UserSummary) {
		const existing = this.#messages.find((m) => m.id === draft.id);
		if (existing) {
			existing.status = 'sending';
			existing.error = undefined;
			return;
		}
		const last = this.#messages.at(-1);
		const now = new Date();
		// Never before the newest message, so a pending message stays at the bottom whatever the clocks say.
		const createdAt = last && timeKey(last.created_at) >= now.getTime() * 1000 ? last.created_at : now.toISOString();
		const product = this.#product;
		this.#messages.push({
			id: draft.id,
			conversation_id: this.#conversationId ?? '00000000-0000-0000-0000-000000000000',
			sender_id: sender.id,
			sender_username: sender.username,
			sender_display_name: sender.display_name,
			sender_avatar_url: sender.avatar_url,
			kind: 'text',
			body: draft.body,
			reply_to_id: draft.replyTo?.id ?? null,
			reply_to_sender_id: draft.replyTo?.sender_id ?? null,
			reply_to_preview: draft.replyTo?.body.slice(0, 140) ?? null,
			reply_to_deleted: false,
			created_at: createdAt,
			edited_at: null,
			deleted_at: null,
			product_id: product?.id ?? null,
			product_title: product?.title ?? null,
			product_price_cents: product?.price_cents ?? null,
			product_currency: product?.currency ?? null,
			product_image_url: product?.image_url ?? null,
			status: 'sending'
		});
	}

	/** The server has the message: the RPC's answer, its echo or an edit, whichever comes first. */
	confirm(message: Message) {
		this.#conversationId ??= message.conversation_id;
		this.#merge([message]);
	}

	fail(id: string, error: string) {
		const message = this.#messages.find((m) => m.id === id);
		if (message && message.status === 'sending') {
			message.status = 'failed';
			message.error = error;
		}
	}

	setReadState(readState: ReadState) {
		this.#readState = readState;
	}

	/** A preview row carries the newest counts; the rest of the read state stays. */
	mergeCounts(counts: { unread_count: number; other_last_read_at: string | null }) {
		if (!this.#readState) return;
		this.#readState.unread_count = counts.unread_count;
		this.#readState.other_last_read_at = counts.other_last_read_at;
	}

	setBlocked(side: 'byMe' | 'me', blocked: boolean) {
		if (side === 'byMe') this.#blockedByMe = blocked;
		else this.#blockedMe = blocked;
	}

	#merge(incoming: Message[]) {
		let reorder = false;
		const indexOf = new Map(this.#messages.map((m, i) => [m.id, i]));
		for (const message of incoming) {
			const item: ThreadMessage = { ...message, status: 'sent' };
			const index = indexOf.get(message.id);
			if (index === undefined) {
				const last = this.#messages.at(-1);
				indexOf.set(message.id, this.#messages.push(item) - 1);
				if (last && (last.status !== 'sent' || compareMessages(last, item) > 0)) reorder = true;
				continue;
			}
			const current = this.#messages[index];
			// An older copy never overwrites a newer one (an edit's echo arriving before a stale page).
			if (current.status === 'sent' && !isNewer(message, current)) continue;
			this.#messages[index] = item;
			if (current.status !== 'sent' || current.created_at !== message.created_at) reorder = true;
		}
		if (!reorder) return;
		// One sort for the whole batch: server order for what the server has, the rest at the bottom.
		const sent = this.#messages.filter((m) => m.status === 'sent').sort(compareMessages);
		this.#messages = [...sent, ...this.#messages.filter((m) => m.status !== 'sent')];
	}
}

function isNewer(incoming: Message, current: Message): boolean {
	const stamp = (m: Message) => Math.max(m.edited_at ? timeKey(m.edited_at) : 0, m.deleted_at ? timeKey(m.deleted_at) : 0);
	return stamp(incoming) >= stamp(current);
}
