import { expect } from 'vitest';
import type { MessagingEvent } from '../../src/lib/messaging/schemas/index.ts';
import { routeEvent } from '../../src/lib/messaging/state/event-router.ts';
import { InboxState } from '../../src/lib/messaging/state/inbox.svelte.ts';
import { OpenThreads } from '../../src/lib/messaging/state/open-threads.svelte.ts';
import type { ThreadMessage, ThreadState } from '../../src/lib/messaging/state/thread.svelte.ts';
import { KEY } from './rows.ts';

/** A tab's inbox and kept threads, fed events the way MessagingClient feeds them (without its network and navigation). */
export function messagingState(options: { unreadTotal?: number; maxThreads?: number } = {}) {
	const inbox = new InboxState({ unreadTotal: options.unreadTotal });
	const threads = new OpenThreads({ maxThreads: options.maxThreads });
	return { inbox, threads, apply: (event: MessagingEvent) => routeEvent(event, { inbox, threads }) };
}

export type MessagingState = ReturnType<typeof messagingState>;

/** The kept thread under a key; fails the test when there is none. */
export function threadOf(state: MessagingState, key = KEY): ThreadState {
	const thread = state.threads.get(key);
	expect(thread, `a kept thread under ${key}`).toBeDefined();
	return thread!;
}

/** The ids of a kept thread's messages, in the order it shows them. */
export const idsOf = (state: MessagingState, key = KEY) => threadOf(state, key).messages.map((m) => m.id);

/** The one copy of a message in a kept thread; fails the test when there are none or several. */
export function onlyCopy(state: MessagingState, id: string, key = KEY): ThreadMessage {
	const copies = threadOf(state, key).messages.filter((m) => m.id === id);
	expect(copies).toHaveLength(1);
	return copies[0];
}
