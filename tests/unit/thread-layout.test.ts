import { afterEach, describe, expect, it } from 'vitest';
import { clockTime, dayLabel, lastSeen, relativeTime } from '../../src/lib/messaging/relative-time.ts';
import { firstUnreadIndex, lastSeenMessageId, layoutThread, type ThreadItem } from '../../src/lib/messaging/thread-layout.ts';
import { compareMessages, sortMessages, timeKey } from '../../src/lib/messaging/timeline.ts';

const ME = 'me';
const OTHER = 'other';
// Tuesday 24 November 2026, 15:00 UTC.
const NOW = new Date('2026-11-24T15:00:00Z');
const UTC = 'UTC';

interface Msg {
	id: string;
	sender_id: string;
	created_at: string;
}

let counter = 0;
function msg(sender: string, createdAt: string, id?: string): Msg {
	counter += 1;
	return { id: id ?? `m${String(counter).padStart(3, '0')}`, sender_id: sender, created_at: createdAt };
}

function layout(messages: Msg[], lastReadAt: string | null = null) {
	return layoutThread(messages, { me: ME, lastReadAt, now: NOW, timeZone: UTC });
}

/** A compact picture of the layout: "day:Today", "unread", "m1[sg]" (s = starts a group, e = ends it). */
function shape(items: ThreadItem<Msg>[]): string[] {
	return items.map((item) =>
		item.kind === 'day'
			? `day:${item.label}`
			: item.kind === 'unread'
				? 'unread'
				: `${item.message.id}[${item.startsGroup ? 's' : ''}${item.endsGroup ? 'e' : ''}]`
	);
}

describe('layoutThread: day separators', () => {
	it('an empty thread lays out to nothing', () => {
		expect(layout([])).toEqual([]);
	});

	it('puts one separator before the first message of each day: Today, Yesterday, then dates', () => {
		const items = layout([
			msg(OTHER, '2025-12-30T10:00:00Z', 'a'),
			msg(OTHER, '2026-11-03T10:00:00Z', 'b'),
			msg(ME, '2026-11-03T18:00:00Z', 'c'),
			msg(OTHER, '2026-11-23T09:00:00Z', 'd'),
			msg(ME, '2026-11-24T08:00:00Z', 'e'),
			msg(ME, '2026-11-24T14:00:00Z', 'f')
		]);
		expect(shape(items)).toEqual([
			'day:30 December 2025',
			'a[se]',
			'day:Tuesday 3 November',
			'b[se]',
			'c[se]',
			'day:Yesterday',
			'd[se]',
			'day:Today',
			'e[se]',
			'f[se]'
		]);
	});

	it('separator keys are unique and stable per first message of the day', () => {
		const items = layout([msg(OTHER, '2026-11-23T09:00:00Z', 'x'), msg(OTHER, '2026-11-24T09:00:00Z', 'y')]);
		const keys = items.filter((i) => i.kind === 'day').map((i) => (i.kind === 'day' ? i.key : ''));
		expect(keys).toEqual(['day-x', 'day-y']);
	});

	it('days follow the given time zone, not UTC', () => {
		// 00:30 UTC on the 24th is still the 23rd in Los Angeles, where it is 07:00 on the 24th now.
		const early = [msg(OTHER, '2026-11-24T00:30:00Z', 'early')];
		expect(shape(layoutThread(early, { me: ME, lastReadAt: null, now: NOW, timeZone: 'UTC' }))[0]).toBe('day:Today');
		expect(shape(layoutThread(early, { me: ME, lastReadAt: null, now: NOW, timeZone: 'America/Los_Angeles' }))[0]).toBe('day:Yesterday');
	});
});

