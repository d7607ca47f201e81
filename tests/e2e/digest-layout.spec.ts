import { renderDigest } from '../../src/lib/server/messaging/digests/render.ts';
import { expect, test } from './fixtures';

// The digest's HTML as a mail client shows it: on a phone's width, a message of one long word and
// a long link stays inside its card instead of making the whole email scroll sideways (it was
// 4,982 px wide at 375 px).
test('a digest with a long unbroken word and link fits a 375 px screen', async ({ browser }) => {
	const longWord = 'A'.repeat(300);
	const longLink = `https://shop.example/${'path-segment-'.repeat(16)}end`;
	const { html } = renderDigest(
		{
			id: 'd1000000-0000-4000-8000-000000000001',
			user_id: '2b1f3c4d-0000-4000-8000-0000000000aa',
			email: 'lee@example.com',
			display_name: 'Lee',
			unsubscribe_token: 'ab'.repeat(32),
			conversations: [
				{
					conversation_id: '5a000000-0000-4000-8000-000000000001',
					key: '2b1f3c4d-0000-4000-8000-0000000000bb__9c8b7a6d-0000-4000-8000-000000000001',
					other_name: `Ben${'n'.repeat(80)}`,
					product_title: 'Vintage camera',
					messages: [
						{ id: '7e000000-0000-4000-8000-000000000001', sender_name: 'Ben', body: `${longWord} ${longLink}`, kind: 'text', created_at: '2026-12-05T10:00:00.000000+00:00', photo_count: 0 }
					]
				}
			]
		},
		{ publicUrl: 'https://bazaar.example', unsubscribeUrl: 'https://bazaar.example/unsubscribe?t=x', siteName: 'Bazaar' }
	);
	const context = await browser.newContext({ viewport: { width: 375, height: 667 }, javaScriptEnabled: false });
	const page = await context.newPage();
	await page.setContent(html);
	await expect(page.getByText(longWord, { exact: false })).toBeVisible();
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	await context.close();
});
