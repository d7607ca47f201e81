import { describe, expect, it } from 'vitest';
import { isMuted } from '../../src/lib/messaging/mute.ts';

const NOW = new Date('2026-11-24T10:00:00.000Z');

describe('isMuted', () => {
	it('a conversation that was never muted, or was unmuted, is not muted', () => {
		expect(isMuted(null, NOW)).toBe(false);
	});

	it("'infinity' (until I unmute) is muted, at any time", () => {
		expect(isMuted('infinity', NOW)).toBe(true);
		expect(isMuted('infinity', new Date('2999-01-01T00:00:00Z'))).toBe(true);
	});

	it('a mute ending in the future is muted', () => {
		expect(isMuted('2026-11-24T11:00:00.123456+00:00', NOW)).toBe(true);
		// PostgreSQL writes offsets: 10:30 in UTC+02:00 is 08:30 UTC, already over; 12:30 there is 10:30 UTC, still to come.
		expect(isMuted('2026-11-24T12:30:00+02:00', NOW)).toBe(true);
	});

	it('a mute that has ended is not muted', () => {
		expect(isMuted('2026-11-24T09:59:59.999999+00:00', NOW)).toBe(false);
		expect(isMuted('2026-11-24T10:30:00+02:00', NOW)).toBe(false);
		expect(isMuted('2020-01-01T00:00:00+00:00', NOW)).toBe(false);
	});
});