describe('layoutThread: the "new messages" divider', () => {
	it('goes before the first message from the other side newer than the read position', () => {
		const items = layout(
			[
				msg(OTHER, '2026-11-24T10:00:00Z', 'a'),
				msg(ME, '2026-11-24T10:10:00Z', 'b'),
				msg(OTHER, '2026-11-24T10:20:00Z', 'c'),
				msg(OTHER, '2026-11-24T10:21:00Z', 'd')
			],
			'2026-11-24T10:10:00Z'
		);
		expect(shape(items)).toEqual(['day:Today', 'a[se]', 'b[se]', 'unread', 'c[s]', 'd[e]']);
	});

	it('never goes before my own messages, however new', () => {
		const items = layout(
			[msg(OTHER, '2026-11-24T10:00:00Z', 'a'), msg(ME, '2026-11-24T11:00:00Z', 'b'), msg(OTHER, '2026-11-24T12:00:00Z', 'c')],
			'2026-11-24T10:00:00Z'
		);
		expect(shape(items)).toEqual(['day:Today', 'a[se]', 'b[se]', 'unread', 'c[se]']);
	});

	it('appears at most once', () => {
		const items = layout(
			[msg(OTHER, '2026-11-24T10:00:00Z'), msg(ME, '2026-11-24T10:30:00Z'), msg(OTHER, '2026-11-24T11:00:00Z'), msg(OTHER, '2026-11-24T12:00:00Z')],
			'2026-11-24T09:00:00Z'
		);
		expect(items.filter((i) => i.kind === 'unread')).toHaveLength(1);
		expect(items[1]).toEqual({ kind: 'unread', key: 'unread-divider' });
	});

	it('is absent when everything is read, when only my messages are newer, and when there is no read position', () => {
		const messages = [msg(OTHER, '2026-11-24T10:00:00Z'), msg(ME, '2026-11-24T11:00:00Z')];
		expect(layout(messages, '2026-11-24T10:00:00Z').some((i) => i.kind === 'unread')).toBe(false);
		expect(layout(messages, '2026-11-24T12:00:00Z').some((i) => i.kind === 'unread')).toBe(false);
		expect(layout(messages, null).some((i) => i.kind === 'unread')).toBe(false);
	});

	it('compares to the microsecond: a message one microsecond after the read position is unread', () => {
		const items = layout(
			[msg(OTHER, '2026-11-24T10:00:00.000001+00:00', 'same'), msg(OTHER, '2026-11-24T10:00:00.000002+00:00', 'after')],
			'2026-11-24T10:00:00.000001+00:00'
		);
		expect(shape(items)).toEqual(['day:Today', 'same[s]', 'unread', 'after[e]']);
	});

	it('comes after the day separator when the first unread message starts a new day', () => {
		const items = layout([msg(OTHER, '2026-11-23T10:00:00Z', 'a'), msg(OTHER, '2026-11-24T09:00:00Z', 'b')], '2026-11-23T10:00:00Z');
		expect(shape(items)).toEqual(['day:Yesterday', 'a[se]', 'day:Today', 'unread', 'b[se]']);
	});

	it('with older messages not loaded, waits until a loaded message is at or before the read position: the run may start further back', () => {
		const messages = [msg(ME, '2026-11-24T10:00:00Z', 'a'), msg(OTHER, '2026-11-24T10:10:00Z', 'b'), msg(OTHER, '2026-11-24T10:20:00Z', 'c')];
		const withOlder = (lastReadAt: string) => shape(layoutThread(messages, { me: ME, lastReadAt, moreBefore: true, now: NOW, timeZone: UTC }));
		expect(withOlder('2026-11-24T09:00:00Z')).not.toContain('unread');
		expect(withOlder('2026-11-24T10:00:00Z')).toEqual(['day:Today', 'a[se]', 'unread', 'b[se]', 'c[se]']);
		expect(withOlder('2026-11-24T10:15:00Z')).toEqual(['day:Today', 'a[se]', 'b[se]', 'unread', 'c[se]']);
		// The start of the conversation loaded: before its first message from the other side.
		expect(shape(layout(messages, '2026-11-24T09:00:00Z'))).toEqual(['day:Today', 'a[se]', 'unread', 'b[se]', 'c[se]']);
	});
});

