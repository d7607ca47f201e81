import { afterEach, describe, expect, it, vi } from 'vitest';
import { Message, type Attachment, type Reaction } from '../../src/lib/messaging/schemas/index.ts';
import { idsOf, messagingState, onlyCopy } from '../support/messaging-state.ts';
import { ALICE, CONVERSATION, KEY, ME, at, me, message, messageEvent, messageId, openedConversation, readState } from '../support/rows.ts';

/**
 * A thread's merge rules: whatever order server pages, live events, catch-up results and
 * optimistic sends arrive in, each message shows once, in (created_at, id) order, newest edit
 * winning; messages still sending or failed stay at the bottom.
 */

afterEach(() => {
	vi.useRealTimers();
});

describe('ThreadState: one copy of each message, in order', () => {
	it('a message from the server page, a live event and a catch-up replay appears once', () => {
		const state = messagingState();
		const first = message({ id: messageId(1), created_at: at(0) });
		const thread = state.threads.open(openedConversation({ messages: [first] }));
		state.apply(messageEvent(first));
		state.apply(messageEvent(first)); // the catch-up re-reads it
		thread.prependOlder({ messages: [first], next: null });
		state.threads.open(openedConversation({ messages: [first] }));

		expect(idsOf(state)).toEqual([messageId(1)]);
		expect(onlyCopy(state, messageId(1)).status).toBe('sent');
	});

	it('messages arriving out of order end sorted by created_at, to the microsecond, then by id', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		const arrivals = [
			message({ id: messageId(5), created_at: at(1, 2) }),
			message({ id: messageId(2), created_at: at(0, 1) }),
			message({ id: messageId(4), created_at: at(1, 1) }),
			message({ id: messageId(3), created_at: at(0, 2) }),
			message({ id: messageId(7), created_at: at(2, 0) }),
			message({ id: messageId(6), created_at: at(2, 0) }), // same microsecond: id decides
			message({ id: messageId(1), created_at: at(0, 0) })
		];
		for (const m of arrivals) state.apply(messageEvent(m, { preview: null }));

		expect(idsOf(state)).toEqual([1, 2, 3, 4, 5, 6, 7].map(messageId));
	});

	it('timestamps written with different UTC offsets sort by the instant they name', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		state.apply(messageEvent(message({ id: messageId(3), created_at: '2026-11-24T12:00:00.000003+02:00' }), { preview: null }));
		state.apply(messageEvent(message({ id: messageId(1), created_at: '2026-11-24T05:00:00.000001-05:00' }), { preview: null }));
		state.apply(messageEvent(message({ id: messageId(4), created_at: '2026-11-24T10:00:00.000004+00:00' }), { preview: null }));
		state.apply(messageEvent(message({ id: messageId(2), created_at: '2026-11-24T15:30:00.000002+05:30' }), { preview: null }));

		expect(idsOf(state)).toEqual([1, 2, 3, 4].map(messageId));
	});

	it('older history prepended by scrolling up lands above what is loaded and remembers the next cursor', () => {
		const state = messagingState();
		const thread = state.threads.open(
			openedConversation({ messages: [message({ id: messageId(3), created_at: at(3) })], next: { at: at(3), id: messageId(3) } })
		);
		expect(thread.older).toEqual({ at: at(3), id: messageId(3) });
		thread.prependOlder({
			messages: [message({ id: messageId(2), created_at: at(2) }), message({ id: messageId(1), created_at: at(1) })],
			next: null
		});
		expect(idsOf(state)).toEqual([1, 2, 3].map(messageId));
		expect(thread.older).toBeNull();
	});
});

