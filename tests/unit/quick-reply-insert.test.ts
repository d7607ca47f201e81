import { describe, expect, it } from 'vitest';
import { withQuickReply } from '../../src/lib/messaging/components/quick-reply-insert';

const REPLY = 'Yes, it is still available.';
const at = (body: string, start: number, end = start) => withQuickReply(body, start, end, REPLY);

describe('a quick reply inserted into a message being written', () => {
	it('is kept apart from the word before it by a space: "Hi Sam," then the reply', () => {
		expect(at('Hi Sam,', 7)).toEqual({ body: `Hi Sam, ${REPLY}`, caret: 8 + REPLY.length });
	});

	it('adds no second space, nor one after a line break', () => {
		expect(at('Thanks! ', 8).body).toBe(`Thanks! ${REPLY}`);
		expect(at('Hi Sam,\n', 8).body).toBe(`Hi Sam,\n${REPLY}`);
	});

	it('is kept apart from a word after the caret, which goes on at the reply’s end', () => {
		expect(at('Hi Sam,Bye', 7)).toEqual({ body: `Hi Sam, ${REPLY} Bye`, caret: 8 + REPLY.length });
		expect(at('See you', 0)).toEqual({ body: `${REPLY} See you`, caret: REPLY.length });
	});

	it('takes the place of a selection', () => {
		expect(at('Hi Sam, maybe. Bye', 8, 14).body).toBe(`Hi Sam, ${REPLY} Bye`);
	});
});
