import http from 'node:http';
import { expect, test } from './fixtures';
import { DEMO, signIn } from './session';

/** A raw event stream read with a session cookie: resolves `live` once caught up, `ended` with how it ended. */
function readStream(url: string, cookie: string) {
	let connected: () => void = () => {};
	const live = new Promise<void>((done) => (connected = done));
	const ended = new Promise<{ status: number; how: string }>((done) => {
		let received = '';
		http
			.get(url, { headers: { cookie, accept: 'text/event-stream' } }, (response) => {
				response.on('data', (chunk: Buffer) => {
					received += chunk.toString();
					if (received.includes('event: live')) connected();
				});
				response.on('end', () => done({ status: response.statusCode ?? 0, how: 'ended' }));
				response.on('error', (error) => done({ status: response.statusCode ?? 0, how: `failed: ${error.message}` }));
			})
			.on('error', (error) => done({ status: 0, how: `failed: ${error.message}` }));
	});
	return { live, ended };
}

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

	const ending = await Promise.race([stream.ended, new Promise<'still open'>((done) => setTimeout(() => done('still open'), 5_000))]);
	expect(ending).toEqual({ status: 200, how: 'ended' });
	expect(await readStream(`${origin}/messages/stream?cursor=0`, cookie).ended).toEqual({ status: 401, how: 'ended' });
});
