import type { Attachment } from 'svelte/attachments';

/** The message box of the composer `from` is in: where the focus goes when a control of it goes away. */
export const messageBox = (from: Element) => from.closest('form')?.querySelector<HTMLElement>('textarea[name="body"]');

/**
 * The composer's focus kept when what had it is taken away by a change from elsewhere: the other
 * member blocked the writer (the message box gives way to "… is not accepting messages from you").
 * The focus fell to the page, out of the thread, with the words that say why unread by it: it goes
 * to them, or to the message box.
 */
export const composerFocus: Attachment<HTMLFormElement> = (form) => {
	function onfocusout(event: FocusEvent) {
		const control = event.target instanceof HTMLElement ? event.target : null;
		if (event.relatedTarget || !control) return;
		queueMicrotask(() => {
			const dropped = !document.activeElement || document.activeElement === document.body;
			if (!dropped || control.isConnected || !form.isConnected) return;
			form.querySelector<HTMLElement>('.composer-disabled, textarea[name="body"]')?.focus({ preventScroll: true });
		});
	}
	form.addEventListener('focusout', onfocusout);
	return () => form.removeEventListener('focusout', onfocusout);
};
