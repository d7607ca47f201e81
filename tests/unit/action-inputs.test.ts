import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { isBlankBody } from '../../src/lib/messaging/schemas/body.ts';
import { MessagingActions, type ActionInput, type MessagingAction } from '../../src/lib/messaging/schemas/inputs.ts';
import { ALICE, CONVERSATION, KEY, PRODUCT, messageId } from '../support/rows.ts';

/**
 * The form actions' inputs, parsed as the server parses them: a real form's fields through
 * `Object.fromEntries(formData)`, the first issue's message being what the person reads.
 */

const NOT_VALID = 'Some of what was sent is not valid.';
const BAD_LINK = 'This conversation link is not valid.';

function submit<A extends MessagingAction>(name: A, fields: Record<string, string>) {
	const form = new FormData();
	for (const [field, value] of Object.entries(fields)) form.set(field, value);
	return MessagingActions[name].input.safeParse(Object.fromEntries(form)) as z.ZodSafeParseResult<ActionInput<A>>;
}

/** What the person is told when the action refuses the form. */
function refusal(result: z.ZodSafeParseResult<unknown>): string | undefined {
	expect(result.success, 'the form is refused').toBe(false);
	return result.error?.issues[0]?.message;
}

const ID = messageId(100);

describe('MessagingActions.send: input', () => {
	it('sends into a conversation by id, with no reply', () => {
		const result = submit('send', { id: ID, body: 'Yes, it is', conversation_id: CONVERSATION, reply_to: '' });
		expect(result.success).toBe(true);
		expect(result.data).toEqual({ id: ID, body: 'Yes, it is', conversation_id: CONVERSATION, reply_to: null, attachments: [] });
	});

	it("the first message of a new conversation goes by key, parsed into the other member and the product", () => {
		const result = submit('send', { id: ID, body: 'Hi', conversation_id: '', key: KEY, reply_to: '' });
		expect(result.data).toMatchObject({ conversation_id: null, key: { otherUserId: ALICE, productId: PRODUCT }, reply_to: null });

		const general = submit('send', { id: ID, body: 'Hi', key: `${ALICE}__general` });
		expect(general.data).toMatchObject({ conversation_id: null, key: { otherUserId: ALICE, productId: null } });
	});

	it('a form with neither a conversation id nor a key is refused as a bad link', () => {
		expect(refusal(submit('send', { id: ID, body: 'Hi' }))).toBe(BAD_LINK);
		expect(refusal(submit('send', { id: ID, body: 'Hi', conversation_id: '', reply_to: '' }))).toBe(BAD_LINK);
	});

	it('a key that is not a conversation key is refused as a bad link', () => {
		expect(refusal(submit('send', { id: ID, body: 'Hi', key: `${ALICE}__chair` }))).toBe(BAD_LINK);
		expect(refusal(submit('send', { id: ID, body: 'Hi', key: 'not-a-key' }))).toBe(BAD_LINK);
	});

	it('an empty reply_to means no reply; a message id is kept', () => {
		expect(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION, reply_to: '' }).data?.reply_to).toBeNull();
		expect(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION }).data?.reply_to).toBeNull();
		expect(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION, reply_to: messageId(1) }).data?.reply_to).toBe(messageId(1));
	});

	it('ids that are not uuids are refused with the same plain message', () => {
		expect(refusal(submit('send', { id: 'draft-1', body: 'Hi', conversation_id: CONVERSATION }))).toBe(NOT_VALID);
		expect(refusal(submit('send', { id: '', body: 'Hi', conversation_id: CONVERSATION }))).toBe(NOT_VALID);
		expect(refusal(submit('send', { id: ID, body: 'Hi', conversation_id: '42' }))).toBe(NOT_VALID);
		expect(refusal(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION, reply_to: 'x' }))).toBe(NOT_VALID);
	});

	it('a form without a body asks for a message', () => {
		expect(refusal(submit('send', { id: ID, conversation_id: CONVERSATION }))).toBe('Write a message before sending.');
	});

	it('NUL characters in a pasted text are dropped, as the database drops the other control characters, when sending and editing', () => {
		expect(submit('send', { id: ID, body: 'Still\0 for sale?\0', conversation_id: CONVERSATION }).data?.body).toBe('Still for sale?');
		expect(submit('edit', { id: ID, body: '\0Yes' }).data?.body).toBe('Yes');
	});

	it('a body of NUL characters alone is blank, so the composer asks for a message instead of sending one the database refuses', () => {
		expect(isBlankBody('\0\0 ')).toBe(true);
	});
});

