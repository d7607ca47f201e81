import { expect, test } from './fixtures';
import { DEMO, hydrated, signIn } from './session';

// The header holds a "Sign in" pill, nothing (on /login) or the member's links: the page under it
// jumped by 14 px between the home page and /login.
test('the site header is one height signed out, on the sign-in page and signed in', async ({ browser }) => {
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	const height = async (path: string) => {
		await page.goto(path);
		await hydrated(page);
		return (await page.locator('.site-header').boundingBox())!.height;
	};
	const signedOut = await height('/');
	expect(await height('/login')).toBe(signedOut);
	await signIn(page, DEMO.ana.email, '/');
	expect(await height('/')).toBe(signedOut);
	expect(await height('/messages')).toBe(signedOut);
	await context.close();
});