describe('ThreadState: optimistic sending', () => {
	const PENDING = messageId(100);

	function withHistory() {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-24T10:01:00.000Z'));
		const state = messagingState();
		const thread = state.threads.open(
			openedConversation({ messages: [message({ id: messageId(1), created_at: at(0) }), message({ id: messageId(2), created_at: at(30) })] })
		);
		return { state, thread };
	}

	const echo = (overrides: Partial<Message> = {}) =>
		message({
			id: PENDING,
			sender_id: ME,
			sender_username: 'me',
			sender_display_name: 'Me',
			body: 'Yes, it is',
			created_at: at(61, 123456),
			...overrides
		});

	it('addPending shows the message as sending at the bottom of the thread', () => {
		const { thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		expect(thread.messages.map((m) => m.id)).toEqual([messageId(1), messageId(2), PENDING]);
		expect(thread.messages.at(-1)).toMatchObject({ status: 'sending', body: 'Yes, it is', sender_id: ME, conversation_id: CONVERSATION });
	});

	it('a pending message stays at the bottom even when the newest message is stamped ahead of this clock', () => {
		const { state, thread } = withHistory();
		state.apply(messageEvent(message({ id: messageId(3), created_at: at(600) }), { preview: null })); // server clock 9 min ahead
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		expect(idsOf(state).at(-1)).toBe(PENDING);
		expect(Message.safeParse(thread.messages.at(-1)).success).toBe(true);
	});

	it('the RPC answer arriving first confirms the pending copy: one copy, sent, with the server timestamp', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		thread.confirm(echo());
		state.apply(messageEvent(echo())); // the echo after the answer
		const sent = onlyCopy(state, PENDING);
		expect(sent.status).toBe('sent');
		expect(sent.created_at).toBe(at(61, 123456));
		expect(idsOf(state)).toEqual([messageId(1), messageId(2), PENDING]);
	});

	it('the echo event arriving first confirms the pending copy; the RPC answer then changes nothing', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		state.apply(messageEvent(echo()));
		expect(onlyCopy(state, PENDING).status).toBe('sent');
		thread.confirm(echo());
		expect(onlyCopy(state, PENDING).status).toBe('sent');
		expect(idsOf(state)).toEqual([messageId(1), messageId(2), PENDING]);
	});

	it("a send's answer slower than the events after it keeps what they brought: the answer is only as new as the thread when it was sent", () => {
		const { state, thread } = withHistory();
		const askedAt = thread.cursor;
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		state.apply(messageEvent(echo(), { id: askedAt + 1 }));
		state.apply(messageEvent(echo({ reactions: [{ emoji: '👍', user_ids: [ALICE] }] }), { type: 'message.updated', id: askedAt + 2 }));
		thread.answer(echo(), askedAt);
		expect(onlyCopy(state, PENDING).reactions).toEqual([{ emoji: '👍', user_ids: [ALICE] }]);
		// With no event since it was asked, the answer is the truth.
		const next = message({ id: messageId(9), sender_id: ME, created_at: at(70) });
		thread.addPending({ id: next.id, body: next.body }, me);
		thread.answer(next, thread.cursor);
		expect(onlyCopy(state, next.id).status).toBe('sent');
	});

	it('fail marks a sending message failed with its error; a retry with the same id shows it sending again, still once', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		thread.fail(PENDING, 'You are offline.');
		expect(onlyCopy(state, PENDING)).toMatchObject({ status: 'failed', error: 'You are offline.' });

		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		const retried = onlyCopy(state, PENDING);
		expect(retried.status).toBe('sending');
		expect(retried.error).toBeUndefined();

		thread.confirm(echo());
		expect(onlyCopy(state, PENDING).status).toBe('sent');
	});

	it('a failure reported after the echo already confirmed the message does not mark it failed', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		state.apply(messageEvent(echo()));
		thread.fail(PENDING, 'Timed out.');
		expect(onlyCopy(state, PENDING).status).toBe('sent');
		expect(onlyCopy(state, PENDING).error).toBeUndefined();
	});

	it('the first confirmed send gives a thread opened before its conversation existed its conversation id', () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		vi.setSystemTime(new Date('2026-11-24T10:01:00.000Z'));
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ conversation_id: null, read_state: null }));
		expect(state.threads.byConversation(CONVERSATION)).toBeUndefined();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		thread.confirm(echo());
		expect(thread.conversationId).toBe(CONVERSATION);
		expect(state.threads.byConversation(CONVERSATION)?.key).toBe(KEY);
		// Later events without a preview still find the thread.
		state.apply(messageEvent(message({ id: messageId(101), created_at: at(90) }), { preview: null }));
		expect(idsOf(state)).toEqual([PENDING, messageId(101)]);
	});

	it('a message from the server never sorts between or below messages still sending', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: messageId(100), body: 'first' }, me); // stamped 10:01:00 by this clock
		vi.setSystemTime(new Date('2026-11-24T10:01:02.000Z'));
		thread.addPending({ id: messageId(101), body: 'second' }, me); // stamped 10:01:02
		// Alice's reply, stored by the server between the two local stamps.
		state.apply(messageEvent(message({ id: messageId(3), created_at: at(61) })));

		expect(idsOf(state)).toEqual([messageId(1), messageId(2), messageId(3), messageId(100), messageId(101)]);
	});

	it('confirming the first of two pending messages keeps the other at the bottom, even with the server clock ahead', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: messageId(100), body: 'first' }, me);
		thread.addPending({ id: messageId(101), body: 'second' }, me);
		// The server stamps the first one 5 s after this tab's clock.
		thread.confirm(echo({ id: messageId(100), body: 'first', created_at: at(65) }));

		expect(idsOf(state)).toEqual([messageId(1), messageId(2), messageId(100), messageId(101)]);
		expect(thread.messages.map((m) => m.status)).toEqual(['sent', 'sent', 'sent', 'sending']);
	});

	it('a thread reopened by the server keeps the messages still sending', () => {
		const { state, thread } = withHistory();
		thread.addPending({ id: PENDING, body: 'Yes, it is' }, me);
		state.threads.open(
			openedConversation({ messages: [message({ id: messageId(1), created_at: at(0) }), message({ id: messageId(2), created_at: at(30) })] })
		);
		expect(idsOf(state)).toEqual([messageId(1), messageId(2), PENDING]);
		expect(onlyCopy(state, PENDING).status).toBe('sending');
	});
});

