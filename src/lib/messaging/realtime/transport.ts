import type { MessagingEvent, MessagingSignal, SyncResult } from '../schemas';

export interface TransportHandlers {
	/** The transport is connected and relaying live events. */
	open(): void;
	event(event: MessagingEvent): void;
	signal(signal: MessagingSignal): void;
	/** The server cannot catch this client up (cursor too old): reload from scratch. */
	resync(): void;
	/** The connection failed or dropped; the service decides when to try again. */
	error(reason: string): void;
}

/** A live feed of the signed-in user's events: SSE in plain-PostgreSQL mode, Supabase Realtime otherwise. */
export interface RealtimeTransport {
	connect(cursor: number, handlers: TransportHandlers): void;
	close(): void;
	/** Events after the cursor, from the log: the catch-up every (re)connect starts with. */
	sync(cursor: number): Promise<SyncResult>;
	/** Tells the other member of a conversation that this user is typing. */
	sendTyping(conversationId: string): Promise<void>;
	/**
	 * Receives the other member's typing while a thread is open; returns the way to stop. SSE
	 * needs nothing (the server pushes typing down the user's stream); Supabase joins the
	 * conversation's channel.
	 */
	watchConversation(conversationId: string): () => void;
}
