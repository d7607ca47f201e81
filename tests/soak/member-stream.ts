import http from 'node:http';
import { MessagingEvent, MessagePage, PreviewPage, SyncResult } from '../../src/lib/messaging/schemas/index.ts';
import { SseParser, type SseEvent } from '../support/sse-client.ts';
import type { SoakMember } from './marketplace.ts';
import type { MemberView } from './member-view.ts';
import type { MemberSession, Answer } from './session.ts';

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const MAX_BACKOFF_MS = 10_000;
const LOGGED = new Set(['message.created', 'message.updated', 'read', 'conversation.updated', 'block.updated']);

export interface StreamCounts {
	connections: number;
	cuts: number;
	sleeps: number;
	aways: number;
	/** `event: error` frames (the server could not catch up, e.g. while PostgreSQL was down). */
	errorFrames: number;
	/** Connections refused or failed before they were live. */
	failedConnects: number;
}

/**
 * One member's live feed, as a browser tab keeps it: the SSE stream, reconnecting after any
 * end with Last-Event-ID (EventSource's way) or, for "browser" members, after a catch-up
 * through /messages/sync and a stream from ?cursor= (RealtimeMessagingService's way). Waits
 * what the server's `retry:` says after an ordinary end and backs off after failures.
 * Faults come from outside: cut() destroys the socket, sleep() stops reading it (TCP
 * backpressure builds up on the server) and away() disconnects for a while.
 */
export class MemberStream {
	readonly counts: StreamCounts = { connections: 0, cuts: 0, sleeps: 0, aways: 0, errorFrames: 0, failedConnects: 0 };
	#request: http.ClientRequest | null = null;
	#response: http.IncomingMessage | null = null;
	#generation = 0;
	#failures = 0;
	#retryMs = 2_000;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#asleep = false;
	#endedAsleep = false;
	#away = false;
	#stopped = false;
	#loading: Promise<void> | null = null;
	/** The last event id received, as EventSource keeps it. */
	cursor = 0;
	pageLoadFailures = 0;

	constructor(
		readonly member: SoakMember,
		readonly session: MemberSession,
		readonly view: MemberView,
		readonly options: { origin: string; browserLike: boolean; log: (line: string) => void; cursor?: number }
	) {
		this.cursor = options.cursor ?? 0;
	}

	/** Open and reading: a cut, sleep or away may be applied. */
	get open(): boolean {
		return this.#response !== null && !this.#asleep && !this.#away && !this.#stopped;
	}

	start() {
		void this.#connect();
	}

	cut(): boolean {
		if (!this.open) return false;
		this.counts.cuts++;
		this.#request?.destroy();
		return true;
	}

	sleep(ms: number): boolean {
		const response = this.#response;
		if (!this.open || !response) return false;
		this.counts.sleeps++;
		this.#asleep = true;
		response.pause();
		response.socket?.pause();
		setTimeout(() => {
			this.#asleep = false;
			if (this.#endedAsleep) {
				this.#endedAsleep = false;
				this.#schedule();
			} else {
				response.socket?.resume();
				response.resume();
			}
		}, ms);
		return true;
	}