describe('ThreadState: edits and deletes', () => {
	const ORIGINAL = message({ id: messageId(1), body: 'Is it still available?', created_at: at(0) });
	const EDITED = { ...ORIGINAL, body: 'Is it still available? I can pick it up today.', edited_at: at(20) };

	it('an edit arriving before the insert still ends with the edited text, once', () => {
		const state = messagingState();
		state.threads.open(openedConversation());
		state.apply(messageEvent(EDITED, { type: 'message.updated' }));
		state.apply(messageEvent(ORIGINAL, { type: 'message.created' }));

		const shown = onlyCopy(state, ORIGINAL.id);
		expect(shown.body).toBe(EDITED.body);
		expect(shown.edited_at).toBe(at(20));
	});

	it('a stale older copy (a page loaded before the edit, a replayed insert) never overwrites a newer edit', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [ORIGINAL] }));
		state.apply(messageEvent(EDITED, { type: 'message.updated' }));
		thread.prependOlder({ messages: [ORIGINAL], next: null });
		state.threads.open(openedConversation({ messages: [ORIGINAL] }));
		state.apply(messageEvent(ORIGINAL));
		state.apply(messageEvent({ ...ORIGINAL, body: 'first edit', edited_at: at(10) }, { type: 'message.updated' }));

		expect(onlyCopy(state, ORIGINAL.id).body).toBe(EDITED.body);
	});

	it('a later edit replaces an earlier one', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [ORIGINAL] }));
		state.apply(messageEvent(EDITED, { type: 'message.updated' }));
		state.apply(messageEvent({ ...ORIGINAL, body: 'Sold, sorry', edited_at: at(40) }, { type: 'message.updated' }));
		expect(onlyCopy(state, ORIGINAL.id).body).toBe('Sold, sorry');
	});

	it('a delete event shows the message with an empty body and its deleted_at, and stale copies do not bring the text back', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [ORIGINAL] }));
		state.apply(messageEvent(EDITED, { type: 'message.updated' }));
		state.apply(messageEvent({ ...EDITED, body: '', deleted_at: at(50) }, { type: 'message.updated' }));
		expect(onlyCopy(state, ORIGINAL.id)).toMatchObject({ body: '', deleted_at: at(50) });

		state.apply(messageEvent(EDITED, { type: 'message.updated' }));
		state.threads.open(openedConversation({ messages: [ORIGINAL] }));
		expect(onlyCopy(state, ORIGINAL.id)).toMatchObject({ body: '', deleted_at: at(50) });
	});

	it('a reply quoting a message shows its edit and then its deletion live, as a reload would', () => {
		const reply = message({
			id: messageId(2),
			body: 'Yes, it is.',
			created_at: at(5),
			reply_to_id: ORIGINAL.id,
			reply_to_sender_id: ORIGINAL.sender_id,
			reply_to_preview: ORIGINAL.body,
			reply_to_deleted: false
		});
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [ORIGINAL, reply] }));
		const long = `${'é'.repeat(139)}😀 and more`;
		state.apply(messageEvent({ ...ORIGINAL, body: long, edited_at: at(20) }, { type: 'message.updated' }));
		// The first 140 characters (code points, as PostgreSQL's left()): the emoji whole.
		expect(onlyCopy(state, reply.id)).toMatchObject({ reply_to_preview: `${'é'.repeat(139)}😀`, reply_to_deleted: false });
		state.apply(messageEvent({ ...ORIGINAL, body: '', edited_at: at(20), deleted_at: at(50) }, { type: 'message.updated' }));
		expect(onlyCopy(state, reply.id)).toMatchObject({ reply_to_preview: '', reply_to_deleted: true, body: 'Yes, it is.' });
	});

	it('a reply sent to a message deleted while it was written quotes the deletion while it sends, not “Photo”', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [{ ...ORIGINAL, body: '', deleted_at: at(50) }] }));
		thread.addPending({ id: messageId(9), body: 'Yes, it is.', reply: { id: ORIGINAL.id, sender_id: ORIGINAL.sender_id, preview: 'Photo' } }, me);
		expect(onlyCopy(state, messageId(9))).toMatchObject({ reply_to_id: ORIGINAL.id, reply_to_preview: '', reply_to_deleted: true, status: 'sending' });
	});
});

