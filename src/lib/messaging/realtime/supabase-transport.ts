import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../../database.types';
import { messagingErrorFrom } from '../errors';
import { MessagingSignal, RealtimePoke, TabSyncResult } from '../schemas';
import type { ConversationWatch, RealtimeTransport, TransportHandlers } from './transport';

const TYPING_MS = 5000;

interface Watched extends ConversationWatch {
	/** Thread components watching it; the channels go when the last one stops. */
	count: number;
	typing: RealtimeChannel | null;
	partner: RealtimeChannel | null;
}

/**
 * Supabase mode, on private channels authorised by the policies on realtime.messages
 * (messaging_realtime_parity):
 * - user:<me> carries pushes without content, the newest event id only; the service then
 *   catches up through sync_since, so no message text is ever stored in realtime.messages.
 *   Supabase does not guarantee delivery either way: every (re)connect starts with a catch-up.
 * - presence:<me> is where this tab tracks that the user is online; while a thread is open, the
 *   other member's presence:<id> is watched, and conversation:<id> carries typing both ways.
 * Every channel is joined again after a reconnect. Create the browser client with
 * `realtime: { worker: true }` so heartbeats keep running in background tabs.
 */
export function supabaseTransport(options: { supabase: SupabaseClient<Database>; userId: string }): RealtimeTransport {
	const { supabase, userId } = options;
	let handlers: TransportHandlers | null = null;
	let feed: RealtimeChannel | null = null;
	let ownPresence: RealtimeChannel | null = null;
	const watched = new Map<string, Watched>();
	/** Partners' last known presence, so only changes become signals. */
	const online = new Map<string, boolean>();

	const remove = (channel: RealtimeChannel | null) => {
		if (channel) void supabase.removeChannel(channel);
		return null;
	};

	function signal(value: MessagingSignal) {
		handlers?.signal(value);
	}

	function join(watch: Watched) {
		const typing = supabase.channel(`conversation:${watch.conversationId}`, { config: { private: true } });
		typing.on('broadcast', { event: 'typing' }, ({ payload }) => {
			const parsed = MessagingSignal.safeParse(payload);
			if (parsed.success && parsed.data.type === 'typing' && parsed.data.user_id === watch.otherUserId) signal(parsed.data);
		});
		watch.typing = typing.subscribe();

		const other = watch.otherUserId;
		const partner = supabase.channel(`presence:${other}`, { config: { private: true } });
		partner.on('presence', { event: 'sync' }, () => {
			const now = Object.prototype.hasOwnProperty.call(partner.presenceState(), other);
			if (now === (online.get(other) ?? false)) return;
			online.set(other, now);
			signal({ type: 'presence', user_id: other, online: now, last_seen: now ? null : Date.now() });
		});
		watch.partner = partner.subscribe();
	}

	function leave(watch: Watched) {
		watch.typing = remove(watch.typing);
		watch.partner = remove(watch.partner);
	}

	function close() {
		handlers = null;
		feed = remove(feed);
		ownPresence = remove(ownPresence);
		// What is watched stays watched: the next connect joins it again.
		for (const watch of watched.values()) leave(watch);
		online.clear();
	}

	return {
		connect(_cursor: number, next: TransportHandlers) {
			close();
			handlers = next;
			const current = supabase.channel(`user:${userId}`, { config: { private: true } });
			feed = current;
			current.on('broadcast', { event: 'events' }, ({ payload }) => {
				const poke = RealtimePoke.safeParse(payload);
				if (poke.success) next.behind(poke.data.cursor);
			});
			current.subscribe((status) => {
				if (feed !== current) return;
				if (status === 'SUBSCRIBED') next.open();
				else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') next.error(status);
			});

			const presence = supabase.channel(`presence:${userId}`, { config: { private: true, presence: { key: userId } } });
			ownPresence = presence;
			presence.subscribe((status) => {
				if (ownPresence === presence && status === 'SUBSCRIBED') void presence.track({ online_at: new Date().toISOString() });
			});
			for (const watch of watched.values()) join(watch);
		},
		close,
		async sync(cursor: number) {
			const { data, error } = await supabase.rpc('sync_since', { p_cursor: cursor, p_limit: 500 });
			// A session signed out elsewhere is refused as not_authenticated, which the service stops for.
			if (error) throw messagingErrorFrom(error) ?? new Error(error.message);
			return TabSyncResult.parse(data);
		},
		watchConversation({ conversationId, otherUserId }: ConversationWatch) {
			let watch = watched.get(conversationId);
			if (!watch) {
				watch = { conversationId, otherUserId, count: 0, typing: null, partner: null };
				watched.set(conversationId, watch);
				if (handlers) join(watch);
			}
			watch.count++;
			const stopping = watch;
			let stopped = false;
			return () => {
				if (stopped) return;
				stopped = true;
				if (--stopping.count > 0) return;
				leave(stopping);
				watched.delete(conversationId);
				online.delete(otherUserId);
			};
		},
		async sendTyping(conversationId: string, typing: boolean) {
			// Only a watched conversation has a channel this user may use (not across a block).
			const channel = watched.get(conversationId)?.typing;
			if (!channel) return;
			const signal: MessagingSignal = { type: 'typing', conversation_id: conversationId, user_id: userId, until: typing ? Date.now() + TYPING_MS : 0 };
			await channel.send({ type: 'broadcast', event: 'typing', payload: signal });
		}
	};
}
