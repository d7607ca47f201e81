import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { insertMember, withDatabase } from './database';
import { DEMO, hydrated, signIn } from './session';

/**
 * "Your data" on the account page, in Chromium against the production build: a member made for
 * this test downloads their data (the JSON file parses and holds their message), then deletes
 * their account: a wrong password erases nothing, the right one erases it, signs them out, and
 * they cannot sign in again; the member they wrote to sees "Deleted user".
 */

const run = Date.now().toString(36);

test('a member downloads their data, then deletes their account with their password, and cannot sign in again', async ({ browser, baseURL }) => {
	test.setTimeout(90_000);
	const id = randomUUID();
	const username = `leaving_${run}`;
	const email = `${username}@example.test`;
	const words = `Is the camera still for sale? (${run})`;
	await withDatabase(baseURL, async (db) => {
		await insertMember(db, { id, email, username, name: `Leaving ${run}` });
		// A message to Lee, sent through send_message as the member, as the app sends it.
		await db.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: id, role: 'authenticated' })]);
		await db.query('select public.send_message($1::uuid, $2::text, p_other_user_id => $3::uuid)', [randomUUID(), words, DEMO.lee.id]);
		await db.query(`select set_config('request.jwt.claims', '', false)`);
	});

	const context = await browser.newContext({ acceptDownloads: true });
	const page = await context.newPage();
	await signIn(page, email, '/account');
	await hydrated(page);
	const yourData = page.getByRole('region', { name: 'Your data' });

	// Download: a JSON file named for the day, holding the profile and the message.
	const downloading = page.waitForEvent('download');
	await yourData.getByRole('link', { name: 'Download my data' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^bazaar-messages-\d{4}-\d{2}-\d{2}\.json$/);
	const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
	expect(exported.profile).toMatchObject({ id, email, username });
	expect(exported.conversations).toHaveLength(1);
	expect(exported.conversations[0].with.id).toBe(DEMO.lee.id);
	expect(exported.conversations[0].messages).toEqual([expect.objectContaining({ sent_by_you: true, body: words })]);

	// Delete: a wrong password first, which erases nothing.
	await yourData.getByRole('link', { name: 'Delete my account' }).click();
	await expect(page).toHaveURL('/account/delete');
	await expect(page.getByRole('heading', { name: 'Delete my account' })).toBeVisible();
	await hydrated(page);
	await page.getByLabel('Your password').fill('not my password');
	await page.getByRole('button', { name: 'Delete my account' }).click();
	await expect(page.getByRole('alert')).toHaveText('That is not your password. Nothing was deleted.');
	// Emptied, with the focus, to type it again.
	await expect(page.getByLabel('Your password')).toBeFocused();
	await expect(page.getByLabel('Your password')).toHaveValue('');
	const stored = () =>
		withDatabase(baseURL, async (db) => ({
			login: (await db.query('select count(*)::int as n from auth.users where id = $1', [id])).rows[0].n,
			name: (await db.query('select display_name from public.profiles where id = $1', [id])).rows[0].display_name,
			live: (await db.query(`select count(*)::int as n from public.messages where sender_id = $1 and body = $2`, [id, words])).rows[0].n
		}));
	expect(await stored()).toEqual({ login: 1, name: `Leaving ${run}`, live: 1 });

	// Lee has their conversation open meanwhile.
	const lee = await browser.newContext();
	const leePage = await lee.newPage();
	await signIn(leePage, DEMO.lee.email, `/messages?conversation=${id}__general`);
	await hydrated(leePage);
	await expect(leePage.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();

	// The right one: erased, signed out, told so.
	await page.getByLabel('Your password').fill('password123');
	await page.getByRole('button', { name: 'Delete my account' }).click();
	await expect(page.getByRole('heading', { name: 'Your account is deleted' })).toBeVisible();
	await expect(page).toHaveURL('/account/delete?deleted');
	await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
	expect(await stored()).toEqual({ login: 0, name: 'Deleted user', live: 0 });

	// The account page is for signed-in members only now, and the login is gone.
	await page.goto('/login');
	await hydrated(page);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
	await context.close();

	// Lee's open thread follows at once: it says the account is gone and offers nothing to write,
	// nor anyone to block (it kept its composer, "Block" and "Online" until reloaded). Reloaded, the same.
	const thread = leePage.getByRole('region', { name: 'Deleted user' });
	const showsDeleted = async () => {
		await expect(thread.getByRole('heading', { name: 'Deleted user' })).toBeVisible();
		await expect(thread.getByText('Account deleted', { exact: true })).toBeVisible();
		await expect(thread.getByText(/^@deleted_/)).toHaveCount(0);
		await expect(thread.getByRole('status').filter({ hasText: 'This member deleted their account: nothing more can be sent here.' })).toBeVisible();
		await expect(thread.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
		await thread.getByLabel('Conversation options').click();
		await expect(thread.getByRole('button', { name: /Block/ })).toHaveCount(0);
	};
	await showsDeleted();
	await leePage.reload();
	await hydrated(leePage);
	await showsDeleted();
	// He keeps the conversation, with "Deleted user" and the message shown deleted.
	const preview = leePage.getByRole('list', { name: 'Conversations' }).getByRole('link').filter({ hasText: 'Deleted user' });
	await expect(preview).toHaveCount(1);
	await expect(preview).not.toContainText(words);
	await lee.close();
});

/**
 * A session is not enough to guess the password and erase the account: before, 30 wrong
 * passwords from one session took a second, and the right one after them erased it. A body
 * that is no form is a 400 with a sentence (it was a 500).
 */
test('delete my account: after five wrong passwords even the right one waits, and an unreadable form is a 400', async ({ browser, baseURL }) => {
	const id = randomUUID();
	const username = `guessed_${run}`;
	const email = `${username}@example.test`;
	await withDatabase(baseURL, (db) =>
		insertMember(db, { id, email, username, name: `Guessed ${run}` })
	);
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, email, '/account/delete');
	const post = (form: Record<string, string> | string, type?: string) =>
		page.request
			.post('/account/delete', {
				headers: { origin: baseURL!, accept: 'application/json', ...(type ? { 'content-type': type } : {}) },
				...(typeof form === 'string' ? { data: form } : { form })
			})
			.then(async (response) => ({ status: response.status(), body: await response.json() }));
	const answer = (status: number, message: string) => ({ status: 200, body: { type: 'failure', status, data: expect.stringContaining(message) } });

	expect(await post('password=abc', 'text/plain')).toEqual(answer(400, 'The form could not be read.'));
	for (let i = 0; i < 5; i++) expect(await post({ password: `guess ${i}` })).toEqual(answer(400, 'That is not your password.'));
	expect(await post({ password: 'password123' })).toEqual(answer(429, 'Too many wrong passwords. Try again in 15 minutes.'));
	const login = await withDatabase(baseURL, (db) => db.query('select count(*)::int as n from auth.users where id = $1', [id]));
	expect(login.rows[0].n).toBe(1);
	await context.close();
});

