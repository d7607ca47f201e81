import { formatConversationKey } from '../conversation-key';
import type { ConversationPreview, ConversationPreviewRow, Cursor, InboxFilter, MessagingEvent, PreviewPage, ReadState } from '../schemas';
import { timeKey } from '../timeline';

/** A preview row as events carry it (without the key) or as pages carry it (with). */
export type PreviewLike = ConversationPreviewRow & { key?: string };

/**
 * Whether a conversation is listed under a filter as it is now: a live row joins or leaves the
 * list by this (answering takes it out of "Needs reply", a new message from the other member
 * puts it back). A listing's conversations include archived ones.
 */
function belongs(preview: ConversationPreview, filter: InboxFilter, productId: string | null): boolean {
	if (filter === 'listing') return productId !== null && preview.product_id === productId;
	if (filter === 'archived') return preview.archived;
	if (preview.archived) return false;
	if (filter === 'unread') return preview.unread_count > 0;
	if (filter === 'needs_reply') return preview.needs_reply;
	return true;
}

/**
 * The inbox as this tab shows it: previews for one filter, newest activity first, where the
 * next page starts, and the unread total of the header badge. Pages and live rows merge by
 * conversation; a late page never replaces a newer row.
 */
export class InboxState {
	#filter = $state<InboxFilter>('all');
	#productId = $state<string | null>(null);
	#previews = $state<ConversationPreview[]>([]);
	#next = $state.raw<Cursor | null>(null);
	#unreadTotal = $state(0);
	/** The event id the badge's figure was true at: an older figure (a page read before an event came) never replaces it. */
	#unreadTotalAt = -1;
	#open: string | null = null;

	constructor(options: { unreadTotal?: number } = {}) {
		this.#unreadTotal = options.unreadTotal ?? 0;
	}

	get filter() {
		return this.#filter;
	}
	/** The product whose conversations the `listing` filter shows; null for the other filters. */
	get productId() {
		return this.#productId;
	}
	get previews(): readonly ConversationPreview[] {
		return this.#previews;
	}
	/** Where the next page starts; null when everything is loaded. */
	get next() {
		return this.#next;
	}
	/** The header badge: the server's figure, refreshed by every load and every event. */
	get unreadTotal() {
		return this.#unreadTotal;
	}

	/**
	 * A fresh first page for a filter, as the server loaded it; the `listing` filter names its
	 * product, and `open` the conversation the page shows beside it. Events that came while the
	 * page was on its way are applied again over it (MessagingClient.showPage).
	 */
	set(filter: InboxFilter, page: PreviewPage, options: { unreadTotal?: number; productId?: string | null; open?: string | null } = {}) {
		this.#open = options.open ?? null;
		this.#filter = filter;
		this.#productId = filter === 'listing' ? (options.productId ?? null) : null;
		this.#previews = [];
		this.#next = page.next;
		if (options.unreadTotal !== undefined) this.#unreadTotal = options.unreadTotal;
		for (const preview of page.previews) this.upsert(preview, false);
		this.#sort();
	}

	append(page: PreviewPage) {
		for (const preview of page.previews) this.upsert(preview, false);
		this.#next = page.next;
		this.#sort();
	}

	/** `at`: the event id the figure was read at (an event's own, or a page's cursor); without it the figure is taken as it is. */
	setUnreadTotal(total: number, at?: number) {
		if (at !== undefined) {
			if (at < this.#unreadTotalAt) return;
			this.#unreadTotalAt = at;
		}
		this.#unreadTotal = total;
	}

	/** Merges one row; `live` rows (from events) go to the top. Returns the conversation's key. */
	upsert(row: PreviewLike, live: boolean): string {
		const key = row.key ?? formatConversationKey({ otherUserId: row.other_user_id, productId: row.product_id });
		const preview: ConversationPreview = { ...row, key };
		const index = this.#previews.findIndex((p) => p.conversation_id === preview.conversation_id);
		if (index >= 0) {
			// A late page never replaces a newer row (nor its unread count).
			if (timeKey(this.#previews[index].last_message_at) > timeKey(preview.last_message_at)) return key;
			if (this.#belongs(preview)) this.#previews[index] = preview;
			else this.#previews.splice(index, 1);
		} else if (this.#belongs(preview)) {
			// Live: newest activity goes on top; an older conversation beyond the loaded page waits for paging.
			const last = this.#previews.at(-1);
			if (!live || !this.#next || !last || timeKey(preview.last_message_at) >= timeKey(last.last_message_at)) {
				this.#previews.push(preview);
			}
		}
		if (live) this.#sort();
		return key;
	}

	/** A message event's preview has the member's mute as it is now; without one, this inbox's row. */
	mutedUntil(event: MessagingEvent): string | null {
		if (event.type !== 'message.created' && event.type !== 'message.updated') return null;
		if (event.payload.preview) return event.payload.preview.muted_until;
		return this.#previews.find((p) => p.conversation_id === event.conversation_id)?.muted_until ?? null;
	}

	applyReadState(readState: ReadState) {
		const preview = this.#previews.find((p) => p.conversation_id === readState.conversation_id);
		if (!preview) return;
		preview.unread_count = readState.unread_count;
		preview.other_last_read_at = readState.other_last_read_at;
		preview.archived = readState.archived;
		preview.muted_until = readState.muted_until;
		if (!this.#belongs(preview)) this.#previews = this.#previews.filter((p) => p.conversation_id !== preview.conversation_id);
	}

	// The conversation being read stays where it was listed under Unread and Needs reply: reading or
	// answering it is what those filters are for, and a row vanishing under the reader's eyes loses
	// their place. The next page load lists it as it is by then.
	#belongs(preview: ConversationPreview) {
		const triage = this.#filter === 'unread' || this.#filter === 'needs_reply';
		return (triage && !preview.archived && preview.conversation_id === this.#open) || belongs(preview, this.#filter, this.#productId);
	}

	#sort() {
		this.#previews.sort(
			(a, b) => timeKey(b.last_message_at) - timeKey(a.last_message_at) || (a.conversation_id < b.conversation_id ? 1 : -1)
		);
	}
}
