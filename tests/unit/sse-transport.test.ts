import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessagingApi } from '../../src/lib/messaging/api.ts';
import { sseTransport } from '../../src/lib/messaging/realtime/sse-transport.ts';
import type { MessagingSignal } from '../../src/lib/messaging/schemas/index.ts';

/**
 * The SSE transport's presence: asked over HTTP as a thread opens and each time the stream is
 * live, and pushed down the stream as members come and go. A stand-in EventSource delivers what
 * the stream would, and the presence answers arrive when the test says.
 */

const CONVERSATION = '00000000-0000-4000-8000-0000000000c1';
const LEE = '00000000-0000-4000-8000-00000000001e';

class FakeEventSource {
	static current: FakeEventSource;
	listeners = new Map<string, ((message: { data: string }) => void)[]>();
	constructor(readonly url: string) {
		FakeEventSource.current = this;
	}
	addEventListener(type: string, listener: (message: { data: string }) => void) {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
	}
	close() {}
	emit(type: string, data: unknown = {}) {
		for (const listener of this.listeners.get(type) ?? []) listener({ data: JSON.stringify(data) });
	}
}

function setUp() {
	vi.stubGlobal('EventSource', FakeEventSource);
	const answers: ((presence: MessagingSignal) => void)[] = [];
	const api = {
		streamUrl: () => '/messages/stream',
		presence: () => new Promise<MessagingSignal>((answer) => answers.push(answer))
	} as unknown as MessagingApi;
	const transport = sseTransport({ api });
	const signals: MessagingSignal[] = [];
	const ignore = () => {};
	transport.connect(0, { open: ignore, event: ignore, signal: (signal) => signals.push(signal), behind: ignore, resync: ignore, error: ignore });
	return { transport, answers, signals, stream: FakeEventSource.current };
}

const online: MessagingSignal = { type: 'presence', user_id: LEE, online: true, last_seen: null };
const left: MessagingSignal = { type: 'presence', user_id: LEE, online: false, last_seen: 1_700_000_000_000 };
const settle = () => new Promise((done) => setTimeout(done, 0));

afterEach(() => {
	vi.unstubAllGlobals();
});

describe('presence over SSE', () => {
	it('an answer asked before the member left, arriving after the stream said so, does not bring them back online', async () => {
		const { transport, answers, signals, stream } = setUp();
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: LEE });
		expect(answers).toHaveLength(1);
		stream.emit('presence', left);
		answers[0](online);
		await settle();
		expect(signals).toEqual([left]);
	});

	it('an answer asked after the last signal about the member is taken', async () => {
		const { transport, answers, signals, stream } = setUp();
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: LEE });
		stream.emit('presence', left);
		// The stream drops and is live again: the member may have come back meanwhile.
		stream.emit('live');
		expect(answers).toHaveLength(2);
		answers[0](online);
		answers[1](online);
		await settle();
		expect(signals).toEqual([left, online]);
	});

	it('an answer asked earlier, arriving after a later one, is dropped', async () => {
		const { transport, answers, signals, stream } = setUp();
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: LEE });
		stream.emit('live');
		answers[1](left);
		answers[0](online);
		await settle();
		expect(signals).toEqual([left]);
	});

	it('an answer is taken when the stream said nothing about its member since it was asked', async () => {
		const { transport, answers, signals, stream } = setUp();
		transport.watchConversation({ conversationId: CONVERSATION, otherUserId: LEE });
		const someoneElse: MessagingSignal = { ...left, user_id: '00000000-0000-4000-8000-0000000000aa' };
		stream.emit('presence', someoneElse);
		answers[0](online);
		await settle();
		expect(signals).toEqual([someoneElse, online]);
	});

	it('an answer for a thread closed meanwhile is dropped', async () => {
		const { transport, answers, signals } = setUp();
		const stop = transport.watchConversation({ conversationId: CONVERSATION, otherUserId: LEE });
		stop();
		answers[0](online);
		await settle();
		expect(signals).toEqual([]);
	});
});

describe('resync over SSE', () => {
	it('passes on where the log stands, as the stream says it; a frame without it, nothing', () => {
		vi.stubGlobal('EventSource', FakeEventSource);
		const transport = sseTransport({ api: { streamUrl: () => '/messages/stream' } as unknown as MessagingApi });
		const said: (number | undefined)[] = [];
		const ignore = () => {};
		transport.connect(0, { open: ignore, event: ignore, signal: ignore, behind: ignore, resync: (cursor) => said.push(cursor), error: ignore });
		FakeEventSource.current.emit('resync', { cursor: 40 });
		FakeEventSource.current.emit('resync', { cursor: 'soon' });
		expect(said).toEqual([40, undefined]);
	});
});