describe('firstUnreadIndex', () => {
	const messages = [msg(OTHER, '2026-11-24T10:00:00Z'), msg(ME, '2026-11-24T10:10:00Z'), msg(OTHER, '2026-11-24T10:20:00Z')];
	it('is the first message from the other side after the read position, or -1', () => {
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: '2026-11-24T09:00:00Z' })).toBe(0);
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: '2026-11-24T10:00:00Z' })).toBe(2);
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: '2026-11-24T10:20:00Z' })).toBe(-1);
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: null })).toBe(-1);
		expect(firstUnreadIndex([], { me: ME, lastReadAt: '2026-11-24T09:00:00Z' })).toBe(-1);
	});
	it('is -1 while the read position is older than everything loaded and older messages are not', () => {
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: '2026-11-24T09:00:00Z', moreBefore: true })).toBe(-1);
		expect(firstUnreadIndex(messages, { me: ME, lastReadAt: '2026-11-24T10:00:00Z', moreBefore: true })).toBe(2);
	});
});

describe('layoutThread: grouping', () => {
	it('groups consecutive messages from one sender less than 5 minutes apart', () => {
		const items = layout([
			msg(OTHER, '2026-11-24T10:00:00Z', 'a'),
			msg(OTHER, '2026-11-24T10:01:00Z', 'b'),
			msg(OTHER, '2026-11-24T10:05:59Z', 'c'),
			msg(ME, '2026-11-24T10:06:00Z', 'd'),
			msg(ME, '2026-11-24T10:06:30Z', 'e')
		]);
		expect(shape(items)).toEqual(['day:Today', 'a[s]', 'b[]', 'c[e]', 'd[s]', 'e[e]']);
	});

	it('measures the gap from the previous message, and 5 minutes exactly starts a new group', () => {
		const items = layout([
			msg(OTHER, '2026-11-24T10:00:00Z', 'a'),
			msg(OTHER, '2026-11-24T10:04:59.999999+00:00', 'b'),
			msg(OTHER, '2026-11-24T10:09:59.999999+00:00', 'c')
		]);
		expect(shape(items)).toEqual(['day:Today', 'a[s]', 'b[e]', 'c[se]']);
	});

	it('a message from the other side breaks a group even within 5 minutes', () => {
		const items = layout([msg(ME, '2026-11-24T10:00:00Z', 'a'), msg(OTHER, '2026-11-24T10:00:10Z', 'b'), msg(ME, '2026-11-24T10:00:20Z', 'c')]);
		expect(shape(items)).toEqual(['day:Today', 'a[se]', 'b[se]', 'c[se]']);
	});

	it('never groups across midnight, even a minute apart', () => {
		const items = layout([msg(OTHER, '2026-11-23T23:59:00Z', 'a'), msg(OTHER, '2026-11-24T00:00:30Z', 'b')]);
		expect(shape(items)).toEqual(['day:Yesterday', 'a[se]', 'day:Today', 'b[se]']);
	});

	it('the unread divider does not break a group (it is drawn between bubbles of one run)', () => {
		const items = layout([msg(OTHER, '2026-11-24T10:00:00Z', 'a'), msg(OTHER, '2026-11-24T10:01:00Z', 'b')], '2026-11-24T10:00:00Z');
		expect(shape(items)).toEqual(['day:Today', 'a[s]', 'unread', 'b[e]']);
	});

	it('keeps the message objects it was given', () => {
		const original = msg(OTHER, '2026-11-24T10:00:00Z', 'keep');
		const item = layout([original]).find((i) => i.kind === 'message');
		expect(item && item.kind === 'message' && item.message).toBe(original);
	});

	it('lays out 500 messages quickly (it runs again every second while a thread is open)', () => {
		const many = Array.from({ length: 500 }, (_, i) =>
			msg(i % 3 ? ME : OTHER, new Date(Date.UTC(2026, 10, 20) + i * 600_000).toISOString(), `p${i}`)
		);
		layout(many);
		const started = performance.now();
		for (let i = 0; i < 5; i++) layout(many);
		expect((performance.now() - started) / 5).toBeLessThan(100);
	});
});

