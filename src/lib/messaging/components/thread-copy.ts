import type { Attachment } from 'svelte/attachments';
import { endedDeals, supersededCards } from '../offers/offer-card';
import type { ThreadState } from '../state/thread.svelte';
import { fullDate } from '../relative-time';
import { transcriptLine, transcriptText } from '../thread-transcript';
import { MESSAGE_ROW } from './thread-rows';

const TEXT_FIELD = 'input, textarea, select, [contenteditable]:not([contenteditable="false"])';

/**
 * Copying messages of the thread copies a transcript (thread-transcript.ts): each message the
 * selection reaches, whole, with who wrote it and when, and each day's date before its messages. Part of
 * one message's text is left to the browser, which copies just that part. Ctrl+A (Cmd+A) on a
 * message selects the messages, not the whole page (header, inbox, the composer's placeholder).
 */
export function threadCopy(thread: ThreadState, me: () => string): Attachment<HTMLElement> {
	return (list) => {
		const document = list.ownerDocument;

		function lines(ranges: Range[]): string[] {
			const messages = new Map(thread.messages.map((message) => [message.id, message]));
			const viewer = { me: me(), other: thread.otherUser, superseded: supersededCards(thread.messages), ended: endedDeals(thread.messages) };
			const found: string[] = [];
			// Each day in full before its first message, even where the selection began under its
			// label, and never "Today": pasted tomorrow, it would be wrong.
			let day = '';
			for (const item of list.children) {
				if (!ranges.some((range) => reaches(range, item))) continue;
				const message = item.matches(MESSAGE_ROW) ? messages.get((item as HTMLElement).dataset.messageId ?? '') : undefined;
				if (!message) continue;
				const itsDay = fullDate(message.created_at);
				if (itsDay !== day) found.push((day = itsDay));
				found.push(transcriptLine(message, viewer));
			}
			return found;
		}

		function oncopy(event: ClipboardEvent) {
			const selection = document.getSelection();
			if (!selection || selection.isCollapsed || !event.clipboardData) return;
			const ranges = Array.from({ length: selection.rangeCount }, (_, index) => selection.getRangeAt(index));
			if (!ranges.every((range) => list.contains(range.commonAncestorContainer))) return;
			if (ranges.length === 1 && elementOf(ranges[0].commonAncestorContainer)?.closest(MESSAGE_ROW)) return;
			const copied = lines(ranges);
			if (copied.length === 0) return;
			event.clipboardData.setData('text/plain', transcriptText(copied));
			event.clipboardData.setData('text/html', copied.map((line) => `<p>${escapeHtml(line).replaceAll('\n', '<br>')}</p>`).join(''));
			event.preventDefault();
		}

		function onkeydown(event: KeyboardEvent) {
			if (event.key.toLowerCase() !== 'a' || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
			const target = event.target instanceof Element ? event.target : null;
			if (!target?.closest(MESSAGE_ROW) || target.closest(TEXT_FIELD)) return;
			event.preventDefault();
			const range = document.createRange();
			range.selectNodeContents(list);
			document.getSelection()?.removeAllRanges();
			document.getSelection()?.addRange(range);
		}

		list.addEventListener('copy', oncopy);
		list.addEventListener('keydown', onkeydown);
		return () => {
			list.removeEventListener('copy', oncopy);
			list.removeEventListener('keydown', onkeydown);
		};
	};
}

const elementOf = (node: Node) => (node instanceof Element ? node : node.parentElement);

/** Whether the selection takes some of the item's text (the hidden byline counts, so a message of photos alone too), not just its edge. */
function reaches(range: Range, item: Element): boolean {
	if (!range.intersectsNode(item)) return false;
	const part = item.ownerDocument.createRange();
	part.selectNodeContents(item);
	if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) part.setStart(range.startContainer, range.startOffset);
	if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) part.setEnd(range.endContainer, range.endOffset);
	return part.toString().trim() !== '';
}

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
