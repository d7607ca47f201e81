import type { MessagingEvent, MessagingSignal, SyncResult } from '../schemas';

/** An open thread's conversation, and whose typing and presence it shows. */
export interface ConversationWatch {
	conversationId: string;
	otherUserId: string;
}

export interface TransportHandlers {
	/** The transport is connected and relaying live events. */
	open(): void;
	event(event: MessagingEvent): void;
	signal(signal: MessagingSignal): void;
	/** The log holds events up to this id, which the transport does not carry itself: catch up to them. */
	behind(cursor: number): void;
	/**
	 * The server cannot catch this client up (cursor too old): reload from scratch. `cursor`: where
	 * the log stands, from which the connection goes on, when the transport says.
	 */
	resync(cursor?: number): void;
	/** The connection failed or dropped; the service decides when to try again. */
	error(reason: string): void;
}

/** A live feed of the signed-in user's events: SSE in plain-PostgreSQL mode, Supabase Realtime otherwise. */
export interface RealtimeTransport {
	connect(cursor: number, handlers: TransportHandlers): void;
	close(): void;
	/** Events after the cursor, from the log: the catch-up every (re)connect starts with. */
	sync(cursor: number): Promise<SyncResult>;
	/** Tells the other member of a conversation that this user is typing, or (false) stopped. */
	sendTyping(conversationId: string, typing: boolean): Promise<void>;
	/**
	 * Receives the other member's typing and presence while a thread is open, across reconnects;
	 * returns the way to stop. SSE asks whether they are online as the thread opens and whenever the stream is live (the server pushes changes and typing down the user's stream);
	 * Supabase joins the conversation's channel and the other member's presence channel.
	 */
	watchConversation(watch: ConversationWatch): () => void;
}