describe('lastSeenMessageId', () => {
	const messages = [
		msg(ME, '2026-11-24T10:00:00Z', 'mine-1'),
		msg(OTHER, '2026-11-24T10:05:00Z', 'theirs'),
		msg(ME, '2026-11-24T10:10:00.000500+00:00', 'mine-2')
	];

	it('is my newest message when the other side has read up to it', () => {
		expect(lastSeenMessageId(messages, ME, '2026-11-24T10:10:00.000500+00:00')).toBe('mine-2');
		expect(lastSeenMessageId(messages, ME, '2026-11-24T11:00:00Z')).toBe('mine-2');
	});

	it('is null when my newest message is not read yet, even if older ones are', () => {
		expect(lastSeenMessageId(messages, ME, '2026-11-24T10:10:00.000499+00:00')).toBeNull();
		expect(lastSeenMessageId(messages, ME, '2026-11-24T10:05:00Z')).toBeNull();
	});

	it('is null when the other side never read, or when I wrote nothing', () => {
		expect(lastSeenMessageId(messages, ME, null)).toBeNull();
		expect(lastSeenMessageId([msg(OTHER, '2026-11-24T10:00:00Z')], ME, '2026-11-24T12:00:00Z')).toBeNull();
		expect(lastSeenMessageId([], ME, '2026-11-24T12:00:00Z')).toBeNull();
	});

	it('looks at my messages only: a newer message of theirs does not hide the mark', () => {
		const withReply = [...messages, msg(OTHER, '2026-11-24T10:20:00Z', 'reply')];
		expect(lastSeenMessageId(withReply, ME, '2026-11-24T10:20:00Z')).toBe('mine-2');
	});
});

describe('relativeTime', () => {
	const at = (iso: string) => relativeTime(iso, NOW, UTC);

	it('says "now" under 45 seconds, and for a clock slightly ahead', () => {
		expect(at('2026-11-24T15:00:00Z')).toBe('now');
		expect(at('2026-11-24T14:59:16Z')).toBe('now');
		expect(at('2026-11-24T15:00:20Z')).toBe('now');
	});

	it('counts minutes under an hour', () => {
		expect(at('2026-11-24T14:59:15Z')).toBe('1 min');
		expect(at('2026-11-24T14:55:00Z')).toBe('5 min');
		expect(at('2026-11-24T14:01:00Z')).toBe('59 min');
		// 59 min 50 s rounds to an hour, but an hour is only reached at 60 minutes.
		expect(at('2026-11-24T14:00:10Z')).toBe('59 min');
		expect(at('2026-11-24T14:00:00Z')).toBe('14:00');
	});

	it('shows the clock time earlier today', () => {
		expect(at('2026-11-24T13:00:00Z')).toBe('13:00');
		expect(at('2026-11-24T00:05:00Z')).toBe('00:05');
	});

	it('shows the weekday within 6 days', () => {
		expect(at('2026-11-23T20:00:00Z')).toBe('Mon');
		expect(at('2026-11-19T16:00:00Z')).toBe('Thu');
		expect(at('2026-11-18T15:00:01Z')).toBe('Wed');
	});

	it('shows day and month further back in the same year', () => {
		expect(at('2026-11-18T14:00:00Z')).toBe('18 Nov');
		expect(at('2026-11-03T10:00:00Z')).toBe('3 Nov');
		expect(at('2026-01-01T00:00:00Z')).toBe('1 Jan');
	});

	it('adds the year when it differs', () => {
		expect(at('2025-11-03T10:00:00Z')).toBe('3 Nov 2025');
		expect(relativeTime('2026-12-30T10:00:00Z', new Date('2027-01-20T10:00:00Z'), UTC)).toBe('30 Dec 2026');
	});

	it('uses the given time zone for "today" and the clock', () => {
		// 12:00 UTC is 07:00 in New York, earlier the same day there (10:00 now).
		expect(relativeTime('2026-11-24T12:00:00Z', NOW, 'America/New_York')).toBe('07:00');
		// 13:00 UTC is 22:00 on the 24th in Tokyo, where it is already 00:00 on the 25th.
		expect(relativeTime('2026-11-24T13:00:00Z', NOW, 'UTC')).toBe('13:00');
		expect(relativeTime('2026-11-24T13:00:00Z', NOW, 'Asia/Tokyo')).toBe('Tue');
		// 14:30 UTC on the 24th is 09:30 in New York, while 15:30 UTC on the 25th is 10:30 the next day there.
		expect(relativeTime('2026-11-24T14:30:00Z', new Date('2026-11-25T15:30:00Z'), 'America/New_York')).toBe('Tue');
	});

	it('accepts PostgreSQL timestamps with microseconds and offsets', () => {
		expect(at('2026-11-24T14:55:00.123456+00:00')).toBe('5 min');
		expect(at('2026-11-24T16:00:00.5+03:00')).toBe('13:00');
	});
});

