import { z } from 'zod';
import type { MessagingApi } from '../api';
import { MESSAGING_EVENT_TYPES, MessagingEvent, MessagingSignal } from '../schemas';
import type { RealtimeTransport, TransportHandlers } from './transport';

const SIGNAL_TYPES = ['typing', 'presence'] as const;
/** The stream's "resync" frame: where the log stands, from which the stream goes on. */
const ResyncFrame = z.object({ cursor: z.number().int().nonnegative() });

/**
 * Plain-PostgreSQL mode: the server's `<messages page>/stream` (Server-Sent Events). Reconnection is
 * the service's job, with backoff and a catch-up first, so EventSource's own retry is cut short.
 */
export function sseTransport(options: { api: MessagingApi }): RealtimeTransport {
	const { api } = options;
	let source: EventSource | null = null;
	let signal: TransportHandlers['signal'] | null = null;
	// Open threads' conversations. The stream says only when someone comes or goes, so whether the
	// other member is online now is asked as a thread opens and again each time the stream is live:
	// a change before that would have reached no stream of ours.
	const watched = new Set<string>();
	// Answers and signals can arrive out of the order they were made in: an answer asked before the
	// member left, after the stream said so, or before a later answer. Each ask and each signal takes
	// the next number, and an answer older than the newest news of its member is dropped: that news
	// already tells what the answer would.
	let news = 0;
	const newestAbout = new Map<string, number>();
	const askPresence = (conversationId: string) => {
		const asked = ++news;
		void api.presence(conversationId).then((presence) => {
			if (!presence || !watched.has(conversationId) || (newestAbout.get(presence.user_id) ?? 0) > asked) return;
			newestAbout.set(presence.user_id, asked);
			signal?.(presence);
		});
	};

	return {
		connect(cursor: number, handlers: TransportHandlers) {
			source?.close();
			const current = new EventSource(api.streamUrl(cursor));
			source = current;
			signal = handlers.signal;
			const parse = (data: string) => {
				try {
					return JSON.parse(data) as unknown;
				} catch {
					return null;
				}
			};
			current.addEventListener('live', () => {
				handlers.open();
				for (const conversationId of watched) askPresence(conversationId);
			});
			for (const type of MESSAGING_EVENT_TYPES) {
				current.addEventListener(type, (message) => {
					const event = MessagingEvent.safeParse(parse((message as MessageEvent<string>).data));
					if (event.success) handlers.event(event.data);
				});
			}
			for (const type of SIGNAL_TYPES) {
				current.addEventListener(type, (message) => {
					const signal = MessagingSignal.safeParse(parse((message as MessageEvent<string>).data));
					if (!signal.success) return;
					if (signal.data.type === 'presence') newestAbout.set(signal.data.user_id, ++news);
					handlers.signal(signal.data);
				});
			}
			current.addEventListener('resync', (message) => {
				const frame = ResyncFrame.safeParse(parse((message as MessageEvent<string>).data));
				handlers.resync(frame.success ? frame.data.cursor : undefined);
			});
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
		sync: (cursor: number) => api.sync(cursor),
		watchConversation({ conversationId }) {
			watched.add(conversationId);
			askPresence(conversationId);
			return () => watched.delete(conversationId);
		},
		sendTyping: (conversationId: string, typing: boolean) => api.typing(conversationId, typing)
	};
}
