import { describe, expect, it } from 'vitest';
import { SignInLimits } from '../../src/lib/server/auth/sign-in-limits.ts';

/** A clock the test moves. */
function clock() {
	let now = Date.UTC(2026, 11, 5, 12);
	return { now: () => now, advance: (minutes: number) => (now += minutes * 60_000) };
}

describe('sign-in limits', () => {
	it('waits after 5 failures for one account from one address, for as long as the oldest of them takes to be 15 minutes old', () => {
		const time = clock();
		const limits = new SignInLimits({ now: time.now });
		for (let i = 0; i < 4; i++) {
			expect(limits.waitMinutes('Ana@Example.com', '10.0.0.1')).toBeNull();
			limits.failed('ana@example.com ', '10.0.0.1');
			time.advance(1);
		}
		limits.failed('ANA@example.com', '10.0.0.1');
		// 5 failures, the first 4 minutes ago: 11 more minutes, whatever the case of the email.
		expect(limits.waitMinutes('ana@example.com', '10.0.0.1')).toBe(11);
		expect(limits.waitMinutes('ben@example.com', '10.0.0.1')).toBeNull();
		time.advance(10.5);
		expect(limits.waitMinutes('ana@example.com', '10.0.0.1')).toBe(1);
		time.advance(0.6);
		expect(limits.waitMinutes('ana@example.com', '10.0.0.1')).toBeNull();
	});

	it('a guesser does not lock the owner out: five failures from one address leave the account open from another', () => {
		const limits = new SignInLimits({ now: clock().now });
		for (let i = 0; i < 5; i++) limits.failed('sam@example.com', '198.51.100.4');
		expect(limits.waitMinutes('sam@example.com', '198.51.100.4')).toBe(15);
		expect(limits.waitMinutes('sam@example.com', '10.0.0.1')).toBeNull();
	});

	it('waits for everyone after 100 failures for one account from many addresses (a guesser spread over them)', () => {
		const limits = new SignInLimits({ now: clock().now });
		for (let i = 0; i < 99; i++) limits.failed('sam@example.com', `198.51.100.${i}`);
		expect(limits.waitMinutes('sam@example.com', '10.0.0.1')).toBeNull();
		limits.failed('sam@example.com', '198.51.100.200');
		expect(limits.waitMinutes('sam@example.com', '10.0.0.1')).toBe(15);
		expect(limits.waitMinutes('ben@example.com', '10.0.0.1')).toBeNull();
	});

	it('waits after 20 failures from one address, whichever emails they tried (made-up ones too)', () => {
		const time = clock();
		const limits = new SignInLimits({ now: time.now });
		for (let i = 0; i < 20; i++) limits.failed(`guess${i}@example.com`, '203.0.113.7');
		expect(limits.waitMinutes('someone@example.com', '203.0.113.7')).toBe(15);
		expect(limits.waitMinutes('someone@example.com', '203.0.113.8')).toBeNull();
	});

	it('forgets an account’s failures once its password is right, but not the address’s', () => {
		const time = clock();
		const limits = new SignInLimits({ now: time.now, perAddress: 6 });
		for (let i = 0; i < 4; i++) limits.failed('ana@example.com', '10.0.0.1');
		limits.succeeded('ana@example.com', '10.0.0.1');
		limits.failed('ana@example.com', '10.0.0.1');
		expect(limits.waitMinutes('ana@example.com', '10.0.0.1')).toBeNull();
		limits.failed('ben@example.com', '10.0.0.1');
		expect(limits.waitMinutes('ben@example.com', '10.0.0.1')).toBe(15);
	});
});
