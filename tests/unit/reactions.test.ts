import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/lib/messaging/api.ts';
import type { Message, Reaction } from '../../src/lib/messaging/schemas/index.ts';
import { hasReacted, reactionLabel, toggleReaction, withReaction } from '../../src/lib/messaging/state/reactions.ts';
import { messagingState, onlyCopy } from '../support/messaging-state.ts';
import { ALICE, BOB, ME, at, message, messageEvent, messageId, openedConversation } from '../support/rows.ts';

/**
 * Reactions as the thread shows them: toggled in the server's order, named for screen readers
 * and tooltips ("👍 2: you and Alice"), and sent through the `react` action with the answer as
 * the truth.
 */

const thumbs = (...users: string[]): Reaction => ({ emoji: '👍', user_ids: users });

describe('withReaction', () => {
	it('a new reactor comes last, a new emoji comes last', () => {
		expect(withReaction([thumbs(ALICE)], '👍', ME, true)).toEqual([thumbs(ALICE, ME)]);
		expect(withReaction([thumbs(ALICE)], '😂', ME, true)).toEqual([thumbs(ALICE), { emoji: '😂', user_ids: [ME] }]);
	});

	it('taking a reaction back removes the reactor, and the emoji when nobody is left', () => {
		expect(withReaction([thumbs(ALICE, ME)], '👍', ME, false)).toEqual([thumbs(ALICE)]);
		expect(withReaction([thumbs(ME), { emoji: '❤️', user_ids: [ALICE] }], '👍', ME, false)).toEqual([{ emoji: '❤️', user_ids: [ALICE] }]);
	});

	it('asking for the state it is already in changes nothing', () => {
		expect(withReaction([thumbs(ALICE, ME)], '👍', ME, true)).toEqual([thumbs(ALICE, ME)]);
		expect(withReaction([thumbs(ALICE)], '👍', ME, false)).toEqual([thumbs(ALICE)]);
		expect(hasReacted([thumbs(ALICE)], '👍', ALICE)).toBe(true);
		expect(hasReacted([thumbs(ALICE)], '❤️', ALICE)).toBe(false);
	});
});

describe('reactionLabel', () => {
	const names = { [ALICE]: 'Alice' };

	it('names who reacted, the viewer as "you" and first', () => {
		expect(reactionLabel(thumbs(ALICE, ME), { me: ME, names })).toBe('👍 2: you and Alice');
		expect(reactionLabel(thumbs(ME), { me: ME, names })).toBe('👍 1: you');
		expect(reactionLabel(thumbs(ALICE), { me: ME, names })).toBe('👍 1: Alice');
	});

	it('anyone the thread cannot name is "someone"', () => {
		expect(reactionLabel(thumbs(ALICE, BOB, ME), { me: ME, names })).toBe('👍 3: you, Alice and someone');
	});
});

describe('toggleReaction', () => {
	const ID = messageId(1);
	const original = message({ id: ID, created_at: at(0), reactions: [thumbs(ALICE)] });

	function threadWithApi(answer: (fields: Record<string, string | null | undefined>) => Outcome<Message>) {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [original] }));
		const sent: { name: string; fields: Record<string, string | null | undefined> }[] = [];
		let shownWhileSending: Reaction[] = [];
		const api = {
			action: async (name: string, fields: Record<string, string | null | undefined>) => {
				sent.push({ name, fields });
				shownWhileSending = onlyCopy(state, ID).reactions;
				return answer(fields);
			}
		} as unknown as Parameters<typeof toggleReaction>[0]['api'];
		return { state, thread, api, sent, shownWhileSending: () => shownWhileSending };
	}

	it('posts the react action with the message and emoji, shows the toggle while it is on its way, and takes the answer', async () => {
		const stored = { ...original, reactions: [thumbs(ALICE, ME)] };
		const { state, thread, api, sent, shownWhileSending } = threadWithApi(() => ({ ok: true, value: stored }));
		expect(await toggleReaction({ api, thread, messageId: ID, emoji: '👍', me: ME })).toBeNull();
		expect(sent).toEqual([{ name: 'react', fields: { message_id: ID, emoji: '👍' } }]);
		expect(shownWhileSending()).toEqual([thumbs(ALICE, ME)]);
		expect(onlyCopy(state, ID).reactions).toEqual([thumbs(ALICE, ME)]);
	});

	it("the answer keeps the other member's reaction that an event brought while it was on its way", async () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [original] }), { cursor: 10 });
		// Mine stored, then Bob's ❤️; the event of Bob's (both) arrives before my answer (mine alone).
		const both = [thumbs(ALICE, ME), { emoji: '❤️' as const, user_ids: [BOB] }];
		const api = {
			action: async () => {
				state.apply(messageEvent({ ...original, reactions: both }, { type: 'message.updated', id: 12 }));
				return { ok: true, value: { ...original, reactions: [thumbs(ALICE, ME)] } };
			}
		} as unknown as Parameters<typeof toggleReaction>[0]['api'];
		expect(await toggleReaction({ api, thread, messageId: ID, emoji: '👍', me: ME })).toBeNull();
		expect(onlyCopy(state, ID).reactions).toEqual(both);
	});

	it("a refusal is undone and its message returned for the person", async () => {
		const { state, thread, api } = threadWithApi(() => ({ ok: false, message: 'Slow down a little.', code: 'rate_limited' }));
		expect(await toggleReaction({ api, thread, messageId: ID, emoji: '❤️', me: ME })).toBe('Slow down a little.');
		expect(onlyCopy(state, ID).reactions).toEqual([thumbs(ALICE)]);
	});

	it('a message that takes no reactions sends nothing', async () => {
		const { thread, api, sent } = threadWithApi(() => ({ ok: true, value: original }));
		thread.addPending({ id: messageId(2), body: 'Hi' }, { id: ME, username: 'me', display_name: 'Me', avatar_url: null });
		expect(await toggleReaction({ api, thread, messageId: messageId(2), emoji: '👍', me: ME })).toBeNull();
		expect(sent).toEqual([]);
	});
});
