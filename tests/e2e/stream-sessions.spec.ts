import { readStream } from './event-stream';
import { expect, test } from './fixtures';
import { DEMO, signIn } from './session';

/**
 * A stream is authorised when it opens, so signing out must end it: before, a stream kept
 * relaying the member's messages after sign-out, for as long as it stayed open.
 */
test('signing out ends the member’s open event streams, and the old cookie opens no new one', async ({ page }) => {
	await signIn(page, DEMO.sam.email, '/');
	const origin = new URL(page.url()).origin;
	const session = (await page.context().cookies()).find((cookie) => cookie.name === 'bazaar-session');
	expect(session, 'the session cookie').toBeDefined();
	const cookie = `bazaar-session=${session!.value}`;

	const stream = readStream(`${origin}/messages/stream?cursor=0`, cookie);
	await stream.live;
	await page.getByRole('button', { name: 'Sign out' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

	const ending = await Promise.race([stream.ended.then(({ status, how }) => ({ status, how })), new Promise<'still open'>((done) => setTimeout(() => done('still open'), 5_000))]);
	expect(ending).toEqual({ status: 200, how: 'ended' });
	expect(await readStream(`${origin}/messages/stream?cursor=0`, cookie).ended.then(({ status, how }) => ({ status, how }))).toEqual({ status: 401, how: 'ended' });
});
