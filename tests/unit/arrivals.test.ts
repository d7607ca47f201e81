import { describe, expect, it } from 'vitest';
import { ArrivalWatch } from '../../src/lib/messaging/arrivals.ts';
import { ME, at, message, messageId } from '../support/rows.ts';

/** What a screen reader hears: the other member's newest message as it arrives, once, and nothing that was already there. */

const fromAlice = (n: number) => message({ id: messageId(n), created_at: at(n) });
const fromMe = (n: number) => message({ id: messageId(n), created_at: at(n), sender_id: ME, sender_username: 'me', sender_display_name: 'Me' });

describe('ArrivalWatch', () => {
	it('the first look announces nothing, even when the newest message is from the other member', () => {
		expect(new ArrivalWatch().look([fromAlice(1), fromAlice(2)], ME)).toBeNull();
		expect(new ArrivalWatch().look([], ME)).toBeNull();
	});

	it('a new message from the other member is announced once', () => {
		const watch = new ArrivalWatch();
		watch.look([fromAlice(1)], ME);
		const arrived = fromAlice(2);
		expect(watch.look([fromAlice(1), arrived], ME)).toEqual(arrived);
		expect(watch.look([fromAlice(1), arrived], ME)).toBeNull();
	});

	it('the first message of an empty thread is announced when it arrives', () => {
		const watch = new ArrivalWatch();
		watch.look([], ME);
		expect(watch.look([fromAlice(1)], ME)?.id).toBe(messageId(1));
	});

	it('my own messages are not announced', () => {
		const watch = new ArrivalWatch();
		watch.look([fromAlice(1)], ME);
		expect(watch.look([fromAlice(1), fromMe(2)], ME)).toBeNull();
		// and the other member's next message still is
		expect(watch.look([fromAlice(1), fromMe(2), fromAlice(3)], ME)?.id).toBe(messageId(3));
	});

	it('a message that arrives already deleted is not announced', () => {
		const watch = new ArrivalWatch();
		watch.look([fromAlice(1)], ME);
		expect(watch.look([fromAlice(1), { ...fromAlice(2), body: '', deleted_at: at(3) }], ME)).toBeNull();
	});

	it('looking again with no change, or after an edit of the newest message, announces nothing', () => {
		const watch = new ArrivalWatch();
		watch.look([fromAlice(1)], ME);
		expect(watch.look([fromAlice(1)], ME)).toBeNull();
		expect(watch.look([{ ...fromAlice(1), body: 'Edited', edited_at: at(5) }], ME)).toBeNull();
	});

	it('a newly opened thread announces nothing on its first look, whatever the thread before it announced', () => {
		// Each open thread has its own watch: opening another conversation must not read out its last message as if it had just arrived.
		const first = new ArrivalWatch();
		first.look([fromAlice(1)], ME);
		expect(first.look([fromAlice(1), fromAlice(2)], ME)?.id).toBe(messageId(2));

		const other = message({ id: messageId(50), conversation_id: 'c0000000-0000-4000-8000-000000000050', created_at: at(50) });
		const opened = new ArrivalWatch();
		expect(opened.look([other], ME)).toBeNull();
		expect(opened.look([other], ME)).toBeNull();
	});

	it('a message arriving while my own send is still sending or failed is announced', () => {
		const watch = new ArrivalWatch();
		const pending = { ...fromMe(9), status: 'sending' };
		watch.look([{ ...fromAlice(1), status: 'sent' }, pending], ME);
		const arrived = { ...fromAlice(2), status: 'sent' };
		expect(watch.look([{ ...fromAlice(1), status: 'sent' }, arrived, { ...pending, status: 'failed' }], ME)).toEqual(arrived);
	});
});