describe('ThreadState: counts from a preview', () => {
	it("mergeCounts takes a preview's unread count and the other member's read position, and keeps the rest of the read state", () => {
		const state = messagingState();
		const opened = readState({ unread_count: 1, last_read_at: at(10), last_read_message_id: messageId(1), muted_until: 'infinity' });
		const thread = state.threads.open(openedConversation({ read_state: opened }));
		thread.mergeCounts({ unread_count: 4, other_last_read_at: at(30) });
		expect(thread.readState).toEqual({ ...opened, unread_count: 4, other_last_read_at: at(30) });
	});

	it('mergeCounts leaves a thread without a conversation yet without read state', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ conversation_id: null, read_state: null }));
		thread.mergeCounts({ unread_count: 4, other_last_read_at: at(30) });
		expect(thread.readState).toBeNull();
	});
});

describe('ThreadState: photos', () => {
	const PENDING = messageId(200);
	const photo = (n: number): Attachment => ({ id: messageId(900 + n), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 });
	const sentWithPhotos = (overrides: Partial<Message> = {}) =>
		message({ id: PENDING, sender_id: ME, body: '', attachments: [photo(1), photo(2)], created_at: at(61), ...overrides });

	it('a pending message carries its photos, so the bubble shows them while sending; it is a valid Message', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.addPending({ id: PENDING, body: '', attachments: [photo(1), photo(2)] }, me);
		const pending = onlyCopy(state, PENDING);
		expect(pending).toMatchObject({ status: 'sending', body: '', attachments: [photo(1), photo(2)], reactions: [] });
		expect(Message.safeParse(pending).success).toBe(true);
	});

	it('a failed send retried with the same id keeps its photos, and the confirmation shows them once', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.addPending({ id: PENDING, body: '', attachments: [photo(1), photo(2)] }, me);
		thread.fail(PENDING, 'You appear to be offline.');
		thread.addPending({ id: PENDING, body: '', attachments: [photo(1), photo(2)] }, me);
		expect(onlyCopy(state, PENDING)).toMatchObject({ status: 'sending', attachments: [photo(1), photo(2)] });
		thread.confirm(sentWithPhotos());
		state.apply(messageEvent(sentWithPhotos()));
		expect(onlyCopy(state, PENDING)).toMatchObject({ status: 'sent', attachments: [photo(1), photo(2)] });
	});

	it('a copy rendered before the photos were linked does not take them away: photos never change after sending', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation());
		thread.confirm(sentWithPhotos());
		state.apply(messageEvent(sentWithPhotos({ attachments: [] })));
		expect(onlyCopy(state, PENDING).attachments).toEqual([photo(1), photo(2)]);
	});

	it('deleting a message takes its photos away, and no stale copy brings them back', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [sentWithPhotos()] }));
		state.apply(messageEvent(sentWithPhotos({ attachments: [], deleted_at: at(90) }), { type: 'message.updated' }));
		expect(onlyCopy(state, PENDING)).toMatchObject({ attachments: [], deleted_at: at(90) });
		thread.prependOlder({ messages: [sentWithPhotos()], next: null });
		state.apply(messageEvent(sentWithPhotos()));
		expect(onlyCopy(state, PENDING).attachments).toEqual([]);
	});
});