	away(ms: number): boolean {
		if (!this.open) return false;
		this.counts.aways++;
		this.#away = true;
		this.#generation++;
		this.#request?.destroy();
		this.#request = this.#response = null;
		setTimeout(() => {
			this.#away = false;
			if (!this.#stopped) void this.#connect();
		}, ms);
		return true;
	}

	stop() {
		this.#stopped = true;
		this.#generation++;
		if (this.#timer) clearTimeout(this.#timer);
		this.#request?.destroy();
	}

	async #connect() {
		if (this.#stopped || this.#away) return;
		const generation = ++this.#generation;
		if (this.options.browserLike) {
			const caughtUp = await this.#syncFromLog();
			if (generation !== this.#generation) return;
			if (!caughtUp) return this.#failed();
		}
		this.counts.connections++;
		const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache', cookie: this.session.cookie };
		// EventSource keeps the URL it was made with and sends what it last received as Last-Event-ID.
		if (!this.options.browserLike && this.cursor > 0) headers['last-event-id'] = String(this.cursor);
		const path = `/messages/stream?cursor=${this.options.browserLike ? this.cursor : (this.options.cursor ?? 0)}`;
		const parser = new SseParser();
		const request = http.get(`${this.options.origin}${path}`, { agent, headers });
		this.#request = request;
		let live = false;
		request.on('response', (response) => {
			if (generation !== this.#generation) return void request.destroy();
			this.session.remember(headerList(response.headers['set-cookie']));
			if (response.statusCode !== 200) {
				response.resume();
				if (response.statusCode === 401) void this.session.signIn().catch((error: Error) => this.options.log(error.message));
				return;
			}
			this.#response = response;
			response.on('data', (chunk: Buffer) => {
				if (generation !== this.#generation) return;
				for (const event of parser.push(chunk)) {
					if (event.type === 'live') {
						live = true;
						this.#failures = 0;
					} else this.#frame(event);
				}
			});
			response.on('error', () => {});
		});
		request.on('error', () => {});
		request.once('close', () => {
			if (generation !== this.#generation) return;
			this.#request = this.#response = null;
			if (parser.retryMs !== undefined) this.#retryMs = parser.retryMs;
			if (!live) return this.#failed();
			if (this.#asleep) this.#endedAsleep = true;
			else this.#schedule();
		});
	}

	#frame(event: SseEvent) {
		if (event.type === 'error') this.counts.errorFrames++;
		else if (event.type === 'resync') {
			const cursor = (parseJson(event.data) as { cursor?: unknown } | null)?.cursor;
			if (typeof cursor === 'number') this.#resync(cursor);
			else this.view.counts.malformed++;
		} else if (LOGGED.has(event.type)) {
			const parsed = MessagingEvent.safeParse(parseJson(event.data));
			if (!parsed.success) this.view.counts.malformed++;
			else {
				this.view.event(parsed.data, event.id === undefined ? undefined : Number(event.id));
				this.cursor = parsed.data.id;
			}
		}
	}

	#resync(cursor: number) {
		this.view.resync(cursor);
		this.cursor = cursor;
		// The browser reloads the page's data: the inbox and each conversation's messages.
		this.#loading ??= this.#loadPages()
			.catch((error: Error) => {
				this.pageLoadFailures++;
				this.options.log(error.message);
			})
			.finally(() => (this.#loading = null));
	}

	#failed() {
		this.counts.failedConnects++;
		this.#failures++;
		this.#schedule();
	}

	#schedule() {
		if (this.#stopped || this.#away) return;
		const base = this.#failures === 0 ? this.#retryMs : Math.min(MAX_BACKOFF_MS, this.#retryMs * 2 ** (this.#failures - 1));
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = null;
			void this.#connect();
		}, base * (0.8 + Math.random() * 0.4));
	}

	/** RealtimeMessagingService's catch-up: sync_since from the cursor until the log has no more. */
	async #syncFromLog(): Promise<boolean> {
		for (let page = 0; page < 1_000; page++) {
			const answer = await this.#get(`sync?cursor=${this.cursor}`, SyncResult.parse);
			if (answer.kind !== 'ok') return false;
			const result = answer.value;
			if (result.resync) {
				this.#resync(result.cursor);
				return true;
			}
			for (const event of result.events) this.view.event(event);
			if (result.cursor > this.cursor) this.cursor = result.cursor;
			if (!result.has_more) return true;
		}
		return false;
	}

	/** Every page of the inbox, then every page of each conversation in it, retried through outages. */
	async #loadPages() {
		const conversations: string[] = [];
		for (let query = 'previews?filter=all'; query; ) {
			const page = await this.#retrying(query, PreviewPage.parse);
			conversations.push(...page.previews.map((p) => p.conversation_id));
			query = page.next ? `previews?filter=all&before_at=${encodeURIComponent(page.next.at)}&before_id=${page.next.id}` : '';
		}
		for (const id of conversations) {
			for (let query = `history?conversation_id=${id}`; query; ) {
				const page = await this.#retrying(query, MessagePage.parse);
				this.view.page(page.messages);
				query = page.next ? `history?conversation_id=${id}&before_at=${encodeURIComponent(page.next.at)}&before_id=${page.next.id}` : '';
			}
		}
		this.view.counts.pageLoads++;
	}

	async #retrying<T>(path: string, parse: (value: unknown) => T): Promise<T> {
		const deadline = Date.now() + 60_000;
		for (let attempt = 1; ; attempt++) {
			const answer = await this.#get(path, parse);
			if (answer.kind === 'ok') return answer.value;
			if (answer.kind === 'refused' || Date.now() > deadline) throw new Error(`${this.member.email} could not load ${path}: ${answer.why}`);
			await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
		}
	}

	async #get<T>(path: string, parse: (value: unknown) => T): Promise<Answer<T>> {
		const answer = await this.session.get<unknown>(path);
		if (answer.kind === 'signed-out') await this.session.signIn().catch((error: Error) => this.options.log(error.message));
		if (answer.kind !== 'ok') return answer;
		try {
			return { kind: 'ok', value: parse(answer.value) };
		} catch (error) {
			this.view.counts.malformed++;
			return { kind: 'refused', why: `${path}: ${(error as Error).message.slice(0, 200)}`, status: 200 };
		}
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

function headerList(value: string | string[] | undefined): string[] {
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
