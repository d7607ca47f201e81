import type pg from 'pg';
import type { RealtimeHub } from './hub.js';
import { presenceWatchers } from './signal-recipients.js';

/** Tells a user's conversation partners who are connected themselves that the user came online or left. */
export function relayPresence(hub: RealtimeHub, pool: pg.Pool): () => void {
	return hub.onPresenceChange(async (userId, online) => {
		const watchers = await presenceWatchers(pool, userId).catch(() => [] as string[]);
		const lastSeen = online ? null : Date.now();
		for (const watcher of watchers) {
			if (hub.presence(watcher).online) hub.signal(watcher, { type: 'presence', user_id: userId, online, last_seen: lastSeen });
		}
	});
}