describe('lastSeen', () => {
	const seen = (iso: string) => `Last seen ${lastSeen(iso, NOW, UTC)}`;

	it('reads as a sentence after "Last seen" for minutes, hours and days', () => {
		expect(seen('2026-11-24T14:59:50Z')).toBe('Last seen just now');
		expect(seen('2026-11-24T14:55:00Z')).toBe('Last seen 5 min ago');
		expect(seen('2026-11-24T13:00:00Z')).toBe('Last seen at 13:00');
		expect(seen('2026-11-23T21:40:00Z')).toBe('Last seen yesterday at 21:40');
		expect(seen('2026-11-20T16:00:00Z')).toBe('Last seen on Fri');
		expect(seen('2026-11-03T10:00:00Z')).toBe('Last seen on 3 Nov');
		expect(seen('2025-11-03T10:00:00Z')).toBe('Last seen on 3 Nov 2025');
	});

	it('counts "yesterday" in the given time zone', () => {
		// 03:00 UTC on the 24th is 22:00 on the 23rd in New York, where it is 10:00 on the 24th now.
		expect(lastSeen('2026-11-24T03:00:00Z', NOW, 'America/New_York')).toBe('yesterday at 22:00');
	});
});

describe('clockTime', () => {
	it('is a 24-hour HH:MM in the given time zone', () => {
		expect(clockTime('2026-11-24T09:05:00Z', UTC)).toBe('09:05');
		expect(clockTime('2026-11-24T09:05:00Z', 'Asia/Kolkata')).toBe('14:35');
	});
});

