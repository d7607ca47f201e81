import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { MessagingEvent, MessagingSignal, SyncResult } from '../schemas';
import type { RealtimeTransport, TransportHandlers } from './transport';

/**
 * Supabase mode: the private broadcast channel user:<id>, authorised by the RLS policy on
 * realtime.messages, fed by messaging_publish(). Supabase does not guarantee delivery, so
 * the service catches up with the sync_since RPC on every (re)connect. Typing goes both ways
 * over the open conversation's own channel as broadcast. Create the browser client with
 * `realtime: { worker: true }` so heartbeats keep running in background tabs.
 */
export function supabaseTransport(options: { supabase: SupabaseClient; userId: string }): RealtimeTransport {
	const { supabase, userId } = options;
	let channel: RealtimeChannel | null = null;
	let onSignal: TransportHandlers['signal'] = () => {};
	const typingChannels = new Map<string, RealtimeChannel>();

	// One channel per open conversation, for typing both ways (authorised by the members policy).
	function conversationChannel(conversationId: string): RealtimeChannel {
		let typing = typingChannels.get(conversationId);
		if (!typing) {
			typing = supabase.channel(`conversation:${conversationId}`, { config: { private: true } });
			typing.on('broadcast', { event: 'typing' }, ({ payload }) => {
				const signal = MessagingSignal.safeParse(payload);
				if (signal.success && signal.data.type === 'typing' && signal.data.user_id !== userId) onSignal(signal.data);
			});
			typing.subscribe();
			typingChannels.set(conversationId, typing);
		}
		return typing;
	}

	return {
		connect(_cursor: number, handlers: TransportHandlers) {
			onSignal = handlers.signal;
			if (channel) void supabase.removeChannel(channel);
			const current = supabase.channel(`user:${userId}`, { config: { private: true } });
			channel = current;
			current.on('broadcast', { event: '*' }, ({ payload }) => {
				const event = MessagingEvent.safeParse(payload);
				if (event.success) handlers.event(event.data);
			});
			current.subscribe((status) => {
				if (channel !== current) return;
				if (status === 'SUBSCRIBED') handlers.open();
				else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') handlers.error(status);
			});
		},
		close() {
			if (channel) void supabase.removeChannel(channel);
			channel = null;
			for (const typing of typingChannels.values()) void supabase.removeChannel(typing);
			typingChannels.clear();
		},
		async sync(cursor: number) {
			const { data, error } = await supabase.rpc('sync_since', { p_cursor: cursor, p_limit: 500 });
			if (error) throw new Error(error.message);
			return SyncResult.parse(data);
		},
		watchConversation(conversationId: string) {
			conversationChannel(conversationId);
			return () => {
				const typing = typingChannels.get(conversationId);
				if (typing) void supabase.removeChannel(typing);
				typingChannels.delete(conversationId);
			};
		},
		async sendTyping(conversationId: string) {
			const signal: MessagingSignal = { type: 'typing', conversation_id: conversationId, user_id: userId, until: Date.now() + 5000 };
			await conversationChannel(conversationId).send({ type: 'broadcast', event: 'typing', payload: signal });
		}
	};
}
