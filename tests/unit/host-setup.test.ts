// A host that leaves out part of the setup (README, "Use it in your marketplace") is told which
// part, where it first shows: not a TypeError deep in a load, not "Sign in" to a signed-in
// member, not Svelte's bare missing_context.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import UnreadBadge from '../../src/lib/messaging/components/UnreadBadge.svelte';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import { actions } from '../../src/lib/server/messaging/actions.ts';
import { messagingEndpoints } from '../../src/lib/server/messaging/endpoints.ts';
import { load } from '../../src/lib/server/messaging/page.ts';
import { startPostgresRealtime } from '../../src/lib/server/messaging/realtime/relay.ts';
import { loadMessagingSession } from '../../src/lib/server/messaging/session.ts';
import WithMessaging from './fixtures/WithMessaging.svelte';

const ME = { id: '11111111-1111-4111-8111-111111111111' };
const locals = (parts: Partial<App.Locals>) => parts as App.Locals;
const event = (parts: Partial<App.Locals>, url = 'http://127.0.0.1/messages') =>
	({ locals: locals(parts), url: new URL(url), request: new Request(url, { method: 'POST' }), params: { endpoint: 'previews' } }) as never;

describe('a host’s hooks that leave something out', () => {
	it('no hooks at all: the layout names every missing piece, even for a visitor', async () => {
		const failure = loadMessagingSession(locals({}));
		await expect(failure).rejects.toThrow(/event\.locals\.user .*event\.locals\.messaging .*event\.locals\.messagingRealtime/);
		await expect(failure).rejects.toThrow(/README, "Use it in your marketplace", step 3/);
	});

	it('a user but no backend: the page, an action and an endpoint name the backend, not "Sign in"', async () => {
		const only = { user: ME } as Partial<App.Locals>;
		await expect(loadMessagingSession(locals(only))).rejects.toThrow(/event\.locals\.messaging \(postgresMessaging or supabaseMessaging/);
		await expect(load(event(only) as never)).rejects.toThrow(/event\.locals\.messaging /);
		await expect(actions.read(event(only) as never)).rejects.toThrow(/event\.locals\.messaging /);
		await expect(messagingEndpoints.GET(event(only, 'http://127.0.0.1/messages/previews') as never)).rejects.toThrow(/event\.locals\.messaging /);
	});

	it('everything set: a visitor is simply signed out', async () => {
		const set = { user: null, messaging: {}, messagingRealtime: { transport: 'sse' } } as unknown as Partial<App.Locals>;
		await expect(loadMessagingSession(locals(set))).resolves.toBeNull();
	});
});

describe('a relay without a database address', () => {
	it('refuses at once, where pg would retry localhost:5432 for ever', () => {
		const pool = {} as never;
		for (const connectionString of ['', '  ', undefined as unknown as string]) {
			expect(() => startPostgresRealtime({ connectionString, pool })).toThrow(/needs a connectionString \(is DATABASE_URL set\?\)/);
		}
	});
});

describe('a layout without setMessaging', () => {
	it('says where the MessagingClient is set', () => {
		expect(() => render(UnreadBadge).body).toThrow(/setMessaging\(new MessagingClient/);
		// And with it, the badge renders.
		const client = new MessagingClient();
		client.inbox.setUnreadTotal(3);
		expect(render(WithMessaging, { props: { client, component: UnreadBadge, props: {} } }).body).toContain('data-testid="unread-total"');
	});
});
