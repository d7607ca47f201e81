import { goto } from '$app/navigation';

/**
 * Follows a link of the messages page in place, then gives the focus to what `focusAfter` finds.
 * Such a link goes with what it navigates away from (the search results, a listing's heading, a
 * phone's thread), and SvelteKit's reset after the navigation dropped the focus on the page: the
 * next Tab started over from its top. A click meant for a new tab or window stays the browser's.
 */
export async function followInPlace(event: MouseEvent & { currentTarget: HTMLAnchorElement }, focusAfter: () => HTMLElement | null) {
	if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
	event.preventDefault();
	await goto(event.currentTarget.href, { keepFocus: true });
	focusAfter()?.focus();
}

/** The inbox filter shown: where the focus goes when the link it followed is gone. */
export const shownFilter = () => document.querySelector<HTMLElement>('.inbox-filters a[aria-current="page"]');