describe('dayLabel', () => {
	const label = (iso: string) => dayLabel(iso, NOW, UTC);

	it('says Today and Yesterday by calendar day, not by 24 hours', () => {
		expect(label('2026-11-24T00:00:00Z')).toBe('Today');
		expect(label('2026-11-24T23:59:59Z')).toBe('Today');
		expect(label('2026-11-23T00:00:00Z')).toBe('Yesterday');
		expect(label('2026-11-23T23:59:59Z')).toBe('Yesterday');
		expect(dayLabel('2026-11-23T23:59:00Z', new Date('2026-11-24T00:01:00Z'), UTC)).toBe('Yesterday');
	});

	it('names the weekday and date in the same year, and the date with its year otherwise', () => {
		expect(label('2026-11-22T12:00:00Z')).toBe('Sunday 22 November');
		expect(label('2026-11-03T12:00:00Z')).toBe('Tuesday 3 November');
		expect(label('2025-11-03T12:00:00Z')).toBe('3 November 2025');
	});

	it('Yesterday works across month and year ends', () => {
		expect(dayLabel('2026-11-30T12:00:00Z', new Date('2026-12-01T08:00:00Z'), UTC)).toBe('Yesterday');
		expect(dayLabel('2026-12-31T12:00:00Z', new Date('2027-01-01T08:00:00Z'), UTC)).toBe('Yesterday');
		expect(dayLabel('2026-02-28T12:00:00Z', new Date('2026-03-01T08:00:00Z'), UTC)).toBe('Yesterday');
	});

	it('Yesterday is the calendar day before even right after a 23-hour day (DST start)', () => {
		// 29 March 2026 is 23 hours long in Berlin; 00:30 on the 30th is only 23.5 hours after 00:00 on the 29th.
		expect(dayLabel('2026-03-29T12:00:00+02:00', new Date('2026-03-30T00:30:00+02:00'), 'Europe/Berlin')).toBe('Yesterday');
		expect(dayLabel('2026-03-28T12:00:00+01:00', new Date('2026-03-30T00:30:00+02:00'), 'Europe/Berlin')).toBe('Saturday 28 March');
	});

	it('takes the year in the viewer’s time zone, not UTC', () => {
		// 23:30 on 31 December 2026 in New York is already 2027 in UTC.
		expect(dayLabel('2026-12-31T23:30:00-05:00', new Date('2027-03-01T12:00:00Z'), 'America/New_York')).toBe('31 December 2026');
		expect(dayLabel('2027-01-01T00:30:00+09:00', new Date('2027-03-01T12:00:00Z'), 'Asia/Tokyo')).toBe('Friday 1 January');
	});
});

describe('timeKey and compareMessages', () => {
	it('orders to the microsecond, which Date alone cannot', () => {
		expect(Date.parse('2026-11-24T10:00:00.123456Z')).toBe(Date.parse('2026-11-24T10:00:00.123457Z'));
		expect(timeKey('2026-11-24T10:00:00.123457Z') - timeKey('2026-11-24T10:00:00.123456Z')).toBe(1);
	});

	it('pads short fractions and accepts none', () => {
		expect(timeKey('2026-11-24T10:00:00.5Z')).toBe(Date.parse('2026-11-24T10:00:00Z') * 1000 + 500_000);
		expect(timeKey('2026-11-24T10:00:00Z')).toBe(Date.parse('2026-11-24T10:00:00Z') * 1000);
	});

	it('is the same instant whatever the offset', () => {
		expect(timeKey('2026-11-24T10:00:00.000001+00:00')).toBe(timeKey('2026-11-24T11:00:00.000001+01:00'));
		expect(timeKey('2026-11-24T10:00:00.000001Z')).toBe(timeKey('2026-11-24T05:30:00.000001-04:30'));
	});

	it('reads UTC (as the server writes it) field by field to the same key as any other offset, at every precision', () => {
		const random = (seed: number) => () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		const next = random(7);
		for (let i = 0; i < 2000; i++) {
			const instant = new Date(Date.UTC(2000, 0, 1) + Math.floor(next() * 40 * 365 * 86_400_000));
			const places = i % 7;
			const fraction = places ? `.${String(Math.floor(next() * 10 ** places)).padStart(places, '0')}` : '';
			const utc = `${instant.toISOString().slice(0, 19)}${fraction}`;
			const shifted = `${new Date(instant.getTime() + 3_600_000).toISOString().slice(0, 19)}${fraction}+01:00`;
			expect(timeKey(`${utc}${i % 2 ? 'Z' : '+00:00'}`), utc).toBe(timeKey(shifted));
		}
		// Not a timestamp: not a number either.
		expect(timeKey('2026-11-24T10:00:00.+00:00')).toBeNaN();
		expect(timeKey('2026-11-24T10:0x:00Z')).toBeNaN();
	});

	it('sorts by instant across offsets, where string order would be wrong', () => {
		const a = { id: 'a', created_at: '2026-11-24T11:00:00.000002+01:00' }; // 10:00:00.000002 UTC
		const b = { id: 'b', created_at: '2026-11-24T10:00:00.000001+00:00' }; // 10:00:00.000001 UTC
		const c = { id: 'c', created_at: '2026-11-24T09:30:00.000000-01:00' }; // 10:30 UTC
		expect(a.created_at > b.created_at).toBe(true);
		expect([c, a, b].sort(compareMessages).map((m) => m.id)).toEqual(['b', 'a', 'c']);
	});

	it('breaks ties of the same microsecond by id, as the SQL keyset does', () => {
		const at = '2026-11-24T10:00:00.000001+00:00';
		const x = { id: '00000000-0000-4000-8000-00000000000b', created_at: at };
		const y = { id: '00000000-0000-4000-8000-00000000000a', created_at: '2026-11-24T11:00:00.000001+01:00' };
		expect(compareMessages(x, y)).toBeGreaterThan(0);
		expect(compareMessages(y, x)).toBeLessThan(0);
		expect(compareMessages(x, { ...x })).toBe(0);
		expect([x, y].sort(compareMessages).map((m) => m.id)).toEqual([y.id, x.id]);
	});

	it('a microsecond outweighs any id', () => {
		const early = { id: 'zzz', created_at: '2026-11-24T10:00:00.000001Z' };
		const late = { id: 'aaa', created_at: '2026-11-24T10:00:00.000002Z' };
		expect(compareMessages(early, late)).toBeLessThan(0);
	});
});

