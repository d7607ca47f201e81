import { getContext, setContext } from 'svelte';
import { RealtimeMessagingService } from './realtime/realtime-service.svelte';
import { sseTransport } from './realtime/sse-transport';
import type { RealtimeTransport } from './realtime/transport';
import type { MessagingSignal } from './schemas';
import { ConversationStore } from './stores/conversation-store.svelte';

export interface RealtimeConfig {
	cursor: number;
	unreadTotal: number;
	transport: 'sse' | 'supabase';
	supabase?: { url: string; anonKey: string };
}

/**
 * The browser side of messaging for one tab: the store and the realtime service feeding it,
 * plus the short-lived signals (who is typing, who is online). Created in the browser only,
 * and handed to components through context, never as a module singleton.
 */
export class MessagingClient {
	readonly store: ConversationStore;
	readonly service: RealtimeMessagingService;
	/** conversation id → when the other member's "typing…" expires (ms since epoch). */
	typing = $state<Record<string, number>>({});
	presence = $state<Record<string, { online: boolean; last_seen: number | null }>>({});

	constructor(options: { me: string; config: RealtimeConfig; transport?: RealtimeTransport; onResync: () => void }) {
		this.store = new ConversationStore({ me: options.me, unreadTotal: options.config.unreadTotal });
		this.service = new RealtimeMessagingService({
			transport: options.transport ?? sseTransport(),
			cursor: options.config.cursor,
			onEvent: (event) => {
				this.store.applyEvent(event);
				// A message from someone ends their typing indicator.
				if (event.type === 'message.created' && event.payload.message.sender_id !== options.me) delete this.typing[event.conversation_id];
			},
			onSignal: (signal) => this.#signal(signal),
			onResync: options.onResync
		});
	}

	#signal(signal: MessagingSignal) {
		if (signal.type === 'typing') this.typing[signal.conversation_id] = signal.until;
		else this.presence[signal.user_id] = { online: signal.online, last_seen: signal.last_seen };
	}

	start() {
		this.service.start();
	}

	stop() {
		this.service.stop();
	}
}

const CONTEXT = Symbol('bazaar-messaging-client');

/** Holder whose `client` is set once the browser has one (null during server rendering and when signed out). */
export interface MessagingClientHolder {
	client: MessagingClient | null;
}

export function setMessagingClientHolder(holder: MessagingClientHolder) {
	setContext(CONTEXT, holder);
}

export function messagingClientHolder(): MessagingClientHolder | undefined {
	return getContext<MessagingClientHolder | undefined>(CONTEXT);
}