describe('MessagingActions.send: photos', () => {
	const PHOTOS = [messageId(201), messageId(202), messageId(203)];

	it("attachments are comma-separated ids, in the order given; '' or no field means none", () => {
		expect(submit('send', { id: ID, body: '', conversation_id: CONVERSATION, attachments: PHOTOS.join(',') }).data?.attachments).toEqual(PHOTOS);
		expect(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION, attachments: '' }).data?.attachments).toEqual([]);
		expect(submit('send', { id: ID, body: 'Hi', conversation_id: CONVERSATION }).data?.attachments).toEqual([]);
	});

	it('a message of photos only may have an empty body (the RPC decides whether it needs one)', () => {
		const result = submit('send', { id: ID, body: '', conversation_id: CONVERSATION, attachments: PHOTOS[0] });
		expect(result.success).toBe(true);
		expect(result.data).toMatchObject({ body: '', attachments: [PHOTOS[0]] });
	});

	it('at most 6 photos a message', () => {
		const seven = Array.from({ length: 7 }, (_, i) => messageId(300 + i));
		expect(submit('send', { id: ID, body: '', conversation_id: CONVERSATION, attachments: seven.slice(0, 6).join(',') }).success).toBe(true);
		expect(refusal(submit('send', { id: ID, body: '', conversation_id: CONVERSATION, attachments: seven.join(',') }))).toBe(
			'A message can have at most 6 photos.'
		);
	});

	it('anything that is not a list of uuids is refused with the plain message', () => {
		for (const attachments of ['photo-1', `${PHOTOS[0]},`, `${PHOTOS[0]}, ${PHOTOS[1]}`, `${PHOTOS[0]};${PHOTOS[1]}`, ',']) {
			expect(refusal(submit('send', { id: ID, body: '', conversation_id: CONVERSATION, attachments }))).toBe(NOT_VALID);
		}
	});
});

describe('MessagingActions.react: input', () => {
	it.each(['👍', '❤️', '😂', '😮', '🙏'])('takes %s on a message', (emoji) => {
		expect(submit('react', { message_id: ID, emoji }).data).toEqual({ message_id: ID, emoji });
	});

	it('refuses an emoji outside the fixed set, a missing one, and a bad message id', () => {
		expect(refusal(submit('react', { message_id: ID, emoji: '💩' }))).toBe(NOT_VALID);
		// The heart without its variation selector is another string.
		expect(refusal(submit('react', { message_id: ID, emoji: '❤' }))).toBe(NOT_VALID);
		expect(refusal(submit('react', { message_id: ID }))).toBe(NOT_VALID);
		expect(refusal(submit('react', { message_id: 'x', emoji: '👍' }))).toBe(NOT_VALID);
	});
});

describe('MessagingActions: the other actions', () => {
	it.each([
		['archive', 'archived', 'conversation_id', CONVERSATION],
		['mute', 'muted', 'conversation_id', CONVERSATION],
		['block', 'blocked', 'user_id', ALICE]
	] as const)("%s: '%s' true and false become booleans; anything else is refused", (name, flag, idField, id) => {
		expect(submit(name, { [idField]: id, [flag]: 'true' }).data).toEqual({ [idField]: id, [flag]: true });
		expect(submit(name, { [idField]: id, [flag]: 'false' }).data).toEqual({ [idField]: id, [flag]: false });
		expect(refusal(submit(name, { [idField]: id, [flag]: 'yes' }))).toBe(NOT_VALID);
		expect(refusal(submit(name, { [idField]: id }))).toBe(NOT_VALID);
		expect(refusal(submit(name, { [idField]: 'nope', [flag]: 'true' }))).toBe(NOT_VALID);
	});

	it('edit and delete need a message id', () => {
		expect(submit('edit', { id: ID, body: 'Edited' }).data).toEqual({ id: ID, body: 'Edited' });
		expect(refusal(submit('edit', { id: 'x', body: 'Edited' }))).toBe(NOT_VALID);
		expect(submit('delete', { id: ID }).data).toEqual({ id: ID });
		expect(refusal(submit('delete', { id: 'x' }))).toBe(NOT_VALID);
	});

	it('read marks up to a message, or everything when up_to is empty', () => {
		expect(submit('read', { conversation_id: CONVERSATION, up_to: '' }).data).toEqual({ conversation_id: CONVERSATION, up_to: null });
		expect(submit('read', { conversation_id: CONVERSATION }).data).toEqual({ conversation_id: CONVERSATION, up_to: null });
		expect(submit('read', { conversation_id: CONVERSATION, up_to: ID }).data).toEqual({ conversation_id: CONVERSATION, up_to: ID });
		expect(refusal(submit('read', { conversation_id: 'x' }))).toBe(NOT_VALID);
	});

	it('report takes a known reason and details that default to empty', () => {
		expect(submit('report', { message_id: ID, reason: 'spam' }).data).toEqual({ message_id: ID, reason: 'spam', details: '' });
		expect(submit('report', { message_id: ID, reason: 'scam', details: 'Asked for a bank transfer' }).data?.details).toBe('Asked for a bank transfer');
		expect(refusal(submit('report', { message_id: ID, reason: 'rude' }))).toBe('Choose why you are reporting this message: spam, scam, abuse or other.');
		expect(refusal(submit('report', { message_id: 'x', reason: 'spam' }))).toBe(NOT_VALID);
	});
});

