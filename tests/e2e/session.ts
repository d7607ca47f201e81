import { expect, test, type Browser, type Page } from '@playwright/test';

export const DEMO = {
	ana: { id: '11111111-1111-4111-8111-111111111111', email: 'ana@example.com' },
	ben: { id: '22222222-2222-4222-8222-222222222222', email: 'ben@example.com' },
	sam: { id: '33333333-3333-4333-8333-333333333333', email: 'sam@example.com' },
	lee: { id: '44444444-4444-4444-8444-444444444444', email: 'lee@example.com' }
} as const;

/** Waits for hydration, so clicks reach Svelte's handlers rather than a still-static page. */
export async function hydrated(page: Page) {
	await page.locator('body[data-hydrated]').waitFor();
}

/** Signs in as a member does: the sign-in page, its form and its redirect to `next`. */
export async function signInThroughForm(page: Page, email: string, next = '/') {
	await page.goto(`/login?next=${encodeURIComponent(next)}`);
	await hydrated(page);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill('password123');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/**
 * Signs `page`'s context in by posting the sign-in form as a browser would, then opens `next`:
 * half a second quicker than `signInThroughForm`, which the specs about signing in use.
 */
export async function signIn(page: Page, email: string, next = '/') {
	const baseURL = test.info().project.use.baseURL!;
	const response = await page.request.post('/login', {
		headers: { origin: new URL(baseURL).origin, accept: 'text/html' },
		form: { email, password: 'password123', next },
		maxRedirects: 0
	});
	expect(response.status(), `signing in ${email}: ${(await response.text()).slice(0, 300)}`).toBe(303);
	await page.goto(next);
	await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Lifts a block through the form action, as the menu does: for a test's `finally`, so no block outlives it. */
export async function callUnblock(page: Page, userId: string) {
	const origin = new URL(page.url()).origin;
	await page.request.post('/messages?/block', {
		form: { user_id: userId, blocked: 'false' },
		headers: { 'x-sveltekit-action': 'true', accept: 'application/json', origin }
	});
}

/** A browser context of its own, signed in as `email` and showing `path` hydrated; `close` ends it. */
export async function signedInPage(browser: Browser, email: string, path: string) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page, email, path);
	await hydrated(page);
	return { page, close: () => context.close() };
}
