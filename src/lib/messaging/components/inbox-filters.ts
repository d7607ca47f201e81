import type { InboxFilter } from '../schemas';

/** The filters the inbox links to; `listing` is reached from a seller's product page instead. */
export const FILTER_LINKS: { value: InboxFilter; label: string }[] = [
	{ value: 'all', label: 'All' },
	{ value: 'unread', label: 'Unread' },
	{ value: 'needs_reply', label: 'Needs reply' },
	{ value: 'archived', label: 'Archived' }
];

/**
 * The messages page's title. SvelteKit's announcer reads it after every navigation, and a filter
 * chosen from the keyboard keeps the focus on its link, so the title is where a screen reader
 * hears what the inbox now shows: "Unread · Messages", not "Messages" for every filter alike.
 */
export function messagesTitle(options: { conversationWith: string | null; filter: InboxFilter; listingTitle: string | null; siteName: string | null }): string {
	const { conversationWith, filter, listingTitle, siteName } = options;
	const shown =
		conversationWith ??
		(filter === 'listing'
			? `Conversations about ${listingTitle ?? 'this listing'}`
			: filter === 'all'
				? null
				: (FILTER_LINKS.find((link) => link.value === filter)?.label ?? null));
	return [shown, 'Messages', siteName].filter(Boolean).join(' · ');
}