describe('MessagingActions.offer: input', () => {
	const BY_ID = { id: ID, conversation_id: CONVERSATION, currency: 'EUR' };

	it('the amount typed in major units becomes minor units of the listing’s currency', () => {
		expect(submit('offer', { ...BY_ID, amount: '120' }).data).toEqual({ id: ID, amount_cents: 12000, currency: 'EUR', conversation_id: CONVERSATION, key: undefined });
		expect(submit('offer', { ...BY_ID, amount: '120,5' }).data?.amount_cents).toBe(12050);
		expect(submit('offer', { ...BY_ID, amount: ' 120.50 ' }).data?.amount_cents).toBe(12050);
		expect(submit('offer', { ...BY_ID, currency: 'JPY', amount: '12000' }).data?.amount_cents).toBe(12000);
	});

	it('the first offer of a new conversation goes by key', () => {
		const result = submit('offer', { id: ID, conversation_id: '', key: KEY, currency: 'EUR', amount: '80' });
		expect(result.data).toEqual({ id: ID, amount_cents: 8000, currency: 'EUR', conversation_id: null, key: { otherUserId: ALICE, productId: PRODUCT } });
		expect(refusal(submit('offer', { id: ID, currency: 'EUR', amount: '80' }))).toBe(BAD_LINK);
	});

	it.each([
		['', 'Type the amount you want to offer.'],
		['lots', 'Type the amount as a number, like 120 or 120.50.'],
		['0', 'An offer must be more than zero.'],
		['12.345', 'Use at most 2 decimals and no thousands separators, like 1200.50.'],
		['2000000', 'Offers can be at most €1,000,000.00.']
	])('%j is refused: %s', (amount, message) => {
		expect(refusal(submit('offer', { ...BY_ID, amount }))).toBe(message);
	});

	it('a form without an amount asks for one; a missing or made-up currency and a bad id are not valid', () => {
		expect(refusal(submit('offer', BY_ID))).toBe('Type the amount you want to offer.');
		expect(refusal(submit('offer', { id: ID, conversation_id: CONVERSATION, amount: '10' }))).toBe(NOT_VALID);
		expect(refusal(submit('offer', { ...BY_ID, currency: 'euro', amount: '10' }))).toBe(NOT_VALID);
		expect(refusal(submit('offer', { ...BY_ID, id: 'x', amount: '10' }))).toBe(NOT_VALID);
	});
});

