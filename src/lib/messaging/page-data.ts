import type { ConversationPreview, InboxFilter, OpenedConversation, PreviewPage, QuickReply, RealtimeSession, SearchPage } from './schemas/index.js';

/** What the messages page's load returns. */
export interface MessagesPageLoad {
	filter: InboxFilter;
	/**
	 * The product the `listing` filter shows conversations about (`?product=`), titled from its
	 * conversations (null while it has none); null for the other filters.
	 */
	listing: { product_id: string; title: string | null } | null;
	query: string;
	inbox: PreviewPage;
	/** The conversation `?conversation=` names; it has no id until its first message. */
	opened: OpenedConversation | null;
	/** `?conversation=` came with `&for=` another member (a digest's link): it is not opened, and the page says why. */
	otherAccount: boolean;
	/**
	 * The results of `?q=`: the first page of messages and the newest conversations whose member
	 * or listing the words name; or the reason there are none a person can fix.
	 */
	search: { page: SearchPage | null; conversations: ConversationPreview[]; message: string | null } | null;
	/** The idempotency key of the next message sent without JavaScript. */
	draftId: string;
	/** The user's saved quick replies, most recently saved first; read only with a conversation to write in. */
	quickReplies: QuickReply[] | null;
	/** This load's realtime cursor and unread total (the layout's are from the tab's first page). */
	start: { cursor: number; unreadTotal: number };
}

/** The page's data as its component receives it: the load's, plus the layout's realtime session. */
export interface MessagesPageData extends MessagesPageLoad {
	messaging: RealtimeSession | null;
}

/** What a form action of the page answered, as the page receives it after a submission without JavaScript. */
export type MessagesPageForm = { action: string; ok: boolean; message?: string; body?: string; nextDraftId?: string } | null | undefined;
