import { formatConversationKey } from '../conversation-key';
import type {
	ConversationPreview,
	Cursor,
	InboxFilter,
	Message,
	MessagePage,
	MessagingEvent,
	OpenedConversation,
	ProductSummary,
	ReadState,
	UserSummary
} from '../schemas';
import { compareMessages, timeKey } from '../timeline';

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface ThreadMessage extends Message {
	status: DeliveryStatus;
	/** Why the last send failed, in words a person understands. */
	error?: string;
}

export interface Thread {
	key: string;
	conversationId: string | null;
	otherUser: UserSummary;
	product: ProductSummary | null;
	/** Oldest first. */
	messages: ThreadMessage[];
	/** Continues with older messages; null when the start of the conversation is loaded. */
	older: Cursor | null;
	readState: ReadState | null;
	blockedByMe: boolean;
	blockedMe: boolean;
}

type PreviewLike = Omit<ConversationPreview, 'key'> & { key?: string };

function belongs(preview: ConversationPreview, filter: InboxFilter): boolean {
	if (filter === 'archived') return preview.archived;
	if (preview.archived) return false;
	return filter === 'all' || preview.unread_count > 0;
}

/**
 * The client's view of the user's messaging: inbox previews and open threads, keyed by
 * conversation key. Server loads, live events, catch-up results and optimistic sends all
 * merge here by message id, so each message appears once, in order, whichever came first.
 * Create one per tab (never on the server, where it would be shared between requests).
 */
export class ConversationStore {
	readonly me: string;
	filter = $state<InboxFilter>('all');
	previews = $state<ConversationPreview[]>([]);
	inboxNext = $state<Cursor | null>(null);
	threads = $state<Record<string, Thread>>({});
	/** The header badge: the server's figure, refreshed by every load and every event. */
	unreadTotal = $state(0);
	#keys = new Map<string, string>();
	/** Threads kept in memory, least recently opened first; older ones are dropped to keep memory flat. */
	#recent: string[] = [];
	readonly maxThreads: number;

	constructor(options: { me: string; unreadTotal?: number; maxThreads?: number }) {
		this.me = options.me;
		this.maxThreads = options.maxThreads ?? 20;
		this.unreadTotal = options.unreadTotal ?? 0;
	}

	keyOf(conversationId: string): string | undefined {
		return this.#keys.get(conversationId);
	}

	/** A fresh first page of the inbox for a filter, as the server loaded it. */
	setInbox(filter: InboxFilter, page: { previews: ConversationPreview[]; next: Cursor | null }, unreadTotal?: number) {
		this.filter = filter;
		this.previews = [];
		this.inboxNext = page.next;
		if (unreadTotal !== undefined) this.unreadTotal = unreadTotal;
		for (const preview of page.previews) this.#upsertPreview(preview, false);
		this.#sortPreviews();
	}

	appendInbox(page: { previews: ConversationPreview[]; next: Cursor | null }) {
		for (const preview of page.previews) this.#upsertPreview(preview, false);
		this.inboxNext = page.next;
		this.#sortPreviews();
	}

	thread(key: string): Thread | undefined {
		return this.threads[key];
	}

	/** A thread as the server opened it; keeps messages this tab already had (pending ones included). */
	openThread(opened: OpenedConversation) {
		const existing = this.threads[opened.key];
		const thread: Thread = {
			key: opened.key,
			conversationId: opened.conversation_id,
			otherUser: opened.other_user,
			product: opened.product,
			messages: existing?.messages ?? [],
			older: opened.page.next,
			readState: opened.read_state,
			blockedByMe: opened.blocked_by_me,
			blockedMe: opened.blocked_me
		};
		this.threads[opened.key] = thread;
		if (opened.conversation_id) this.#keys.set(opened.conversation_id, opened.key);
		for (const message of opened.page.messages) this.#upsertMessage(opened.key, message);
		this.#touch(opened.key);
	}

	/** Older history loaded by scrolling up. */
	prependOlder(key: string, page: MessagePage) {
		const thread = this.threads[key];
		if (!thread) return;
		// One merge and one sort for the page, not one per message.
		const known = new Set(thread.messages.map((m) => m.id));
		const older: ThreadMessage[] = page.messages.filter((m) => !known.has(m.id)).map((m) => ({ ...m, status: 'sent' }));
		const sent = [...older, ...thread.messages.filter((m) => m.status === 'sent')].sort(compareMessages);
		thread.messages = [...sent, ...thread.messages.filter((m) => m.status !== 'sent')];
		thread.older = page.next;
	}

	/** Shows a message as "sending" before the server has it; `id` is the idempotency key reused by retries. */
	addPending(key: string, draft: { id: string; body: string; replyTo?: Message | null }, sender: UserSummary) {
		const thread = this.threads[key];
		if (!thread) return;
		const last = thread.messages.at(-1);
		const now = new Date();
		// Never before the newest message, so a pending message stays at the bottom whatever the clocks say.
		const createdAt = last && timeKey(last.created_at) >= now.getTime() * 1000 ? last.created_at : now.toISOString();
		const existing = thread.messages.find((m) => m.id === draft.id);
		if (existing) {
			existing.status = 'sending';
			existing.error = undefined;
			return;
		}
		thread.messages.push({
			id: draft.id,
			conversation_id: thread.conversationId ?? '00000000-0000-0000-0000-000000000000',
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
			product_id: thread.product?.id ?? null,
			product_title: thread.product?.title ?? null,
			product_price_cents: thread.product?.price_cents ?? null,
			product_currency: thread.product?.currency ?? null,
			product_image_url: thread.product?.image_url ?? null,
			status: 'sending'
		});
	}