describe('ThreadState: reactions', () => {
	const ID = messageId(1);
	const liked = (...users: string[]): Reaction[] => [{ emoji: '👍', user_ids: users }];
	const withReactions = (reactions: Reaction[], overrides: Partial<Message> = {}) => message({ id: ID, created_at: at(0), reactions, ...overrides });

	it("a message.updated event with reactions replaces the shown reactions, the edit's text staying", () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [withReactions([], { body: 'edited', edited_at: at(20) })] }));
		state.apply(messageEvent(withReactions(liked(ALICE), { body: 'edited', edited_at: at(20) }), { type: 'message.updated' }));
		expect(onlyCopy(state, ID)).toMatchObject({ body: 'edited', reactions: liked(ALICE) });
	});

	it('a reaction arriving on a message already edited never brings back its older text', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [withReactions([], { body: 'edited', edited_at: at(20) })] }));
		state.apply(messageEvent(withReactions(liked(ALICE), { body: 'original' }), { type: 'message.updated' }));
		expect(onlyCopy(state, ID)).toMatchObject({ body: 'edited', reactions: [] });
	});

	it('my toggle shows at once; the server answer is the truth', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [withReactions(liked(ALICE))] }));
		expect(thread.react(ID, '👍', ME)).toBe(true);
		expect(onlyCopy(state, ID).reactions).toEqual(liked(ALICE, ME));
		expect(thread.react(ID, '❤️', ME)).toBe(true);
		expect(onlyCopy(state, ID).reactions).toEqual([...liked(ALICE, ME), { emoji: '❤️', user_ids: [ME] }]);

		thread.reactSettled(ID, '👍', withReactions(liked(ALICE, ME)));
		// The heart is still on its way: the answer to the thumb does not take it away.
		expect(onlyCopy(state, ID).reactions).toEqual([...liked(ALICE, ME), { emoji: '❤️', user_ids: [ME] }]);
		thread.reactSettled(ID, '❤️', withReactions([...liked(ALICE, ME), { emoji: '❤️', user_ids: [ME] }]));
		expect(onlyCopy(state, ID).reactions).toEqual([...liked(ALICE, ME), { emoji: '❤️', user_ids: [ME] }]);
	});

	it("an event arriving while my toggle is on its way (the other member's reaction) keeps my toggle shown", () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [withReactions([])] }));
		thread.react(ID, '👍', ME);
		state.apply(messageEvent(withReactions(liked(ALICE)), { type: 'message.updated' }));
		expect(onlyCopy(state, ID).reactions).toEqual(liked(ALICE, ME));
		thread.reactSettled(ID, '👍', withReactions(liked(ALICE, ME)));
		expect(onlyCopy(state, ID).reactions).toEqual(liked(ALICE, ME));
	});

	it('a toggle that failed is undone', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [withReactions(liked(ALICE, ME))] }));
		expect(thread.react(ID, '👍', ME)).toBe(false);
		expect(onlyCopy(state, ID).reactions).toEqual(liked(ALICE));
		thread.reactSettled(ID, '👍', null);
		expect(onlyCopy(state, ID).reactions).toEqual(liked(ALICE, ME));
	});

	it('two quick toggles of one emoji end where they started, whatever the first answer said', () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [withReactions([])] }));
		thread.react(ID, '👍', ME);
		thread.react(ID, '👍', ME);
		expect(onlyCopy(state, ID).reactions).toEqual([]);
		thread.reactSettled(ID, '👍', withReactions(liked(ME))); // the first toggle's answer
		expect(onlyCopy(state, ID).reactions).toEqual([]);
		thread.reactSettled(ID, '👍', withReactions([]));
		expect(onlyCopy(state, ID).reactions).toEqual([]);
	});

	it('no reactions on a message still sending, a deleted message or a system message', () => {
		const state = messagingState();
		const thread = state.threads.open(
			openedConversation({
				messages: [
					message({ id: messageId(2), created_at: at(2), body: '', deleted_at: at(3) }),
					message({ id: messageId(3), created_at: at(4), kind: 'system', body: 'The chair is reserved.' })
				]
			})
		);
		thread.addPending({ id: messageId(4), body: 'Hi' }, me);
		for (const id of [messageId(2), messageId(3), messageId(4)]) {
			expect(thread.react(id, '👍', ME)).toBeNull();
			expect(onlyCopy(state, id).reactions).toEqual([]);
		}
	});
});

