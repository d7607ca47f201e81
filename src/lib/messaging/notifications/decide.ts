import { formatConversationKey } from '../conversation-key';
import { systemText } from '../offers/system-text';
import type { Message, MessagingEvent } from '../schemas';

/** What the browser says about notifications: its own three answers, no API at all, or not read yet (server rendering). */
export type NotificationPermissionState = NotificationPermission | 'unsupported' | 'unknown';

/** A new message from the other member: the only event that may draw attention to a hidden tab. */
export type Arrival = Extract<MessagingEvent, { type: 'message.created' | 'message.updated' }> & { type: 'message.created' };

export function arrivalFromOther(event: MessagingEvent, me: string | null): event is Arrival {
	return event.type === 'message.created' && event.payload.message.sender_id !== me;
}

export interface AttentionInput {
	event: MessagingEvent;
	/** The signed-in member. */
	me: string | null;
	/** The conversation is muted now (from the event's preview, else the inbox). */
	muted: boolean;
	/** The tab is not shown (another tab is in front, the window is minimised). */
	hidden: boolean;
}

/**
 * Someone else's message the member has still to read. A catch-up (a tab waking after hours, a
 * dropped stream) brings old events rendered as things are now: a message deleted since, or in
 * a conversation read since on another device (its preview counts nothing unread), is no news.
 */
function unreadArrival(event: MessagingEvent, me: string | null): boolean {
	if (!arrivalFromOther(event, me)) return false;
	const { message, preview } = event.payload;
	return message.deleted_at === null && (preview === null || preview.unread_count > 0);
}

/** Whether the tab's title should carry the unread count for this event: someone else's unread message, in a hidden tab, not muted. */
export function shouldCountInTitle({ event, me, muted, hidden }: AttentionInput): boolean {
	return hidden && !muted && unreadArrival(event, me);
}

/**
 * Whether to show a system notification: as for the title, and the member kept the setting on
 * and this browser allowed it. Never asks: asking is for a click on "Turn on notifications".
 */
export function shouldNotify(input: AttentionInput & { permission: NotificationPermissionState; preference: boolean }): boolean {
	return input.preference && input.permission === 'granted' && shouldCountInTitle(input);
}

const COUNT_PREFIX = /^\(\d+\)\s/;

/** "(3) Messages · Bazaar": the page's own title after the count; the title alone at 0. */
export function titleWithCount(title: string, count: number): string {
	const base = baseTitle(title);
	return count > 0 ? `(${count}) ${base}` : base;
}

/** The page's own title, without a count this module put in front of it. */
export function baseTitle(title: string): string {
	return title.replace(COUNT_PREFIX, '');
}

const BODY_LENGTH = 160;

/** The line a notification shows for a message: its text as the reader received it, or what it carries. */
export function messagePreviewText(message: Message, me: string): string {
	const text =
		message.kind === 'system'
			? systemText(message, { me, other: { id: message.sender_id, display_name: message.sender_display_name } })
			: message.body.trim();
	if (text) return text.length > BODY_LENGTH ? `${text.slice(0, BODY_LENGTH - 1).trimEnd()}…` : text;
	const photos = message.attachments.length;
	return photos > 1 ? `${photos} photos` : photos === 1 ? 'Photo' : 'New message';
}

export interface NotificationContent {
	title: string;
	body: string;
	/** The conversation id: a second message replaces the first one's notification rather than stacking. */
	tag: string;
	/** Where a click leads: the conversation on the messages page. */
	url: string;
	/** The sender's picture, if they have one. */
	icon?: string;
}

/** Who wrote (and about which listing), what, and where a click leads. */
export function notificationContent(event: Arrival, options: { me: string; basePath: string }): NotificationContent {
	const { message, preview } = event.payload;
	// The sender is the other member; the preview, when the event has one, names the conversation from our side.
	const key = formatConversationKey({ otherUserId: preview?.other_user_id ?? message.sender_id, productId: preview ? preview.product_id : message.product_id });
	const about = preview ? preview.product_title : message.product_title;
	return {
		title: about ? `${message.sender_display_name} · ${about}` : message.sender_display_name,
		body: messagePreviewText(message, options.me),
		tag: event.conversation_id,
		url: `${options.basePath}?conversation=${key}`,
		icon: message.sender_avatar_url ?? undefined
	};
}