describe("the runtime's own time zone (no zone given), read from Date's local fields", () => {
	// Zones with DST on either side of the equator, half-hour and 45-minute offsets, and a
	// 30-minute DST change: each must label exactly as Intl does when named.
	const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo'];
	const saved = process.env.TZ;
	afterEach(() => {
		if (saved === undefined) delete process.env.TZ;
		else process.env.TZ = saved;
	});

	// Every 50 minutes through 2026 (about 10,500 instants, every hour and minute-of-hour shifted in turn) plus both New Year's Eves.
	const instants = Array.from({ length: 10_600 }, (_, i) => new Date(Date.UTC(2025, 11, 31, 0, 7) + i * 50 * 60_000).toISOString());

	it.each(ZONES.map((zone, i) => [zone, i]))('labels every instant of the year as Intl does in %s', (zone, i) => {
		process.env.TZ = zone;
		// The runtime took the zone: an instant's local hour is the zone's.
		expect(clockTime('2026-06-01T12:00:00Z')).toBe(clockTime('2026-06-01T12:00:00Z', zone));
		// A "now" of its own: labels are worked out once per now, and a process's zone never changes under one.
		const now = new Date(Date.UTC(2026, 6, 15, 12, 34 + i));
		const mismatches: string[] = [];
		for (const iso of instants) {
			if (clockTime(iso) !== clockTime(iso, zone)) mismatches.push(`clockTime ${iso}`);
			if (dayLabel(iso, now) !== dayLabel(iso, now, zone)) mismatches.push(`dayLabel ${iso}`);
			if (relativeTime(iso, now) !== relativeTime(iso, now, zone)) mismatches.push(`relativeTime ${iso}`);
		}
		for (const nowIso of ['2026-03-29T00:30:00Z', '2026-10-25T01:30:00Z', '2026-12-31T23:59:00Z', '2027-01-01T00:01:00Z']) {
			const at = new Date(Date.parse(nowIso) + i * 1000);
			for (const iso of instants.slice(-400)) {
				if (dayLabel(iso, at) !== dayLabel(iso, at, zone)) mismatches.push(`dayLabel ${iso} at ${nowIso}`);
			}
		}
		expect(mismatches.slice(0, 5)).toEqual([]);
	});
});