describe('MessagingActions.respond: input', () => {
	const OFFER = messageId(500);

	it.each(['accept', 'decline', 'withdraw'] as const)('%s needs only the offer; an amount sent along is ignored', (action) => {
		expect(submit('respond', { offer_id: OFFER, action }).data).toEqual({ offer_id: OFFER, action, amount_cents: null, currency: null, id: null });
		expect(submit('respond', { offer_id: OFFER, action, amount: '5', currency: 'EUR', id: '' }).data?.amount_cents).toBeNull();
	});

	it('counter takes an amount in the currency and the new card’s id', () => {
		expect(submit('respond', { offer_id: OFFER, action: 'counter', amount: '130', currency: 'EUR', id: ID }).data).toEqual({
			offer_id: OFFER,
			action: 'counter',
			amount_cents: 13000,
			currency: 'EUR',
			id: ID
		});
	});

	it('a counter without an amount asks for one; a bad amount says what to type', () => {
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', currency: 'EUR', id: ID }))).toBe('Type the amount you want to offer.');
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', amount: '', currency: 'EUR', id: ID }))).toBe(
			'Type the amount you want to offer.'
		);
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', amount: '12 euros', currency: 'EUR', id: ID }))).toBe(
			'Type the amount as a number, like 120 or 120.50.'
		);
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', amount: '-1', currency: 'EUR', id: ID }))).toBe(
			'An offer must be more than zero.'
		);
	});

	it('a counter without its card id or currency, an unknown action and a bad offer id are not valid', () => {
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', amount: '130', currency: 'EUR' }))).toBe(NOT_VALID);
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'counter', amount: '130', id: ID }))).toBe(NOT_VALID);
		expect(refusal(submit('respond', { offer_id: OFFER, action: 'haggle' }))).toBe(NOT_VALID);
		expect(refusal(submit('respond', { offer_id: 'x', action: 'accept' }))).toBe(NOT_VALID);
	});
});

describe('MessagingActions.listing: input', () => {
	it('sold or active, for a conversation', () => {
		expect(submit('listing', { conversation_id: CONVERSATION, status: 'sold' }).data).toEqual({ conversation_id: CONVERSATION, status: 'sold' });
		expect(submit('listing', { conversation_id: CONVERSATION, status: 'active' }).data).toEqual({ conversation_id: CONVERSATION, status: 'active' });
	});

	it('reserved is not the seller’s to set (accepting an offer reserves), nor anything else', () => {
		expect(refusal(submit('listing', { conversation_id: CONVERSATION, status: 'reserved' }))).toBe(NOT_VALID);
		expect(refusal(submit('listing', { conversation_id: CONVERSATION }))).toBe(NOT_VALID);
		expect(refusal(submit('listing', { conversation_id: 'x', status: 'sold' }))).toBe(NOT_VALID);
	});
});

describe('MessagingActions.save_quick_reply: input', () => {
	it('a line break the form sends as CR LF counts as one character, as the box counted it, and is kept as one', () => {
		// 494 characters in the box, 10 of them line breaks: a form posts 504.
		const body = Array.from({ length: 11 }, () => 'y'.repeat(44)).join('\r\n');
		const result = submit('save_quick_reply', { id: ID, body });
		expect(result.success, result.error?.issues[0]?.message).toBe(true);
		expect(result.data?.body).toBe(body.replaceAll('\r\n', '\n'));
		expect(refusal(submit('save_quick_reply', { id: ID, body: 'y'.repeat(501) }))).toBe('Quick replies can be at most 500 characters.');
		expect(refusal(submit('save_quick_reply', { id: ID, body: ' \r\n ' }))).toBe('Write the reply you want to keep.');
	});
});

/**
 * Whatever a form sends, the refusal is a sentence of ours: zod's own wording ("Invalid option:
 * expected one of…", "Invalid input: expected string, received File") reached people before.
 */
describe('every action, sent files, numbers-as-text and nonsense in every field', () => {
	const FIELDS = ['id', 'body', 'conversation_id', 'key', 'reply_to', 'attachments', 'message_id', 'emoji', 'reason', 'details', 'offer_id', 'action', 'amount', 'currency', 'status', 'archived', 'muted', 'blocked', 'user_id', 'up_to'];
	const ZOD_WORDING = /^Invalid|expected|received/;
	for (const name of Object.keys(MessagingActions) as MessagingAction[]) {
		it(`${name}: refused in our words, field by field`, () => {
			for (const value of [new File(['x'], 'x.txt'), 'nonsense', '']) {
				const form = new FormData();
				for (const field of FIELDS) form.set(field, value);
				const result = MessagingActions[name].input.safeParse(Object.fromEntries(form));
				// Every issue, not only the first: each is the first one a form with the other fields right gets.
				const issues = result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
				expect(issues.filter((issue) => ZOD_WORDING.test(issue.replace(/^[^:]*: /, ''))), `${name} with ${value instanceof File ? 'files' : JSON.stringify(value)}`).toEqual([]);
			}
		});
	}
});
