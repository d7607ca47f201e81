import { expect, test } from './fixtures';
import { DEMO, signIn } from './session';

/**
 * Every response carries the security headers, signed out and in, pages and endpoints alike;
 * the policy gives SvelteKit's scripts a fresh nonce per response and allows no inline script.
 */

const PATHS = ['/', '/login', '/messages', '/messages/previews?filter=all', '/account', '/no-such-page'];

test('pages and endpoints send the security headers, and the policy allows scripts only by origin or nonce', async ({ page }) => {
	await signIn(page, DEMO.ana.email, '/');
	const nonces = new Set<string>();
	for (const path of PATHS) {
		const response = await page.request.get(path, { maxRedirects: 0 });
		const headers = response.headers();
		expect.soft(headers['x-content-type-options'], path).toBe('nosniff');
		expect.soft(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
		expect.soft(headers['permissions-policy'], path).toContain('camera=()');
		expect.soft(headers['x-frame-options'], path).toBe('DENY');
		const csp = headers['content-security-policy'];
		if (response.headers()['content-type']?.startsWith('text/html')) {
			expect(csp, path).toBeDefined();
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).toContain("object-src 'none'");
			const scripts = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
			expect(scripts).not.toContain('unsafe-inline');
			const nonce = /'nonce-([^']+)'/.exec(scripts)?.[1];
			expect(nonce, path).toBeTruthy();
			nonces.add(nonce!);
		}
	}
	// A nonce is never reused between responses.
	expect(nonces.size).toBeGreaterThanOrEqual(4);
});

test('an injected inline script does not run, and the suite’s guard sees the violation', async ({ page, cspViolations }) => {
	await signIn(page, DEMO.ana.email, '/messages');
	const ran = await page.evaluate(async () => {
		const script = document.createElement('script');
		script.textContent = 'window.__injected = true';
		document.body.append(script);
		await new Promise((resolve) => setTimeout(resolve, 50));
		return (window as unknown as { __injected?: boolean }).__injected === true;
	});
	expect(ran).toBe(false);
	// The guard every spec runs under saw it (so it can fail a spec); this one was on purpose.
	await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
	expect(cspViolations.join('\n')).toMatch(/inline script/i);
	cspViolations.length = 0;
});

test('a form posted from another site is refused, except the signed one-click unsubscribe', async ({ playwright, baseURL }) => {
	const api = await playwright.request.newContext({ baseURL });
	try {
		for (const origin of ['https://evil.example', null]) {
			const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
			if (origin) headers.origin = origin;
			const refused = await api.post('/messages?/send', { headers, data: 'body=hi' });
			expect(refused.status(), `origin ${origin}`).toBe(403);
			expect(await refused.text()).toContain('Cross-site POST form submissions are forbidden');
		}
		// The unsubscribe path takes a cross-site post, and refuses it on its own terms (no valid signature).
		const unsubscribe = await api.post('/unsubscribe?u=00000000-0000-4000-8000-000000000000&t=forged', {
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example' },
			data: 'List-Unsubscribe=One-Click'
		});
		expect([400, 403]).toContain(unsubscribe.status());
		expect(await unsubscribe.text()).not.toContain('Cross-site');
	} finally {
		await api.dispose();
	}
});
