import type { InboxFilter } from '../schemas';

/** The filters the inbox links to; `listing` is reached from a seller's product page instead. */
export const FILTER_LINKS: { value: InboxFilter; label: string }[] = [
	{ value: 'all', label: 'All' },
	{ value: 'unread', label: 'Unread' },
	{ value: 'needs_reply', label: 'Needs reply' },
	{ value: 'archived', label: 'Archived' }
];

/** A query pasted long would make a title of it: its start says which, as the results' heading does. */
export function shortQuery(query: string, shown = 60): string {
	const characters = Array.from(query);
	return characters.length > shown ? `${characters.slice(0, shown).join('')}…` : query;
}

/**
 * The messages page's title. SvelteKit's announcer reads it after every navigation, and a filter
 * chosen from the keyboard keeps the focus on its link, so the title is where a screen reader
 * hears what the inbox now shows: "Unread · Messages", not "Messages" for every filter alike.
 */
export function messagesTitle(options: {
	conversationWith: string | null;
	filter: InboxFilter;
	listingTitle: string | null;
	/** A search shown above the inbox: the focus stays in its box, so the title says the results came. */
	query?: string;
	siteName: string | null;
}): string {
	const { conversationWith, filter, listingTitle, query = '', siteName } = options;
	const shown =
		conversationWith ??
		(query.trim() ? `Results for “${shortQuery(query)}”` : null) ??
		(filter === 'listing'
			? `Conversations about ${listingTitle ?? 'this listing'}`
			: filter === 'all'
				? null
				: (FILTER_LINKS.find((link) => link.value === filter)?.label ?? null));
	return [shown, 'Messages', siteName].filter(Boolean).join(' · ');
}