	/** The server stored the message (the RPC's answer, or its echo; whichever comes first). */
	confirm(key: string, message: Message) {
		const thread = this.threads[key];
		if (thread && !thread.conversationId) {
			thread.conversationId = message.conversation_id;
			this.#keys.set(message.conversation_id, key);
		}
		this.#upsertMessage(key, message);
	}

	fail(key: string, id: string, error: string) {
		const message = this.threads[key]?.messages.find((m) => m.id === id);
		if (message && message.status === 'sending') {
			message.status = 'failed';
			message.error = error;
		}
	}

	setReadState(key: string, readState: ReadState) {
		const thread = this.threads[key];
		if (thread) thread.readState = readState;
		this.#applyReadState(readState);
	}

	setBlocked(key: string, blockedByMe: boolean) {
		const thread = this.threads[key];
		if (thread) thread.blockedByMe = blockedByMe;
	}

	/** Applies one event of the user's log: a message, an edit or delete, a read position, an archive or mute. */
	applyEvent(event: MessagingEvent) {
		if (event.payload.unread_total !== undefined) this.unreadTotal = event.payload.unread_total;
		switch (event.type) {
			case 'message.created':
			case 'message.updated': {
				const { message, preview } = event.payload;
				const key = preview ? this.#upsertPreview(preview, true) : this.#keys.get(event.conversation_id);
				if (key && this.threads[key]) {
					this.#upsertMessage(key, message);
					if (preview) this.#mergeReadIntoThread(key, preview);
				}
				break;
			}
			case 'read':
				this.#applyReadState(event.payload.read_state);
				break;
			case 'conversation.updated': {
				if (event.payload.preview) this.#upsertPreview(event.payload.preview, true);
				this.#applyReadState(event.payload.read_state);
				break;
			}
			case 'block.updated': {
				const { other_user_id, by_me, blocked } = event.payload;
				for (const thread of Object.values(this.threads)) {
					if (thread.otherUser.id !== other_user_id) continue;
					if (by_me) thread.blockedByMe = blocked;
					else thread.blockedMe = blocked;
				}
				break;
			}
		}
	}

	#touch(key: string) {
		this.#recent = this.#recent.filter((k) => k !== key);
		this.#recent.push(key);
		this.#trim();
	}

	#trim() {
		while (this.#recent.length > this.maxThreads) {
			const dropped = this.#recent.shift()!;
			delete this.threads[dropped];
		}
	}

	#upsertMessage(key: string, message: Message) {
		const thread = this.threads[key];
		if (!thread) return;
		const item: ThreadMessage = { ...message, status: 'sent' };
		const index = thread.messages.findIndex((m) => m.id === message.id);
		if (index >= 0) {
			const current = thread.messages[index];
			// An older copy never overwrites a newer one (an edit's echo arriving before a stale page).
			if (current.status === 'sent' && !isNewer(message, current)) return;
			thread.messages[index] = item;
			if (current.status === 'sent' && current.created_at === message.created_at) return;
		} else {
			const last = thread.messages.at(-1);
			thread.messages.push(item);
			if (!last || (last.status === 'sent' && compareMessages(last, item) < 0)) return;
		}
		// Server order for what the server has; messages still sending or failed stay at the bottom.
		const sent = thread.messages.filter((m) => m.status === 'sent').sort(compareMessages);
		const pending = thread.messages.filter((m) => m.status !== 'sent');
		thread.messages = [...sent, ...pending];
	}

	#upsertPreview(row: PreviewLike, live: boolean): string {
		const key = row.key ?? formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id });
		const preview: ConversationPreview = { ...row, key };
		this.#keys.set(preview.conversation_id, key);
		const index = this.previews.findIndex((p) => p.conversation_id === preview.conversation_id);
		if (index >= 0) {
			// A late page never replaces a newer row (nor its unread count).
			if (timeKey(this.previews[index].last_message_at) > timeKey(preview.last_message_at)) return key;
			if (belongs(preview, this.filter)) this.previews[index] = preview;
			else this.previews.splice(index, 1);
		} else if (belongs(preview, this.filter)) {
			// Live: newest activity goes on top; an older conversation beyond the loaded page waits for paging.
			const last = this.previews.at(-1);
			if (!live || !this.inboxNext || !last || timeKey(preview.last_message_at) >= timeKey(last.last_message_at)) {
				this.previews.push(preview);
			}
		}
		if (live) this.#sortPreviews();
		return key;
	}

	#sortPreviews() {
		this.previews.sort(
			(a, b) => timeKey(b.last_message_at) - timeKey(a.last_message_at) || (a.conversation_id < b.conversation_id ? 1 : -1)
		);
	}

	#mergeReadIntoThread(key: string, preview: PreviewLike) {
		const thread = this.threads[key];
		if (!thread?.readState) return;
		thread.readState.unread_count = preview.unread_count;
		thread.readState.other_last_read_at = preview.other_last_read_at;
	}

	#applyReadState(readState: ReadState) {
		const key = this.#keys.get(readState.conversation_id);
		if (key && this.threads[key]) this.threads[key].readState = readState;
		const preview = this.previews.find((p) => p.conversation_id === readState.conversation_id);
		if (preview) {
			preview.unread_count = readState.unread_count;
			preview.other_last_read_at = readState.other_last_read_at;
			preview.archived = readState.archived;
			preview.muted_until = readState.muted_until;
			if (!belongs(preview, this.filter)) this.previews = this.previews.filter((p) => p !== preview);
		}
	}
}

function isNewer(incoming: Message, current: Message): boolean {
	const stamp = (m: Message) => Math.max(m.edited_at ? timeKey(m.edited_at) : 0, m.deleted_at ? timeKey(m.deleted_at) : 0);
	return stamp(incoming) >= stamp(current);
}
