import type { Attachment } from 'svelte/attachments';
import { historyOf, MESSAGE_ROW } from './thread-rows';

/** How far above a message its actions reach (MessageActions: astride the row's top edge). */
const REACH = 28;

/**
 * A message's actions show astride the top edge of its row. For a message whose top is at the top
 * of the thread's view, that edge is under the thread's header, which covered them: there they
 * show inside the message (`actions-inside`) instead, decided as the pointer or the focus comes.
 */
export const actionRoom: Attachment<HTMLElement> = (list) => {
	const scroller = historyOf(list);
	function place(event: Event) {
		const row = event.target instanceof Element ? event.target.closest<HTMLElement>(MESSAGE_ROW) : null;
		if (!row) return;
		row.classList.toggle('actions-inside', row.getBoundingClientRect().top - scroller.getBoundingClientRect().top < REACH);
	}
	list.addEventListener('pointerover', place);
	list.addEventListener('focusin', place);
	return () => {
		list.removeEventListener('pointerover', place);
		list.removeEventListener('focusin', place);
	};
};
