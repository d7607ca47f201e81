import { describe, expect, it } from 'vitest';
import { responseTimeLabel } from '../../src/lib/messaging/response-time.ts';

/** The product page's badge: a seller's usual reply time in words, or nothing when it says little or would put buyers off. */

const HOUR = 3600;
const DAY = 24 * HOUR;
const replyingIn = (median_seconds: number) => ({ median_seconds, replies: 12 });

describe('responseTimeLabel', () => {
	it.each([
		[0, 'Usually replies within an hour'],
		[HOUR, 'Usually replies within an hour'],
		[HOUR + 1, 'Usually replies within a few hours'],
		[6 * HOUR, 'Usually replies within a few hours'],
		[6 * HOUR + 1, 'Usually replies within a day'],
		[DAY, 'Usually replies within a day'],
		[DAY + 1, 'Usually replies within a few days'],
		[7 * DAY, 'Usually replies within a few days']
	])('a median of %i seconds reads "%s"', (seconds, label) => {
		expect(responseTimeLabel(replyingIn(seconds))).toBe(label);
	});

	it('a seller slower than a week gets no badge', () => {
		expect(responseTimeLabel(replyingIn(7 * DAY + 1))).toBeNull();
		expect(responseTimeLabel(replyingIn(30 * DAY))).toBeNull();
	});

	it('too few replies to say (null) gets no badge', () => {
		expect(responseTimeLabel(null)).toBeNull();
	});
});
