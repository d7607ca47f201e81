import { test as base, expect, type BrowserContext } from '@playwright/test';

export * from '@playwright/test';

/**
 * Playwright's `test`, failing any test during which Chromium reported a Content-Security-Policy
 * violation or an uncaught error on any page, including pages of contexts the test opened
 * itself: the app runs under its real policy in every spec, so a blocked script or style cannot
 * pass unnoticed, and neither can a script that throws while the page still looks right (a
 * "Make an offer" link threw during hydration so, and left focus nowhere).
 */
export const test = base.extend<{ cspViolations: string[] }>({
	cspViolations: [
		async ({ browser, context }, use) => {
			const violations: string[] = [];
			const errors: string[] = [];
			const watch = (watched: BrowserContext) => {
				watched.on('console', (message) => {
					if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
				});
				watched.on('weberror', (error) => errors.push(`${error.page()?.url() ?? 'a page'}: ${error.error().message}`));
			};
			watch(context);
			const newContext = browser.newContext.bind(browser);
			browser.newContext = async (...options) => {
				const opened = await newContext(...options);
				watch(opened);
				return opened;
			};
			try {
				await use(violations);
			} finally {
				browser.newContext = newContext;
			}
			expect(violations, 'Content-Security-Policy violations reported by Chromium').toEqual([]);
			expect(errors, 'uncaught errors in the pages').toEqual([]);
		},
		{ auto: true }
	]
});

/** A form action's answer while the server cannot reach its database, as `route.fulfill` takes it: for a test whose answer is lost. */
export const UNAVAILABLE_ANSWER = {
	status: 503,
	contentType: 'application/json',
	body: JSON.stringify({ type: 'error', error: { message: 'Messages are unavailable right now. Try again in a moment.' } })
};
