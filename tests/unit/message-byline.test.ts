import { describe, expect, it } from 'vitest';
import { messageByline } from '../../src/lib/messaging/message-byline.ts';
import { clockTime } from '../../src/lib/messaging/relative-time.ts';
import type { Attachment } from '../../src/lib/messaging/schemas/index.ts';
import type { ThreadMessage } from '../../src/lib/messaging/state/thread.svelte.ts';
import { at, message, messageId } from '../support/rows.ts';

/** What a screen reader says before a message's text: Alice's, or the reader's own ("You"). */

const sent = (overrides: Partial<ThreadMessage> = {}): ThreadMessage => ({ ...message(), status: 'sent', ...overrides });
const time = clockTime(at(0));
const photo = (n: number): Attachment => ({ id: messageId(900 + n), width: 1600, height: 1200, thumb_width: 320, thumb_height: 240 });
const theirs = { mine: false, seen: false };
const mine = { mine: true, seen: false };

describe('messageByline', () => {
	it("names the other member's message by their name and one's own as You, with the time, before the text", () => {
		expect(messageByline(sent(), theirs)).toBe(`Alice, ${time}:`);
		expect(messageByline(sent(), mine)).toBe(`You, ${time}:`);
	});

	it('says edited, unless the message was deleted since', () => {
		expect(messageByline(sent({ edited_at: at(60) }), theirs)).toBe(`Alice, ${time}, edited:`);
		expect(messageByline(sent({ edited_at: at(60), deleted_at: at(120), body: '' }), theirs)).toBe(`Alice, ${time}:`);
	});

	it('says sending, not sent, or seen (that last one of one’s own only)', () => {
		expect(messageByline(sent({ status: 'sending' }), mine)).toBe(`You, ${time}, sending:`);
		expect(messageByline(sent({ status: 'failed', error: 'Too many messages.' }), mine)).toBe(`You, ${time}, not sent:`);
		expect(messageByline(sent(), { mine: true, seen: true })).toBe(`You, ${time}, seen:`);
		expect(messageByline(sent(), { mine: false, seen: true })).toBe(`Alice, ${time}:`);
	});

	it('counts the photos, and ends without a colon when photos are all there is', () => {
		expect(messageByline(sent({ attachments: [photo(1)], body: 'The left side' }), theirs)).toBe(`Alice, ${time}, 1 photo:`);
		expect(messageByline(sent({ attachments: [photo(1), photo(2)], body: '' }), mine)).toBe(`You, ${time}, 2 photos`);
	});
});
