import type pg from 'pg';
import type { RealtimeHub } from './hub';

/**
 * Tells the people a user has conversations with, when they are connected themselves, that the
 * user came online or left. Presence is shared with conversation partners only.
 */
export function relayPresence(hub: RealtimeHub, pool: pg.Pool): () => void {
	return hub.onPresenceChange(async (userId, online) => {
		const { rows } = await pool
			.query<{ other_user_id: string }>('select other_user_id from public.conversation_members where user_id = $1', [userId])
			.catch(() => ({ rows: [] as { other_user_id: string }[] }));
		const lastSeen = online ? null : Date.now();
		for (const { other_user_id } of rows) {
			if (hub.presence(other_user_id).online) {
				hub.signal(other_user_id, { type: 'presence', user_id: userId, online, last_seen: lastSeen });
			}
		}
	});
}

/** Whether two users share a conversation: presence and typing go to partners only. */
export async function sharesConversation(pool: pg.Pool, userId: string, otherUserId: string): Promise<boolean> {
	const { rows } = await pool.query('select 1 from public.conversation_members where user_id = $1 and other_user_id = $2 limit 1', [
		userId,
		otherUserId
	]);
	return rows.length > 0;
}
