/**
 * A Server-Sent Events client for tests: fetch() plus a streaming reader, parsing the wire
 * format as the HTML standard's EventSource does (id:, event:, data:, retry:, comments,
 * blank-line dispatch, CR/LF/CRLF line ends), and reconnecting with Last-Event-ID the way
 * EventSource does. Every wait has a deadline, so no test can hang on a stream.
 */

export interface SseEvent {
	/** `event:` field, or 'message' when absent. */
	type: string;
	data: string;
	/** The `id:` field of this very event, when it had one. */
	id: string | undefined;
	/** The connection's last event id after this event (what Last-Event-ID would send). */
	lastEventId: string;
	/** Which connection (1-based) of a reconnecting client delivered it. */
	connection: number;
}

/** Incremental parser of the text/event-stream format. */
export class SseParser {
	#decoder = new TextDecoder();
	#buffer = '';
	#pendingCr = false;
	#data: string[] = [];
	#type = '';
	#id: string | undefined;
	lastEventId = '';
	retryMs: number | undefined;
	readonly comments: string[] = [];

	constructor(lastEventId = '') {
		this.lastEventId = lastEventId;
	}

	/** Feeds bytes; returns the events completed by them. */
	push(chunk: Uint8Array, connection = 1): SseEvent[] {
		let text = this.#decoder.decode(chunk, { stream: true });
		// A CR that ended the previous chunk already ended its line; a LF right after it is part of that CRLF.
		if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
		this.#pendingCr = false;
		this.#buffer += text;
		const out: SseEvent[] = [];
		for (;;) {
			const match = /\r\n|\r|\n/.exec(this.#buffer);
			if (!match) break;
			// A lone CR at the very end may be the first half of a CRLF still in flight.
			if (match[0] === '\r' && match.index === this.#buffer.length - 1) {
				this.#pendingCr = true;
				const line = this.#buffer.slice(0, match.index);
				this.#buffer = '';
				this.#line(line, out, connection);
				break;
			}
			const line = this.#buffer.slice(0, match.index);
			this.#buffer = this.#buffer.slice(match.index + match[0].length);
			this.#line(line, out, connection);
		}
		return out;
	}

	#line(line: string, out: SseEvent[], connection: number) {
		if (line === '') {
			if (this.#data.length > 0) {
				out.push({ type: this.#type || 'message', data: this.#data.join('\n'), id: this.#id, lastEventId: this.lastEventId, connection });
			}
			this.#data = [];
			this.#type = '';
			this.#id = undefined;
			return;
		}
		if (line.startsWith(':')) {
			this.comments.push(line.slice(1).trimStart());
			return;
		}
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		switch (field) {
			case 'event':
				this.#type = value;
				break;
			case 'data':
				this.#data.push(value);
				break;
			case 'id':
				if (!value.includes('\0')) {
					this.lastEventId = value;
					this.#id = value;
				}
				break;
			case 'retry':
				if (/^\d+$/.test(value)) this.retryMs = Number(value);
				break;
			default:
			// Unknown fields are ignored.
		}
	}
}

type Waiter = () => void;

/** Events collected so far, with deadline-bounded waits on them. */
class EventLog {
	readonly events: SseEvent[] = [];
	#waiters = new Set<Waiter>();

	add(event: SseEvent) {
		this.events.push(event);
		this.notify();
	}

	notify() {
		for (const wake of [...this.#waiters]) wake();
	}

	/** Resolves once `done(events)` holds; rejects after `timeoutMs` (or when `gaveUp()` says so). */
	until(done: (events: SseEvent[]) => boolean, timeoutMs: number, what: string, gaveUp: () => string | null = () => null): Promise<SseEvent[]> {
		return new Promise((resolve, reject) => {
			const check = () => {
				if (done(this.events)) {
					finish();
					resolve(this.events);
					return;
				}
				const reason = gaveUp();
				if (reason) {
					finish();
					reject(new Error(`${what}: ${reason} (got ${describe(this.events)})`));
				}
			};
			const timer = setTimeout(() => {
				finish();
				reject(new Error(`${what}: not within ${timeoutMs} ms (got ${describe(this.events)})`));
			}, timeoutMs);
			const finish = () => {
				clearTimeout(timer);
				this.#waiters.delete(check);
			};
			this.#waiters.add(check);
			check();
		});
	}
}

function describe(events: SseEvent[]): string {
	const shown = events.slice(-8).map((e) => `${e.type}${e.id ? `#${e.id}` : ''}`);
	return `${events.length} events${events.length > 8 ? ', last: …' : ': '}${shown.join(', ')}`;
}

export interface OpenOptions {
	headers?: Record<string, string>;
	/** Sent as Last-Event-ID when not empty, as EventSource does. */
	lastEventId?: string;
	/** Until the response headers arrive. */
	connectTimeoutMs?: number;
	connection?: number;
	onEvent?: (event: SseEvent) => void;
}

export type EndReason = 'eof' | 'aborted' | 'error';

/** One SSE connection: no reconnecting. */
export class SseConnection {
	readonly log = new EventLog();
	readonly parser: SseParser;
	/** Resolves when the stream is over, with why. */
	ended: Promise<EndReason> = Promise.resolve('eof');
	status = 0;
	endReason: EndReason | null = null;
	error: Error | null = null;
	#abort = new AbortController();

	private constructor(lastEventId: string) {
		this.parser = new SseParser(lastEventId);
	}

	get events(): SseEvent[] {
		return this.log.events;
	}

	get lastEventId(): string {
		return this.parser.lastEventId;
	}

	/** Connects; resolves once the response headers are in (rejects on network errors or timeout). */
	static async open(url: string, options: OpenOptions = {}): Promise<SseConnection> {
		const connection = new SseConnection(options.lastEventId ?? '');
		const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache', ...options.headers };
		if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
		const timer = setTimeout(() => connection.#abort.abort(new Error('connect timeout')), options.connectTimeoutMs ?? 5_000);
		let response: Response;
		try {
			response = await fetch(url, { headers, signal: connection.#abort.signal });
		} finally {
			clearTimeout(timer);
		}
		connection.status = response.status;
		const body = response.body;
		connection.ended = (async (): Promise<EndReason> => {
			if (!body) return 'eof';
			const reader = body.getReader();
			try {
				for (;;) {
					const { done, value } = await reader.read();
					if (done) return 'eof';
					for (const event of connection.parser.push(value, options.connection ?? 1)) {
						options.onEvent?.(event);
						connection.log.add(event);
					}
				}
			} catch (error) {
				if (connection.#abort.signal.aborted) return 'aborted';
				connection.error = error as Error;
				return 'error';
			} finally {
				reader.releaseLock();
			}
		})().then((reason) => {
			connection.endReason = reason;
			connection.log.notify();
			return reason;
		});
		return connection;
	}

	/** Waits for events; fails fast if the stream ends first. */
	until(done: (events: SseEvent[]) => boolean, timeoutMs: number, what: string): Promise<SseEvent[]> {
		return this.log.until(done, timeoutMs, what, () => (this.endReason ? `stream ended (${this.endReason})` : null));
	}

	/** Cuts the connection, as a dropped network or a closed tab would. */
	async close(): Promise<void> {
		this.#abort.abort();
		await this.ended;
	}
}

export interface ReconnectOptions {
	headers?: Record<string, string>;
	lastEventId?: string;
	/** Caps the server's `retry:` so tests stay quick; EventSource would use it as is. */
	maxRetryMs?: number;
	/** Gives up reconnecting after this many connections or this long. */
	maxConnections?: number;
	deadlineMs?: number;
}

/**
 * An EventSource-like client: reconnects whenever the stream ends or cannot be reached,
 * sending the last event id it saw, until closed or out of attempts/time.
 */
export class ReconnectingSse {
	readonly log = new EventLog();
	readonly failures: string[] = [];
	connections = 0;
	lastEventId: string;
	#current: SseConnection | null = null;
	#closed = false;
	#loop: Promise<void> | null = null;
	#wake: (() => void) | null = null;
	#gaveUp: string | null = null;

	constructor(
		readonly url: string,
		readonly options: ReconnectOptions = {}
	) {
		this.lastEventId = options.lastEventId ?? '';
	}

	get events(): SseEvent[] {
		return this.log.events;
	}

	start(): this {
		this.#loop ??= this.#run();
		return this;
	}

	async #run() {
		const { maxConnections = 100, deadlineMs = 60_000, maxRetryMs = 2_000 } = this.options;
		const deadline = Date.now() + deadlineMs;
		let retryMs = 2_000;
		while (!this.#closed) {
			if (this.connections >= maxConnections || Date.now() > deadline) {
				this.#gaveUp = `gave up after ${this.connections} connections`;
				this.log.notify();
				return;
			}
			this.connections++;
			try {
				const connection = await SseConnection.open(this.url, {
					headers: this.options.headers,
					lastEventId: this.lastEventId,
					connection: this.connections,
					onEvent: (event) => {
						this.lastEventId = event.lastEventId;
						this.log.add(event);
					}
				});
				this.#current = connection;
				if (connection.status !== 200) {
					// EventSource fails the connection for good on any other status.
					this.failures.push(`HTTP ${connection.status}`);
					await connection.close();
					this.#gaveUp = `HTTP ${connection.status}`;
					this.log.notify();
					return;
				}
				const reason = await connection.ended;
				this.lastEventId = connection.lastEventId;
				if (connection.parser.retryMs !== undefined) retryMs = connection.parser.retryMs;
				this.failures.push(`connection ${this.connections} ended (${reason})`);
			} catch (error) {
				this.failures.push(`connection ${this.connections} failed: ${(error as Error).message}`);
			} finally {
				this.#current = null;
			}
			if (this.#closed) return;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, Math.min(retryMs, maxRetryMs));
				this.#wake = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			this.#wake = null;
		}
	}

	/** Drops the current connection; the client reconnects by itself. */
	async drop(): Promise<void> {
		await this.#current?.close();
	}

	until(done: (events: SseEvent[]) => boolean, timeoutMs: number, what: string): Promise<SseEvent[]> {
		return this.log.until(done, timeoutMs, what, () => this.#gaveUp);
	}

	async close(): Promise<void> {
		this.#closed = true;
		this.#wake?.();
		await this.#current?.close();
		await this.#loop;
	}
}
