import { describe, expect, it } from 'vitest';
import { clockTime } from '../../src/lib/messaging/relative-time.ts';
import type { Attachment, Message } from '../../src/lib/messaging/schemas/index.ts';
import { transcriptLine, transcriptText } from '../../src/lib/messaging/thread-transcript.ts';
import { ALICE, alice, at, ME, message, messageId } from '../support/rows.ts';

/** A copied thread, line by line: every message says who wrote it and when, whatever the screen shows of that. */

const time = clockTime(at(0));
const asMe = { me: ME, other: alice };
const mine = (overrides: Partial<Message> = {}) => message({ sender_id: ME, sender_username: 'me', sender_display_name: 'Me', ...overrides });
const photo = (n: number): Attachment => ({ id: messageId(900 + n), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 });

describe('transcriptLine', () => {
	it("names the other member's message by their name and one's own as You, with its time, before the text", () => {
		expect(transcriptLine(message({ body: 'Is it still available?' }), asMe)).toBe(`Alice, ${time}: Is it still available?`);
		expect(transcriptLine(mine({ body: 'Yes' }), asMe)).toBe(`You, ${time}: Yes`);
	});

	it('says edited beside the time, and "(deleted)" for a deleted message, edited or not', () => {
		expect(transcriptLine(mine({ body: 'Yes', edited_at: at(60) }), asMe)).toBe(`You, ${time} (edited): Yes`);
		expect(transcriptLine(message({ body: '', edited_at: at(60), deleted_at: at(120) }), asMe)).toBe(`Alice, ${time}: (deleted)`);
	});

	it('counts photos before any text', () => {
		expect(transcriptLine(message({ body: '', attachments: [photo(1), photo(2)] }), asMe)).toBe(`Alice, ${time}: (2 photos)`);
		expect(transcriptLine(message({ body: 'The frame', attachments: [photo(1)] }), asMe)).toBe(`Alice, ${time}: (1 photo) The frame`);
	});

	it('says what a reply answers and whose it was, before its photos and text', () => {
		const answer = { reply_to_id: messageId(1), reply_to_sender_id: ALICE, reply_to_preview: 'Is it still available?' };
		expect(transcriptLine(mine({ body: 'Yes', ...answer }), asMe)).toBe(`You, ${time}: (replying to Alice: “Is it still available?”) Yes`);
		expect(transcriptLine(message({ body: 'Great', reply_to_id: messageId(2), reply_to_sender_id: ME, reply_to_preview: 'Yes' }), asMe)).toBe(
			`Alice, ${time}: (replying to you: “Yes”) Great`
		);
		expect(transcriptLine(mine({ body: '', attachments: [photo(1)], ...answer }), asMe)).toBe(`You, ${time}: (replying to Alice: “Is it still available?”) (1 photo)`);
		expect(transcriptLine(mine({ body: 'Never mind', ...answer, reply_to_preview: null, reply_to_deleted: true }), asMe)).toBe(
			`You, ${time}: (replying to Alice: a deleted message) Never mind`
		);
	});

	it('says a message that failed was not sent; one still sending reads as sent', () => {
		expect(transcriptLine({ ...mine({ body: 'Hello' }), status: 'failed' }, asMe)).toBe(`You, ${time} (not sent): Hello`);
		expect(transcriptLine({ ...mine({ body: 'Hello' }), status: 'sending' }, asMe)).toBe(`You, ${time}: Hello`);
	});

	it('gives a notice as its sentence for the reader, after its time', () => {
		const notice = message({
			kind: 'system',
			body: 'Alice withdrew their offer of €120.00',
			payload: { event: 'offer.withdrawn', actor_id: ALICE, buyer_id: ALICE, amount_cents: 12000, currency: 'EUR' }
		});
		expect(transcriptLine(notice, asMe)).toBe(`${time}: Alice withdrew their offer of €120.00`);
	});

	it('gives an offer card as its sentence and state, as the thread around it has it', () => {
		const offerId = 'e0000000-0000-4000-8000-000000000001';
		const card = message({
			kind: 'offer',
			body: 'Alice offered €120.00',
			payload: { offer_id: offerId, amount_cents: 12000, currency: 'EUR' },
			offer: { id: offerId, amount_cents: 12000, currency: 'EUR', status: 'open', awaiting: 'seller', buyer_id: ALICE, seller_id: ME, current: true }
		});
		expect(transcriptLine(card, asMe)).toBe(`${time}: Alice offered €120.00 (Waiting for you)`);
		expect(transcriptLine(card, { ...asMe, superseded: new Set([card.id]) })).toBe(`${time}: Alice offered €120.00 (Countered)`);
	});
});

describe('transcriptText', () => {
	it('puts one line per message, and a message of several lines in a paragraph of its own', () => {
		expect(transcriptText(['Today', 'Alice, 10:00: Hi', 'You, 10:01: Hello'])).toBe('Today\nAlice, 10:00: Hi\nYou, 10:01: Hello');
		expect(transcriptText(['Alice, 10:00: Hi', 'You, 10:01: Two\nlines', 'Alice, 10:02: Ok'])).toBe('Alice, 10:00: Hi\n\nYou, 10:01: Two\nlines\n\nAlice, 10:02: Ok');
	});
});