/**
 * The fourth download within the hour: the member stays on the account page, inside the site,
 * and it says why beside the link (the link opened a bare error page with no header or way
 * back). A script asking for the file gets the 429 with the sentence, as before.
 */
test('a download refused for the hour leaves the member on the account page, saying why; a script gets the 429', async ({ browser, baseURL }) => {
	const id = randomUUID();
	const username = `exporter_${run}`;
	await withDatabase(baseURL, (db) =>
		insertMember(db, { id, email: `${username}@example.test`, username, name: `Exporter ${run}` })
	);
	const context = await browser.newContext({ acceptDownloads: true });
	const page = await context.newPage();
	await signIn(page, `${username}@example.test`, '/account');
	await hydrated(page);
	const yourData = page.getByRole('region', { name: 'Your data' });
	const link = yourData.getByRole('link', { name: 'Download my data' });
	// Three downloads by the link, as a member makes them: each a file, the page staying put.
	for (let i = 0; i < 3; i++) {
		const downloading = page.waitForEvent('download');
		await link.click();
		expect((await downloading).suggestedFilename()).toMatch(/^bazaar-messages-/);
	}
	await expect(yourData.getByRole('alert')).toHaveCount(0);

	// The fourth: still the account page, with the site around it, and the sentence by the link.
	await link.click();
	const sentence = /^You can download your data 3 times an hour\. Try again in (60|59) minutes\.$/;
	await expect(yourData.getByRole('alert')).toHaveText(sentence);
	await expect(page).toHaveURL('/account');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account');
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
	await expect(link).toHaveAccessibleDescription(sentence);
	// Said once: reloaded, the page is as usual.
	await page.reload();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account');
	await expect(yourData.getByRole('alert')).toHaveCount(0);

	// A script (no page to go back to) still gets the status and the sentence.
	const refused = await page.request.get('/account/export');
	expect(refused.status()).toBe(429);
	expect((await refused.json()).message).toMatch(sentence);
	await context.close();
});
