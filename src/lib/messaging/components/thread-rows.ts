/** A message of the thread, whatever its kind (bubble, offer card, notice): a focusable row with its id. */
export const MESSAGE_ROW = 'li[data-message-id]';

/** The scrolling history the thread's message list is in (ThreadHistory). */
export const historyOf = (list: HTMLElement): HTMLElement => list.closest<HTMLElement>('.thread-history') ?? list.parentElement!;
