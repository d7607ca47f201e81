import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import LoginForm from '../../src/routes/login/LoginForm.svelte';
import { DEMO_LOGINS } from '../../src/lib/server/db/seed.ts';

vi.mock('$app/forms', () => ({ enhance: () => ({}) }));

const text = (markup: string) => markup.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
const page = (demoLogins: (typeof DEMO_LOGINS)[number][] | null) => text(render(LoginForm, { props: { next: '/', demoLogins, form: null } }).body);

describe('the demo logins under the sign-in form', () => {
	it('lists the seed’s logins by role', () => {
		expect(page([...DEMO_LOGINS])).toContain(
			'Demo logins: ana@example.com, ben@example.com (buyers), sam@example.com, lee@example.com (sellers); password password123 .'
		);
	});

	it('leaves out a deleted one, and says "buyer" for the one left', () => {
		const left = DEMO_LOGINS.filter((login) => login.email !== 'ben@example.com');
		expect(page(left)).toContain('Demo logins: ana@example.com (buyer), sam@example.com, lee@example.com (sellers);');
		expect(page(left)).not.toContain('ben@example.com');
	});

	it('says how to start over once every demo account is deleted, and nothing where the demo was not seeded', () => {
		expect(page([])).toContain('Every demo account was deleted. To start the demo over, stop the app and delete its data folder');
		expect(page(null)).not.toMatch(/demo/i);
	});
});
