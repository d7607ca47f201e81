import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/database.types.ts';
import { RealtimeMessagingService, type RealtimeEnvironment } from '../../src/lib/messaging/realtime/realtime-service.svelte.ts';
import { supabaseTransport } from '../../src/lib/messaging/realtime/supabase-transport.ts';
import type { TransportHandlers } from '../../src/lib/messaging/realtime/transport.ts';
import type { MessagingSignal, SyncResult } from '../../src/lib/messaging/schemas/index.ts';
import { ALICE, CONVERSATION, ME, readEvent, readState } from '../support/rows.ts';

/**
 * The Supabase transport against a stand-in for supabase-js's channel API (channel, on,
 * subscribe, send, track, presenceState, removeChannel, rpc): which channels it joins, what it
 * makes of what arrives on them, and that a reconnect joins every one of them again.
 */

type Listener = { type: string; event: string; callback: (message: { payload?: unknown }) => void };

class FakeChannel {
	listeners: Listener[] = [];
	status: ((status: string) => void) | undefined;
	removed = false;
	sent: unknown[] = [];
	tracked: unknown[] = [];
	state: Record<string, unknown[]> = {};

	constructor(
		readonly topic: string,
		readonly options: { config: { private?: boolean; presence?: { key?: string } } }
	) {}

	on(type: string, filter: { event: string }, callback: Listener['callback']) {
		this.listeners.push({ type, event: filter.event, callback });
		return this;
	}

	subscribe(status?: (status: string) => void) {
		this.status = status;
		return this;
	}

	async send(message: unknown) {
		this.sent.push(message);
		return 'ok';
	}

	async track(payload: unknown) {
		this.tracked.push(payload);
		return 'ok';
	}

	presenceState() {
		return this.state;
	}

	/** What the server would deliver on this channel. */
	deliver(type: string, event: string, payload?: unknown) {
		for (const listener of this.listeners) if (listener.type === type && listener.event === event) listener.callback({ payload });
	}

	presenceSync(state: Record<string, unknown[]>) {
		this.state = state;
		this.deliver('presence', 'sync');
	}
}

class FakeSupabase {
	channels: FakeChannel[] = [];
	rpcs: [string, unknown][] = [];
	syncAnswer: SyncResult = { events: [], cursor: 0, resync: false, has_more: false };

	channel(topic: string, options: FakeChannel['options']) {
		const channel = new FakeChannel(topic, options);
		this.channels.push(channel);
		return channel;
	}

	async removeChannel(channel: FakeChannel) {
		channel.removed = true;
		return 'ok';
	}

	async rpc(name: string, args: unknown) {
		this.rpcs.push([name, args]);
		return { data: this.syncAnswer, error: null };
	}

	/** The channels joined and not yet left, by topic. */
	joined(): string[] {
		return this.channels.filter((channel) => !channel.removed).map((channel) => channel.topic);
	}

	latest(topic: string): FakeChannel {
		const channel = this.channels.filter((c) => c.topic === topic && !c.removed).at(-1);
		if (!channel) throw new Error(`not joined: ${topic}`);
		return channel;
	}
}

function recorder() {
	const seen = { open: 0, errors: [] as string[], behind: [] as number[], signals: [] as MessagingSignal[] };
	const handlers: TransportHandlers = {
		open: () => seen.open++,
		event: () => {},
		signal: (signal) => seen.signals.push(signal),
		resync: () => {},
		error: (reason) => seen.errors.push(reason),
		behind: (cursor) => seen.behind.push(cursor)
	};
	return { seen, handlers };
}

function setup() {
	const fake = new FakeSupabase();
	const transport = supabaseTransport({ supabase: fake as unknown as SupabaseClient<Database>, userId: ME });
	return { fake, transport };
}

const typing = (userId: string, conversationId = CONVERSATION): MessagingSignal => ({
	type: 'typing',
	conversation_id: conversationId,
	user_id: userId,
	until: 1
});

