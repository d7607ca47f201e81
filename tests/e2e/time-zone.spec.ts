import { expect, test } from './fixtures';
import { DEMO, hydrated, signIn } from './session';

const BIKE = 'a0000000-0000-4000-8000-000000000004';
const THREAD = `/messages?conversation=${DEMO.lee.id}__${BIKE}`;

/** Every "HH:MM" <time> in a page's HTML, with the instant it stands for. */
function clockTimes(html: string): { datetime: string; shown: string }[] {
	return [...html.matchAll(/<time[^>]*datetime="([^"]+)"[^>]*>(\d\d:\d\d)<\/time>/g)].map(([, datetime, shown]) => ({ datetime, shown }));
}

const inNewYork = (datetime: string) =>
	new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'America/New_York' }).format(new Date(datetime));

test('a browser in New York gets its times from the server in New York time once it has visited, and hydration changes none of them', async ({
	browser
}) => {
	const context = await browser.newContext({ timezoneId: 'America/New_York' });
	const page = await context.newPage();
	await signIn(page, DEMO.ben.email, THREAD);
	await hydrated(page);
	expect((await context.cookies()).find((cookie) => cookie.name === 'tz')?.value).toBe(encodeURIComponent('America/New_York'));

	// The server's HTML of the next load, as a browser without JavaScript would show it.
	const html = await (await page.request.get(THREAD)).text();
	const times = clockTimes(html);
	expect(times.length).toBeGreaterThan(0);
	for (const { datetime, shown } of times) expect(shown, datetime).toBe(inNewYork(datetime));

	// And hydrating that page shows the same times, with no warning.
	const warnings: string[] = [];
	page.on('console', (message) => {
		if (/hydrat/i.test(message.text())) warnings.push(message.text());
	});
	await page.reload();
	await hydrated(page);
	const shownTimes = await page.locator('time').evaluateAll((nodes) =>
		nodes.map((node) => ({ datetime: node.getAttribute('datetime') ?? '', shown: node.textContent ?? '' })).filter(({ shown }) => /^\d\d:\d\d$/.test(shown))
	);
	expect(shownTimes).toEqual(times);
	expect(warnings).toEqual([]);
	await context.close();
});

test('a time zone cookie the runtime does not know is ignored: the page still renders', async ({ browser }) => {
	const context = await browser.newContext({ timezoneId: 'America/New_York' });
	const page = await context.newPage();
	await signIn(page, DEMO.ben.email, THREAD);
	const { hostname } = new URL(page.url());
	await context.addCookies([{ name: 'tz', value: 'Mars%2FOlympus', domain: hostname, path: '/' }]);
	const response = await page.request.get(THREAD);
	expect(response.status()).toBe(200);
	await context.close();
});
