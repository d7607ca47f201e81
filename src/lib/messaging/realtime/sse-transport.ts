import { MessagingEvent, MessagingSignal, SyncResult } from '../schemas';
import type { RealtimeTransport, TransportHandlers } from './transport';

const EVENT_TYPES = ['message.created', 'message.updated', 'read', 'conversation.updated', 'block.updated'] as const;
const SIGNAL_TYPES = ['typing', 'presence'] as const;

/**
 * Plain-PostgreSQL mode: the server's /messages/stream (Server-Sent Events). Reconnection is
 * the service's job, with backoff and a catch-up first, so EventSource's own retry is cut short.
 */
export function sseTransport(options: { base?: string; fetch?: typeof fetch } = {}): RealtimeTransport {
	const base = options.base ?? '/messages';
	const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
	let source: EventSource | null = null;

	return {
		connect(cursor: number, handlers: TransportHandlers) {
			source?.close();
			const current = new EventSource(`${base}/stream?cursor=${cursor}`);
			source = current;
			const parse = (data: string) => {
				try {
					return JSON.parse(data) as unknown;
				} catch {
					return null;
				}
			};
			current.addEventListener('live', () => handlers.open());
			for (const type of EVENT_TYPES) {
				current.addEventListener(type, (message) => {
					const event = MessagingEvent.safeParse(parse((message as MessageEvent<string>).data));
					if (event.success) handlers.event(event.data);
				});
			}
			for (const type of SIGNAL_TYPES) {
				current.addEventListener(type, (message) => {
					const signal = MessagingSignal.safeParse(parse((message as MessageEvent<string>).data));
					if (signal.success) handlers.signal(signal.data);
				});
			}
			current.addEventListener('resync', () => handlers.resync());
			current.addEventListener('error', () => {
				if (source !== current) return;
				current.close();
				source = null;
				handlers.error('stream closed');
			});
		},
		close() {
			source?.close();
			source = null;
		},
		async sync(cursor: number) {
			const response = await fetchImpl(`${base}/sync?cursor=${cursor}`, { headers: { accept: 'application/json' } });
			if (!response.ok) throw new Error(`sync failed: ${response.status}`);
			return SyncResult.parse(await response.json());
		},
		watchConversation() {
			return () => {};
		},
		async sendTyping(conversationId: string) {
			await fetchImpl(`${base}/typing`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ conversation_id: conversationId })
			});
		}
	};
}