describe('a named time zone, read from its offsets', () => {
	const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Santiago', 'Europe/Dublin'];
	// What Intl itself says, formatter by formatter: the reference the kept offsets must match.
	const intlClock = (zone: string, iso: string) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
	const intlDay = (zone: string, at: Date) => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(at);
	const intlLongDate = (zone: string, at: Date, withYear: boolean) =>
		new Intl.DateTimeFormat('en-GB', withYear ? { day: 'numeric', month: 'long', year: 'numeric', timeZone: zone } : { weekday: 'long', day: 'numeric', month: 'long', timeZone: zone }).format(at);

	// Each zone's changes of offset in 2026, found hour by hour: every minute of the two hours around each is checked.
	function changesIn2026(zone: string): number[] {
		const offset = (t: number) => Date.parse(new Date(t).toLocaleString('en-US', { timeZone: zone, hourCycle: 'h23' }) + ' UTC') - t;
		const changes = [];
		for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000) if (offset(t) !== offset(t + 3_600_000)) changes.push(t + 3_600_000);
		return changes;
	}

	it.each(ZONES)('gives the clock time and day Intl gives in %s, through its changes of offset', (zone) => {
		const changes = changesIn2026(zone);
		// Every zone here but Kolkata and Kathmandu changes twice a year; Lord Howe by half an hour.
		if (!['Asia/Kolkata', 'Asia/Kathmandu'].includes(zone)) expect(changes).toHaveLength(2);
		const instants = [
			...Array.from({ length: 5_300 }, (_, i) => Date.UTC(2025, 11, 31, 0, 7) + i * 100 * 60_000),
			...changes.flatMap((change) => Array.from({ length: 240 }, (_, i) => change - 7_200_000 + i * 30_000))
		].map((t) => new Date(t).toISOString());
		const now = new Date(Date.UTC(2026, 6, 15, 12, 34));
		const today = intlDay(zone, now);
		const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
		const mismatches: string[] = [];
		for (const iso of instants) {
			if (clockTime(iso, zone) !== intlClock(zone, iso)) mismatches.push(`clockTime ${iso}: ${clockTime(iso, zone)}, Intl ${intlClock(zone, iso)}`);
			const day = intlDay(zone, new Date(iso));
			const expected = day === today ? 'Today' : day === yesterday ? 'Yesterday' : intlLongDate(zone, new Date(iso), day.slice(0, 4) !== today.slice(0, 4));
			if (dayLabel(iso, now, zone) !== expected) mismatches.push(`dayLabel ${iso}: ${dayLabel(iso, now, zone)}, expected ${expected}`);
		}
		expect(mismatches.slice(0, 5)).toEqual([]);
	});
});

describe('sortMessages', () => {
	it('puts messages in compareMessages order, ties by id, without touching the input', () => {
		const random = (seed: number) => () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		const next = random(42);
		const offsets = ['Z', '+01:00', '-04:30', '+05:45'];
		const messages = Array.from({ length: 300 }, (_, i) => {
			// A few shared microseconds, so ties occur, written with different offsets.
			const micros = Math.floor(next() * 40) * 1_000_003;
			const instant = new Date(Date.UTC(2026, 10, 24) + Math.floor(micros / 1000));
			const offset = offsets[i % offsets.length];
			const shift = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000;
			const local = new Date(instant.getTime() + shift).toISOString().slice(0, 19);
			return { id: `m${String(Math.floor(next() * 1000)).padStart(4, '0')}-${i}`, created_at: `${local}.${String(micros % 1_000_000).padStart(6, '0')}${offset}` };
		});
		const before = messages.map((m) => m.id);
		const sorted = sortMessages(messages);
		expect(messages.map((m) => m.id)).toEqual(before);
		expect(sorted.map((m) => m.id)).toEqual([...messages].sort(compareMessages).map((m) => m.id));
		expect(new Set(sorted.map((m) => m.created_at)).size).toBeLessThan(sorted.length);
	});
});
