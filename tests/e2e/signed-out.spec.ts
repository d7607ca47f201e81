import { expect, test } from './fixtures';
import { DEMO, hydrated, signIn } from './session';

const CAMERA = 'a0000000-0000-4000-8000-000000000001';

test('signing out in one tab: the other says "You signed out. Sign in again", links back to where it was and stops asking the server', async ({
	context
}) => {
	const other = await context.newPage();
	const here = await context.newPage();
	await signIn(here, DEMO.ben.email, '/messages');
	const path = `/messages?conversation=${DEMO.sam.id}__${CAMERA}`;
	await other.goto(path);
	await hydrated(other);
	// Live before the sign-out: the stream is open.
	await expect(other.locator('.connection-state')).toHaveCount(0);

	const requests: string[] = [];
	other.on('request', (request) => {
		if (new URL(request.url()).pathname.startsWith('/messages/')) requests.push(request.url());
	});
	await hydrated(here);
	await here.getByRole('button', { name: 'Sign out' }).click();
	await expect(here.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

	const notice = other.getByRole('alert').filter({ hasText: 'You signed out.' });
	await expect(notice).toHaveText('You signed out. Sign in again', { timeout: 5_000 });
	await expect(notice.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(path)}`);
	await expect(other.getByText('Reconnecting…')).toHaveCount(0);
	// Nothing of Ben's messages stays on screen for whoever sits down next, and the header no longer shows him.
	await expect(other.getByRole('list', { name: 'Messages' })).toHaveCount(0);
	await expect(other.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
	await expect(other.getByText('Sam Seller')).toHaveCount(0);
	await expect(other.getByText(DEMO.ben.email)).toHaveCount(0);
	await expect(other.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();

	// No endless 401s: nothing more is asked while the tab waits past several backoff periods.
	const asked = requests.length;
	expect(asked).toBeLessThanOrEqual(3);
	await other.waitForTimeout(6_000);
	expect(requests.slice(asked)).toEqual([]);
});
