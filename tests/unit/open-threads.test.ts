import { describe, expect, it } from 'vitest';
import { formatConversationKey } from '../../src/lib/messaging/conversation-key.ts';
import { idsOf, messagingState, type MessagingState } from '../support/messaging-state.ts';
import { at, conversationId, message, messageEvent, messageId, openedConversation, readEvent, readState, userId } from '../support/rows.ts';

/**
 * The kept threads: only the most recently opened stay in memory, and a dropped thread leaves
 * nothing behind (no key, no messages, nothing an event could still reach).
 */

const keyFor = (i: number) => formatConversationKey({ otherUserId: userId(i), productId: null });

function openMany(state: MessagingState, count: number) {
	for (let i = 1; i <= count; i++) {
		state.threads.open(
			openedConversation({
				key: keyFor(i),
				conversation_id: conversationId(i),
				product: null,
				messages: [message({ id: messageId(i), conversation_id: conversationId(i), created_at: at(i % 60) })]
			})
		);
	}
}

/** Every kept thread as the reader would see it: its messages and read state. */
const snapshot = (state: MessagingState) =>
	state.threads.all().map((thread) => ({ key: thread.key, messages: thread.messages.map((m) => ({ ...m })), readState: { ...thread.readState } }));

describe('OpenThreads: bounded memory', () => {
	it('opening 30 threads with maxThreads 20 keeps only the 20 most recently opened', () => {
		const state = messagingState({ maxThreads: 20 });
		openMany(state, 30);
		expect(state.threads.size).toBe(20);
		expect(state.threads.keys()).toEqual(Array.from({ length: 20 }, (_, i) => keyFor(i + 11)));
		for (let i = 1; i <= 10; i++) expect(state.threads.get(keyFor(i))).toBeUndefined();
		for (let i = 11; i <= 30; i++) expect(state.threads.get(keyFor(i))).toBeDefined();

		// An event for a dropped thread does not bring it back.
		state.apply(
			messageEvent(message({ id: messageId(99), conversation_id: conversationId(1), created_at: at(59) }), {
				preview: { conversation_id: conversationId(1), other_user_id: userId(1), product_id: null }
			})
		);
		expect(state.threads.get(keyFor(1))).toBeUndefined();
		expect(state.threads.size).toBe(20);
	});

	it('a dropped thread leaves nothing behind: its conversation finds no thread, and its events change nothing kept', () => {
		const state = messagingState({ maxThreads: 3 });
		openMany(state, 5);
		for (const dropped of [1, 2]) expect(state.threads.byConversation(conversationId(dropped))).toBeUndefined();
		for (const kept of [3, 4, 5]) expect(state.threads.byConversation(conversationId(kept))?.key).toBe(keyFor(kept));
		const before = snapshot(state);

		// Events routed by conversation (no preview to key them) as well as by the key of their preview.
		state.apply(messageEvent(message({ id: messageId(98), conversation_id: conversationId(1), created_at: at(58) }), { preview: null }));
		state.apply(
			messageEvent(message({ id: messageId(99), conversation_id: conversationId(2), created_at: at(59) }), {
				preview: { conversation_id: conversationId(2), other_user_id: userId(2), product_id: null }
			})
		);
		state.apply(readEvent(readState({ conversation_id: conversationId(1), unread_count: 7, last_read_at: at(50) })));

		expect(snapshot(state)).toEqual(before);
		expect(state.threads.keys()).toEqual([3, 4, 5].map(keyFor));
		expect(state.threads.byConversation(conversationId(1))).toBeUndefined();
		expect(state.threads.byConversation(conversationId(2))).toBeUndefined();
	});

	it('a dropped thread opened again starts from what the server sends, not from what it had', () => {
		const state = messagingState({ maxThreads: 1 });
		openMany(state, 2);
		state.threads.open(openedConversation({ key: keyFor(1), conversation_id: conversationId(1), product: null }));
		expect(idsOf(state, keyFor(1))).toEqual([]);
		expect(state.threads.keys()).toEqual([keyFor(1)]);
	});

	it('reopening a thread makes it recent again, so trimming drops the least recently opened instead', () => {
		const state = messagingState({ maxThreads: 3 });
		openMany(state, 3);
		const first = state.threads.get(keyFor(1));
		state.threads.open(openedConversation({ key: keyFor(1), conversation_id: conversationId(1), product: null }));
		state.threads.open(openedConversation({ key: keyFor(4), conversation_id: conversationId(4), product: null }));
		expect(state.threads.keys().sort()).toEqual([keyFor(1), keyFor(3), keyFor(4)].sort());
		// The reopened thread is the same one, and kept the message it already had.
		expect(state.threads.get(keyFor(1))).toBe(first);
		expect(idsOf(state, keyFor(1))).toEqual([messageId(1)]);
	});

	it('keeps 20 threads unless told otherwise', () => {
		const state = messagingState();
		openMany(state, 21);
		expect(state.threads.maxThreads).toBe(20);
		expect(state.threads.size).toBe(20);
		expect(state.threads.get(keyFor(1))).toBeUndefined();
	});
});