describe('ThreadState: how recent a copy is', () => {
	const ID = messageId(1);
	const liked: Reaction[] = [{ emoji: '👍', user_ids: [ALICE] }];
	const plain = message({ id: ID, created_at: at(0) });
	const reacted = message({ id: ID, created_at: at(0), reactions: liked });

	it('a page read before a reaction event (an older log cursor) does not take the reaction away', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [plain] }), { cursor: 10 });
		state.apply(messageEvent(reacted, { type: 'message.updated', id: 12 }));
		state.threads.open(openedConversation({ messages: [plain] }), { cursor: 11 }); // a reload that read before event 12
		expect(onlyCopy(state, ID).reactions).toEqual(liked);
	});

	it('a page read after the event replaces it (the reaction was taken back)', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [plain] }), { cursor: 10 });
		state.apply(messageEvent(reacted, { type: 'message.updated', id: 12 }));
		state.threads.open(openedConversation({ messages: [plain] }), { cursor: 13 });
		expect(onlyCopy(state, ID).reactions).toEqual([]);
	});

	it('an event the page already holds (delivered after a reload) does not overwrite the page', () => {
		const state = messagingState();
		state.threads.open(openedConversation({ messages: [plain] }), { cursor: 20 });
		state.apply(messageEvent(reacted, { type: 'message.updated', id: 20 }));
		expect(onlyCopy(state, ID).reactions).toEqual([]);
		state.apply(messageEvent(reacted, { type: 'message.updated', id: 21 }));
		expect(onlyCopy(state, ID).reactions).toEqual(liked);
	});

	it("older history requested at the thread's cursor counts as read after every event the thread has had", () => {
		const state = messagingState();
		const thread = state.threads.open(openedConversation({ messages: [plain] }), { cursor: 10 });
		state.apply(messageEvent(reacted, { type: 'message.updated', id: 15 }));
		expect(thread.cursor).toBe(15);
		thread.prependOlder({ messages: [plain], next: null }, { cursor: 14 }); // requested before event 15 arrived
		expect(onlyCopy(state, ID).reactions).toEqual(liked);
		thread.prependOlder({ messages: [plain], next: null }, { cursor: thread.cursor });
		expect(onlyCopy(state, ID).reactions).toEqual([]);
	});
});
