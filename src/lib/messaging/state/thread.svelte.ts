import type { WaitReason } from '../api';
import type {
	Attachment,
	ConversationPreviewRow,
	Cursor,
	Message,
	MessagePage,
	OpenedConversation,
	ProductSummary,
	ReactionEmoji,
	ReadState,
	UserSummary
} from '../schemas';
import { compareMessages, sortMessages, timeKey } from '../timeline';
import { eventAge, isStaleCopy, pageAge, photosOf, quoteOf } from './message-merge';
import { hasReacted, withReaction } from './reactions';
import type { PendingDraft, ThreadMessage } from './thread-message';

export type { DeliveryStatus, PendingDraft, ThreadMessage } from './thread-message';

/** The viewer's reaction toggles the server has not answered yet: what they want shown, and how many requests are out. */
interface WantedReaction {
	on: boolean;
	userId: string;
	inFlight: number;
}

/**
 * One open conversation: its messages oldest first, where older history continues, both
 * members' read positions, block state and the sends still on their way. Server pages, live
 * events, catch-up and optimistic sends all merge here by message id, so each message shows
 * once, in (created_at, id) order, its newest edit winning; messages still sending or failed
 * stay at the bottom. The viewer's own reaction toggles show at once and survive any copy that
 * arrives before the server answers them.
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
	/** How recent each shown copy is on the event log, where known (see message-merge). */
	#ages = new Map<string, number>();
	#cursor = 0;
	#wanted = new Map<string, Map<ReactionEmoji, WantedReaction>>();

	/** `cursor`: where the user's event log stood when the server read this thread. */
	constructor(opened: OpenedConversation, options: { cursor?: number } = {}) {
		this.key = opened.key;
		this.refresh(opened, options);
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
	/** Nothing new can be written here: a block either way, or the other member deleted their account. */
	get closed() {
		return this.#blockedByMe || this.#blockedMe || this.#otherUser.deleted === true;
	}
	/** Where the user's event log stands for this thread: a page requested now holds everything up to it. */
	get cursor() {
		return this.#cursor;
	}

	/** The thread as the server (re)loaded it; keeps messages this tab already had, pending ones included. */
	refresh(opened: OpenedConversation, options: { cursor?: number } = {}) {
		this.#conversationId = opened.conversation_id;
		this.#otherUser = opened.other_user;
		this.#product = opened.product;
		this.#older = opened.page.next;
		this.#readState = opened.read_state;
		this.#blockedByMe = opened.blocked_by_me;
		this.#blockedMe = opened.blocked_me;
		if (options.cursor !== undefined) this.#cursor = Math.max(this.#cursor, options.cursor);
		this.#merge(opened.page.messages, options.cursor === undefined ? undefined : pageAge(options.cursor));
	}

	/** Older history loaded by scrolling up; `cursor`: the thread's cursor when it was requested. */
	prependOlder(page: MessagePage, options: { cursor?: number } = {}) {
		this.#merge(page.messages, options.cursor === undefined ? undefined : pageAge(options.cursor));
		this.#older = page.next;
	}

	addPending(draft: PendingDraft, sender: UserSummary) {
		const existing = this.#messages.find((m) => m.id === draft.id);
		if (existing) {
			existing.status = 'sending';
			existing.error = undefined;
			existing.waiting = undefined;
			return;
		}
		const last = this.#messages.at(-1);
		const now = draft.createdAt ? new Date(draft.createdAt) : new Date();
		// Never before the newest message, so a pending message stays at the bottom whatever the clocks say.
		const createdAt = last && timeKey(last.created_at) >= now.getTime() * 1000 ? last.created_at : now.toISOString();
		const product = this.#product;
		// The quote as the thread has it now: the kept preview may predate an edit or a deletion.
		const quoted = draft.reply && this.#messages.find((m) => m.id === draft.reply?.id);
		this.#messages.push({
			id: draft.id,
			conversation_id: this.#conversationId ?? '00000000-0000-0000-0000-000000000000',
			sender_id: sender.id,
			sender_username: sender.username,
			sender_display_name: sender.display_name,
			sender_avatar_url: sender.avatar_url,
			kind: 'text',
			body: draft.body,
			reply_to_id: draft.reply?.id ?? null,
			reply_to_sender_id: draft.reply?.sender_id ?? null,
			reply_to_preview: draft.reply?.preview ?? null,
			reply_to_deleted: false,
			...(quoted ? quoteOf(quoted) : {}),
			created_at: createdAt,
			edited_at: null,
			deleted_at: null,
			product_id: product?.id ?? null,
			product_title: product?.title ?? null,
			product_price_cents: product?.price_cents ?? null,
			product_currency: product?.currency ?? null,
			product_image_url: product?.image_url ?? null,
			attachments: draft.attachments ?? [],
			reactions: [],
			payload: null,
			offer: null,
			contact_hidden: false,
			status: 'sending'
		});
	}

	/** The server has the message: the RPC's answer, its echo or an edit, whichever comes first; `eventId` when an event carried it. */
	confirm(message: Message, eventId?: number) {
		this.#conversationId ??= message.conversation_id;
		if (eventId !== undefined) this.#cursor = Math.max(this.#cursor, eventId);
		this.#merge([message], eventId === undefined ? undefined : eventAge(eventId));
	}

	/**
	 * An action's answer: the message as the action stored it, at least as new as the log stood
	 * when it was asked (`askedAt`, this thread's `cursor` then). An event applied since may be
	 * newer still (the other member's reaction, their accept of the offer countered) and stays: the
	 * answer, aged as nothing, took it away until the next event; the action's own event follows
	 * anyway. Without `askedAt` (the thread opened meanwhile), judged by stamps alone.
	 */
	answer(message: Message, askedAt?: number) {
		this.#conversationId ??= message.conversation_id;
		this.#merge([message], askedAt === undefined ? undefined : pageAge(askedAt));
	}

	/**
	 * Shows the viewer's reaction toggled at once, ahead of the server. Returns whether it is now
	 * on, or null for a message that takes no reactions (not sent yet, deleted, a system message).
	 */
	react(id: string, emoji: ReactionEmoji, me: string): boolean | null {
		const message = this.#messages.find((m) => m.id === id);
		if (!message || message.status !== 'sent' || message.deleted_at !== null || message.kind !== 'text') return null;
		const on = !hasReacted(message.reactions, emoji, me);
		const wanted = this.#wanted.get(id) ?? new Map<ReactionEmoji, WantedReaction>();
		this.#wanted.set(id, wanted);
		wanted.set(emoji, { on, userId: me, inFlight: (wanted.get(emoji)?.inFlight ?? 0) + 1 });
		message.reactions = withReaction(message.reactions, emoji, me, on);
		return on;
	}

	/** The server's answer to a toggle asked at `askedAt` (see answer): the message as stored (the truth once no toggle is out), or null when it failed (undone). */
	reactSettled(id: string, emoji: ReactionEmoji, answer: Message | null, askedAt?: number) {
		const wanted = this.#wanted.get(id);
		const toggle = wanted?.get(emoji);
		if (wanted && toggle) {
			toggle.inFlight -= 1;
			// Toggles commute: one that failed never happened, so the wish flips back.
			if (!answer) toggle.on = !toggle.on;
			if (toggle.inFlight === 0) wanted.delete(emoji);
			if (wanted.size === 0) this.#wanted.delete(id);
			const message = this.#messages.find((m) => m.id === id);
			if (!answer && message) message.reactions = withReaction(message.reactions, emoji, toggle.userId, toggle.on);
		}
		if (answer) this.answer(answer, askedAt);
	}

	/** A send failed; `waiting` when it goes again by itself (see ThreadMessage.waiting). */
	fail(id: string, error: string, waiting?: WaitReason) {
		const message = this.#messages.find((m) => m.id === id);
		if (message && message.status === 'sending') {
			message.status = 'failed';
			message.error = error;
			message.waiting = waiting;
		}
	}

	/** Drops a failed send that is not on its way again, as its sender chose (the outbox forgets it too). */
	discard(id: string) {
		this.#messages = this.#messages.filter((m) => m.id !== id || m.status !== 'failed');
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

	/** The listing as the server answered a change of its status (the listing action). */
	setProduct(product: ProductSummary) {
		if (this.#product?.id === product.id) this.#product = product;
	}

	/**
	 * Every message event's preview carries the listing's status as of that event: a listing
	 * reserved or sold from another conversation reaches this one that way, live (not whom for).
	 */
	followListing(preview: Pick<ConversationPreviewRow, 'product_id' | 'product_status'>) {
		const product = this.#product;
		if (!product || preview.product_id !== product.id || !preview.product_status || preview.product_status === product.status) return;
		this.#product = { ...product, status: preview.product_status, reserved_for: null };
	}

	/**
	 * The other member deleted their account, as a preview says (the erase sends every partner
	 * one): the thread shows them as the erase left them, and takes nothing new.
	 */
	followMember(preview: Pick<ConversationPreviewRow, 'other_user_id' | 'other_username' | 'other_display_name' | 'other_avatar_url' | 'other_deleted'>) {
		const other = this.#otherUser;
		if (!preview.other_deleted || other.deleted || preview.other_user_id !== other.id) return;
		this.#otherUser = { ...other, username: preview.other_username, display_name: preview.other_display_name, avatar_url: preview.other_avatar_url, deleted: true };
	}

	setBlocked(side: 'byMe' | 'me', blocked: boolean) {
		if (side === 'byMe') this.#blockedByMe = blocked;
		else this.#blockedMe = blocked;
	}

	/** One copy as shown: the photos it keeps and the viewer's unanswered reaction toggles on top. */
	#shown(message: Message, current?: Message): ThreadMessage {
		let reactions = message.reactions;
		for (const [emoji, toggle] of this.#wanted.get(message.id) ?? []) reactions = withReaction(reactions, emoji, toggle.userId, toggle.on);
		return { ...message, attachments: photosOf(message, current), reactions, status: 'sent' };
	}

	#merge(incoming: Message[], age?: number) {
		let reorder = false;
		const requoted: ThreadMessage[] = [];
		const indexOf = new Map(this.#messages.map((m, i) => [m.id, i]));
		for (const message of incoming) {
			const index = indexOf.get(message.id);
			const current = index === undefined ? undefined : this.#messages[index];
			// An older copy never overwrites a newer one (an edit's echo arriving before a stale page).
			if (current?.status === 'sent' && isStaleCopy(message, age, current, this.#ages.get(message.id))) continue;
			if (age === undefined) this.#ages.delete(message.id);
			else this.#ages.set(message.id, age);
			const item = this.#shown(message, current);
			if (index === undefined || !current) {
				const last = this.#messages.at(-1);
				indexOf.set(message.id, this.#messages.push(item) - 1);
				if (last && (last.status !== 'sent' || compareMessages(last, item) > 0)) reorder = true;
				continue;
			}
			this.#messages[index] = item;
			if (current.status !== 'sent' || current.created_at !== message.created_at) reorder = true;
			// The replies that quote it show the edit or the deletion too, as a reload would.
			if (current.body !== item.body || current.deleted_at !== item.deleted_at) requoted.push(item);
		}
		for (const quoted of requoted) for (const reply of this.#messages) if (reply.reply_to_id === quoted.id) Object.assign(reply, quoteOf(quoted));
		if (!reorder) return;
		// One sort for the whole batch: server order for what the server has, the rest at the bottom.
		const sent = sortMessages(this.#messages.filter((m) => m.status === 'sent'));
		this.#messages = [...sent, ...this.#messages.filter((m) => m.status !== 'sent')];
	}
}