describe('supabaseTransport', () => {
	it('joins the user feed and tracks the user online on their own presence channel, both private', () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		expect(fake.joined()).toEqual([`user:${ME}`, `presence:${ME}`]);
		expect(fake.channels.every((channel) => channel.options.config.private)).toBe(true);
		expect(fake.latest(`presence:${ME}`).options.config.presence).toEqual({ key: ME });

		fake.latest(`user:${ME}`).status?.('SUBSCRIBED');
		fake.latest(`presence:${ME}`).status?.('SUBSCRIBED');
		expect(seen.open).toBe(1);
		expect(fake.latest(`presence:${ME}`).tracked).toHaveLength(1);
	});

	it('a push becomes a catch-up request for its cursor; anything else on the feed is ignored', () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		const feed = fake.latest(`user:${ME}`);
		feed.deliver('broadcast', 'events', { cursor: 42, id: 'f2b9a1f0-0000-4000-8000-000000000000' });
		feed.deliver('broadcast', 'events', { cursor: 'x' });
		feed.deliver('broadcast', 'events', { message: { body: 'text never travels here' } });
		expect(seen.behind).toEqual([42]);
	});

	it('a feed that fails is reported; a stale channel is not', () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		const first = fake.latest(`user:${ME}`);
		transport.connect(0, handlers);
		first.status?.('CLOSED');
		expect(seen.errors).toEqual([]);
		fake.latest(`user:${ME}`).status?.('CHANNEL_ERROR');
		expect(seen.errors).toEqual(['CHANNEL_ERROR']);
	});

	it('an open thread receives the other member’s typing only, and sends its own on the conversation channel', async () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		expect(fake.joined()).toEqual([`user:${ME}`, `presence:${ME}`, `conversation:${CONVERSATION}`, `presence:${ALICE}`]);

		const channel = fake.latest(`conversation:${CONVERSATION}`);
		channel.deliver('broadcast', 'typing', typing(ALICE));
		channel.deliver('broadcast', 'typing', typing(ME));
		channel.deliver('broadcast', 'typing', typing('44444444-4444-4444-8444-444444444444'));
		expect(seen.signals).toEqual([typing(ALICE)]);

		await transport.sendTyping(CONVERSATION, true);
		// Cleared text says so at once: `until` 0, which ends the indicator where it arrives.
		await transport.sendTyping(CONVERSATION, false);
		expect(channel.sent).toEqual([
			{ type: 'broadcast', event: 'typing', payload: expect.objectContaining({ type: 'typing', user_id: ME, conversation_id: CONVERSATION }) },
			{ type: 'broadcast', event: 'typing', payload: expect.objectContaining({ type: 'typing', user_id: ME, until: 0 }) }
		]);
		expect((channel.sent[0] as { payload: { until: number } }).payload.until).toBeGreaterThan(Date.now());
	});

	it('presence of the other member becomes signals on change only', () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		const partner = fake.latest(`presence:${ALICE}`);
		partner.presenceSync({});
		partner.presenceSync({ [ALICE]: [{ online_at: 'now' }] });
		partner.presenceSync({ [ALICE]: [{ online_at: 'now' }, { online_at: 'another tab' }] });
		partner.presenceSync({});
		expect(seen.signals).toEqual([
			{ type: 'presence', user_id: ALICE, online: true, last_seen: null },
			{ type: 'presence', user_id: ALICE, online: false, last_seen: expect.any(Number) }
		]);
	});

	it('a reconnect joins every watched conversation again, and typing flows on the new channels', () => {
		const { fake, transport } = setup();
		const { seen, handlers } = recorder();
		transport.connect(0, handlers);
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		const before = fake.latest(`conversation:${CONVERSATION}`);

		transport.close();
		expect(fake.joined()).toEqual([]);
		transport.connect(7, handlers);
		expect(fake.joined().sort()).toEqual([`conversation:${CONVERSATION}`, `presence:${ALICE}`, `presence:${ME}`, `user:${ME}`].sort());

		const after = fake.latest(`conversation:${CONVERSATION}`);
		expect(after).not.toBe(before);
		after.deliver('broadcast', 'typing', typing(ALICE));
		expect(seen.signals).toEqual([typing(ALICE)]);
	});

	it('stopping the last watch leaves both channels; typing to an unwatched conversation sends nothing', async () => {
		const { fake, transport } = setup();
		const { handlers } = recorder();
		transport.connect(0, handlers);
		const stopFirst = transport.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		const stopSecond = transport.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
		stopFirst();
		stopFirst();
		expect(fake.joined()).toContain(`conversation:${CONVERSATION}`);
		stopSecond();
		expect(fake.joined()).toEqual([`user:${ME}`, `presence:${ME}`]);
		const channels = fake.channels.length;
		await transport.sendTyping(CONVERSATION, true);
		expect(fake.channels.length).toBe(channels);
		expect(fake.channels.flatMap((channel) => channel.sent)).toEqual([]);
	});

	it('catches up through sync_since', async () => {
		const { fake, transport } = setup();
		fake.syncAnswer = { events: [readEvent(readState(), { id: 3 })], cursor: 3, resync: false, has_more: false };
		const result = await transport.sync(2);
		expect(fake.rpcs).toEqual([['sync_since', { p_cursor: 2, p_limit: 500 }]]);
		expect(result.events.map((event) => event.id)).toEqual([3]);
	});
});

describe('supabaseTransport under the realtime service', () => {
	const environment: RealtimeEnvironment = {
		isOnline: () => true,
		isVisible: () => true,
		on: () => () => {},
		setTimeout: (callback, ms) => setTimeout(callback, ms),
		clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
		random: () => 0
	};

	it('after the feed drops, the service reconnects and the open thread’s channels are joined again', async () => {
		const { fake, transport } = setup();
		const signals: MessagingSignal[] = [];
		const service = new RealtimeMessagingService({
			transport,
			cursor: 0,
			onEvent: () => {},
			onSignal: (signal) => signals.push(signal),
			onResync: () => {},
			environment,
			minDelay: 2,
			maxDelay: 4
		}).start();
		try {
			await expect.poll(() => fake.joined()).toContain(`user:${ME}`);
			service.watchConversation({ conversationId: CONVERSATION, otherUserId: ALICE });
			fake.latest(`user:${ME}`).status?.('SUBSCRIBED');
			expect(service.state).toBe('live');

			fake.latest(`user:${ME}`).status?.('CHANNEL_ERROR');
			expect(service.state).toBe('reconnecting');
			await expect.poll(() => fake.channels.filter((channel) => channel.topic === `conversation:${CONVERSATION}`).length).toBe(2);
			fake.latest(`user:${ME}`).status?.('SUBSCRIBED');
			expect(service.state).toBe('live');
			fake.latest(`conversation:${CONVERSATION}`).deliver('broadcast', 'typing', typing(ALICE));
			expect(signals).toEqual([typing(ALICE)]);
		} finally {
			service.stop();
		}
		expect(fake.joined()).toEqual([]);
	});
});
