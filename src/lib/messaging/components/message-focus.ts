import type { Attachment } from 'svelte/attachments';
import { historyOf, MESSAGE_ROW } from './thread-rows';

const CONTROL = 'a[href], button, input:not([type="hidden"]), select, textarea';
/** Marks a control taken out of the Tab order here, so that only those are put back. */
const RESTING = 'data-resting';

/**
 * The thread's messages as one Tab stop, as chat apps and the ARIA feed pattern have them: one
 * message at a time is in the Tab order (the last one focused while it is in sight, else one wholly
 * in sight, the newest at first), the arrows go from
 * message to message, Home and End to the first and last loaded; Tab goes on into the focused
 * message's own controls, and Escape from them comes back to it. Every message's Reply, reaction
 * and Report buttons used to be Tab stops, dozens of them between a thread's name and its message
 * box. The other messages' controls keep working by mouse, touch and a screen reader's own keys.
 *
 * The controls are found in the rows rather than told their turn one by one: a control a message
 * grows later (a link, a photo, a reaction) cannot put itself back in the Tab order by being forgotten.
 */
export const messageFocus: Attachment<HTMLElement> = (list) => {
	/** The message last focused, by id: the same message stays in turn if its row is drawn again. */
	let chosen: string | null = null;
	let current: HTMLElement | null = null;

	const rows = () => [...list.querySelectorAll<HTMLElement>(MESSAGE_ROW)];
	function find() {
		const all = rows();
		return all.find((row) => row.dataset.messageId === chosen) ?? all.at(-1) ?? null;
	}

	// Whether the focus is in the list: the controls of the message in turn are Tab stops only then,
	// or Shift+Tab from the message box went through the newest message's Report, Add reaction and
	// Reply (after the message in the page) before the message itself.
	let inside = false;

	function settle(row: HTMLElement) {
		const inTurn = row === current;
		const open = inTurn && inside;
		row.tabIndex = inTurn ? 0 : -1;
		for (const control of row.querySelectorAll<HTMLElement>(CONTROL)) {
			// A photo viewer open in the message is modal: the focus leaving it for the browser's own
			// controls took its buttons out of the Tab order, and the next Tab found nothing to come back to.
			if (control.closest('dialog')) continue;
			if (open && control.hasAttribute(RESTING)) {
				control.removeAttribute(RESTING);
				control.removeAttribute('tabindex');
			} else if (!open && !control.hasAttribute('tabindex')) {
				control.setAttribute(RESTING, '');
				control.tabIndex = -1;
			}
		}
	}

	function update(changed: Iterable<HTMLElement>) {
		const before = current;
		current = find();
		const todo = new Set(changed);
		if (before !== current) {
			if (before?.isConnected) todo.add(before);
			if (current) todo.add(current);
		}
		for (const row of todo) settle(row);
	}

	// New rows, and new controls in old ones; and the row in turn gone (a failed send discarded).
	const observer = new MutationObserver((records) => {
		const changed = new Set<HTMLElement>();
		for (const record of records) {
			for (const node of record.addedNodes) {
				if (!(node instanceof Element)) continue;
				const row = node.closest<HTMLElement>(MESSAGE_ROW);
				if (row) changed.add(row);
				else for (const inner of node.querySelectorAll<HTMLElement>(MESSAGE_ROW)) changed.add(inner);
			}
		}
		update(changed);
	});
	observer.observe(list, { childList: true, subtree: true });
	update(rows());

	// Focus anywhere in a message, by keyboard, mouse or tap, makes it the one in turn.
	function onfocusin(event: FocusEvent) {
		const entered = !inside;
		inside = true;
		const row = event.target instanceof Element ? event.target.closest<HTMLElement>(MESSAGE_ROW) : null;
		if (row && row.dataset.messageId !== chosen) {
			chosen = row.dataset.messageId ?? null;
			update([]);
		}
		// Not only in the else: entering by Tab on the newest message (in turn before anything was
		// chosen) changes no turn, so update settles nothing, and its controls stayed out of the Tab order.
		if (entered && current) settle(current);
	}
	function onfocusout(event: FocusEvent) {
		if (event.relatedTarget instanceof Node && list.contains(event.relatedTarget)) return;
		inside = false;
		if (current) settle(current);
		// A control taken away with the focus on it (the other member deleted the message, or answered
		// the offer) dropped the focus on the page, out of the thread: it goes back to its message.
		const control = event.target instanceof HTMLElement ? event.target : null;
		const row = control?.closest<HTMLElement>(MESSAGE_ROW);
		if (event.relatedTarget || !control || !row || control === row) return;
		queueMicrotask(() => {
			const dropped = !document.activeElement || document.activeElement === document.body;
			if (dropped && !control.isConnected && row.isConnected) row.focus({ preventScroll: true });
		});
	}

	function onkeydown(event: KeyboardEvent) {
		if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
		const target = event.target instanceof HTMLElement ? event.target : null;
		const row = target?.closest<HTMLElement>(MESSAGE_ROW);
		if (!target || !row) return;
		if (event.key === 'Escape') {
			// A photo viewer in the message closes itself and gives the focus back to its thumbnail.
			if (target === row || target.closest('dialog')) return;
			event.preventDefault();
			row.focus();
			return;
		}
		// Only on the message itself: in its controls the arrows are theirs (an edit box, a list of reasons).
		if (target !== row) return;
		const all = rows();
		const index = all.indexOf(row);
		const moves: Record<string, number> = { ArrowUp: index - 1, ArrowDown: index + 1, Home: 0, End: all.length - 1 };
		const to = moves[event.key];
		if (to === undefined) return;
		event.preventDefault();
		const next = all[Math.max(0, Math.min(to, all.length - 1))];
		// Nearest, not the browser's own jump: the reader keeps their place while the next one shows.
		next.focus({ preventScroll: true });
		next.scrollIntoView({ block: 'nearest' });
	}

	// The message in turn stays in sight while the reader is elsewhere: entered by Tab, a message out
	// of sight was scrolled to, and the newest one, below a thread opened at its first unread message
	// or scrolled up in, read the whole thread at once. So once the one in turn has left the sight,
	// it is the first message wholly in sight, where a reader goes on from, or the last at the bottom.
	const scroller = historyOf(list);
	let frame = 0;
	function followView() {
		frame = 0;
		if (list.contains(document.activeElement)) return;
		const view = scroller.getBoundingClientRect();
		const inSight = (row: HTMLElement) => {
			const box = row.getBoundingClientRect();
			return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
		};
		if (current && inSight(current)) return;
		const seen = rows().filter(inSight);
		const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
		const next = atBottom ? seen.at(-1) : seen[0];
		if (!next) return;
		chosen = next.dataset.messageId ?? null;
		update([]);
	}
	const onscroll = () => (frame ||= requestAnimationFrame(followView));

	list.addEventListener('focusin', onfocusin);
	list.addEventListener('focusout', onfocusout);
	list.addEventListener('keydown', onkeydown);
	scroller.addEventListener('scroll', onscroll, { passive: true });
	return () => {
		observer.disconnect();
		cancelAnimationFrame(frame);
		list.removeEventListener('focusin', onfocusin);
		list.removeEventListener('focusout', onfocusout);
		list.removeEventListener('keydown', onkeydown);
		scroller.removeEventListener('scroll', onscroll);
	};
};
