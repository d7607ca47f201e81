import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatConversationKey, tryParseConversationKey } from '../../src/lib/messaging/conversation-key.ts';
import { MAX_OFFER_MAJOR, minorUnits, parseAmount } from '../../src/lib/messaging/offers/amount.ts';
import { MessagingActions, type Message, type MessagingAction } from '../../src/lib/messaging/schemas/index.ts';
import { idsOf, messagingState, threadOf } from '../support/messaging-state.ts';
import { at, message, messageEvent, messageId, openedConversation } from '../support/rows.ts';

/**
 * Properties over generated input (fast-check): the conversation-key parser, the amount parser
 * and the form-action schemas never throw and round-trip what they accept; a thread shows each
 * message once, in order, at its newest version, whatever order and however often the copies
 * arrive.
 */

const RUNS = { numRuns: 300 };
const mixedCase = (id: string) => fc.array(fc.boolean(), { minLength: id.length, maxLength: id.length }).map((up) => [...id].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

describe('conversation keys', () => {
	it('format and parse are inverse, whatever the case of the ids', () => {
		const parts = fc.record({ other: fc.uuid().chain(mixedCase), product: fc.option(fc.uuid().chain(mixedCase), { nil: null }) });
		fc.assert(
			fc.property(parts, ({ other, product }) => {
				const key = formatConversationKey({ otherUserId: other, productId: product });
				expect(tryParseConversationKey(key)).toEqual({ otherUserId: other.toLowerCase(), productId: product?.toLowerCase() ?? null });
				expect(tryParseConversationKey(` ${key.toUpperCase()} `)).toEqual(tryParseConversationKey(key));
			}),
			RUNS
		);
	});

	it('never throws on any text, and whatever it accepts formats back to the same key', () => {
		const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uuid().map((id) => `${id}__${id.slice(0, 20)}`), fc.constantFrom('__general', 'general', '', '\0'));
		fc.assert(
			fc.property(text, (key) => {
				const parts = tryParseConversationKey(key);
				if (parts) expect(formatConversationKey(parts)).toBe(key.trim().toLowerCase());
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('amounts', () => {
	const currencies = fc.constantFrom('EUR', 'USD', 'GBP', 'JPY', 'KRW', 'KWD', 'CHF', 'SEK');

	it('reads back every amount written as a plain number, with a point or a comma', () => {
		fc.assert(
			fc.property(currencies, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (currency, share, comma) => {
				const digits = minorUnits(currency)!;
				const max = MAX_OFFER_MAJOR * 10 ** digits;
				const minor = Math.max(1, Math.round(share * max));
				const whole = Math.floor(minor / 10 ** digits);
				const fraction = String(minor % 10 ** digits).padStart(digits, '0');
				const typed = digits === 0 ? String(whole) : `${whole}${comma ? ',' : '.'}${fraction}`;
				expect(parseAmount(typed, currency)).toEqual({ ok: true, minor });
			}),
			RUNS
		);
	});

	it('never throws, and accepts only whole positive amounts within the limit', () => {
		fc.assert(
			fc.property(currencies, fc.oneof(fc.string(), fc.stringMatching(/^-?\d{0,14}([.,]\d{0,5})?$/)), (currency, typed) => {
				const parsed = parseAmount(typed, currency);
				if (parsed.ok) {
					expect(Number.isSafeInteger(parsed.minor)).toBe(true);
					expect(parsed.minor).toBeGreaterThan(0);
					expect(parsed.minor).toBeLessThanOrEqual(MAX_OFFER_MAJOR * 10 ** minorUnits(currency)!);
				} else {
					expect(parsed.message.length).toBeGreaterThan(10);
				}
			}),
			{ numRuns: 2000 }
		);
	});
});

describe('form-action schemas', () => {
	const names = Object.keys(MessagingActions) as MessagingAction[];
	const field = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uuid(), fc.constantFrom('', 'true', 'false', '\0', 'x'.repeat(30_000)), fc.integer().map(String));
	const form = fc.dictionary(
		fc.oneof(fc.constantFrom('id', 'body', 'conversation_id', 'key', 'reply_to', 'attachments', 'amount', 'currency', 'action', 'offer_id', 'status', 'emoji', 'message_id', 'user_id', 'blocked', 'archived', 'muted', 'reason', 'details', 'up_to'), fc.string()),
		field
	);

	it('never throw on any form, and refuse with a sentence', () => {
		fc.assert(
			fc.property(fc.constantFrom(...names), form, (name, fields) => {
				const parsed = MessagingActions[name].input.safeParse(fields);
				if (!parsed.success) expect(parsed.error.issues[0]?.message.length).toBeGreaterThan(5);
			}),
			{ numRuns: 3000 }
		);
	});
});

describe('a thread’s merge rules', () => {
	// Up to 6 messages, each with up to 3 versions (the text, then edits); each version is one
	// event of the log, in order. The copies then arrive in any order, some more than once.
	const history = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }).chain((versions) => {
		let eventId = 1000;
		const copies = versions.flatMap((count, i) =>
			Array.from({ length: count }, (_, v) => ({
				event: ++eventId,
				message: message({
					id: messageId(i + 1),
					created_at: at(i * 10),
					body: `message ${i + 1} version ${v}`,
					edited_at: v === 0 ? null : at(i * 10 + v)
				})
			}))
		);
		const newest = versions.map((count, i) => `message ${i + 1} version ${count - 1}`);
		return fc.record({
			order: fc.shuffledSubarray(copies, { minLength: copies.length, maxLength: copies.length }),
			again: fc.array(fc.constantFrom(...copies), { maxLength: 8 }),
			newest: fc.constant(newest)
		});
	});

	it('each message once, in order, at its newest version, however its copies arrive', () => {
		fc.assert(
			fc.property(history, ({ order, again, newest }) => {
				const state = messagingState();
				state.threads.open(openedConversation({ messages: [] }));
				for (const { event, message: m } of [...order, ...again]) state.apply(messageEvent(m as Message, { id: event, preview: null }));
				const ids = idsOf(state);
				expect(ids).toEqual(newest.map((_, i) => messageId(i + 1)));
				expect(threadOf(state).messages.map((m) => m.body)).toEqual(newest);
			}),
			RUNS
		);
	});
});
