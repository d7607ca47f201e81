import type { MessagingEvent, MessagingSignal, SyncResult } from '$lib/messaging/schemas';
import type { RealtimeHub } from './hub';

export interface EventStreamOptions {
	userId: string;
	/** The last event id the client has (Last-Event-ID or ?cursor). */
	cursor: number;
	hub: RealtimeHub;
	syncSince(cursor: number): Promise<SyncResult>;
	heartbeatMs?: number;
	log?: (line: string) => void;
}

const encoder = new TextEncoder();

const frame = (event: string, data: unknown, id?: number) =>
	encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/**
 * A Server-Sent Events stream of one user's events. It subscribes to the hub first, then
 * catches up from the cursor, then relays live events, so nothing committed after the
 * cursor is missed and nothing is written twice: ids only ever move forward, and a gap in
 * the live feed triggers another catch-up. Only this user's events reach it.
 */
export function messagingEventStream(options: EventStreamOptions): ReadableStream<Uint8Array> {
	const { userId, hub, syncSince, heartbeatMs = 15_000, log = () => {} } = options;
	let sent = options.cursor;
	let closed = false;
	let catchingUp: Promise<void> | null = null;
	let again = false;
	let pending: MessagingEvent[] = [];
	let cleanup = () => {};

	return new ReadableStream<Uint8Array>({
		start(controller) {
			const write = (chunk: Uint8Array) => {
				if (closed) return;
				try {
					controller.enqueue(chunk);
				} catch {
					close();
				}
			};
			const deliver = (event: MessagingEvent) => {
				if (event.id <= sent) return;
				sent = event.id;
				write(frame(event.type, event, event.id));
			};
			const catchUp = (): Promise<void> => {
				if (catchingUp) {
					again = true;
					return catchingUp;
				}
				catchingUp = (async () => {
					do {
						again = false;
						for (;;) {
							const result = await syncSince(sent);
							if (closed) return;
							if (result.resync) {
								write(frame('resync', { cursor: result.cursor }));
								sent = result.cursor;
								break;
							}
							for (const event of result.events) deliver(event);
							if (!result.has_more) break;
						}
					} while (again && !closed);
				})()
					.catch((error: Error) => {
						log(`catch-up failed for ${userId}: ${error.message}`);
						write(frame('error', { message: 'Could not catch up; reconnecting.' }));
						close();
					})
					.finally(() => {
						catchingUp = null;
						// Live events that arrived during the catch-up, in order; a gap among them starts another catch-up.
						const buffered = pending;
						pending = [];
						for (const event of buffered) onLive(event);
					});
				return catchingUp;
			};
			const onLive = (event: MessagingEvent) => {
				if (catchingUp) {
					pending.push(event);
				} else if (event.id === sent + 1 || event.id <= sent) {
					deliver(event);
				} else {
					// A gap: an event we never saw live (dropped notification). Fetch from the log.
					void catchUp();
				}
			};

			const unsubscribe = hub.subscribe(userId, {
				event: onLive,
				signal: (signal: MessagingSignal) => write(frame(signal.type, signal)),
				resume: () => void catchUp()
			});
			const heartbeat = setInterval(() => write(encoder.encode(`: heartbeat ${Date.now()}\n\n`)), heartbeatMs);
			const close = () => {
				if (closed) return;
				closed = true;
				clearInterval(heartbeat);
				unsubscribe();
				try {
					controller.close();
				} catch {
					// already closed by the client
				}
			};
			cleanup = close;

			// Tell EventSource how long to wait before reconnecting, then start from the cursor.
			write(encoder.encode(`retry: 2000\n: connected\n\n`));
			void catchUp().then(() => write(frame('live', { cursor: sent })));
		},
		cancel() {
			cleanup();
		}
	});
}
