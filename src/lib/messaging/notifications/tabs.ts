/**
 * The member's tabs of one browser agree on who draws attention to a message. Each tab runs its
 * own feed and notifier, so without this every hidden tab showed its own system notification of
 * each message, and did so even while another tab had the conversation on screen.
 *
 * A tab that is shown holds a shared Web Lock; a hidden tab asks, under an exclusive lock,
 * whether any tab holds it and whether another tab already showed this message, and records that
 * it does. Locks end with their tab, so a closed or crashed tab never keeps the others quiet.
 * Where a browser has no Web Locks (or no storage), each tab decides alone, as before.
 */
export interface NotificationTabs {
	/** Tells the other tabs while this one is shown; returns the stop. */
	follow(isHidden: () => boolean, onChange: (listener: () => void) => () => void): () => void;
	/** Whether this tab should show the notification of message `id`: no tab is shown and no other tab showed it. */
	claim(id: string): Promise<boolean>;
}

const SHOWN = 'bazaar-messaging:tab-shown';
const NOTIFY = 'bazaar-messaging:notify';
const NOTIFIED = 'bazaar-messaging:notified';
/** Message ids remembered as notified: far more than arrive while tabs catch up with one another. */
const REMEMBERED = 200;

function notified(storage: Storage): string[] {
	try {
		const list: unknown = JSON.parse(storage.getItem(NOTIFIED) ?? '[]');
		return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
	} catch {
		return [];
	}
}

export function browserNotificationTabs(): NotificationTabs | null {
	if (typeof navigator === 'undefined' || !navigator.locks || typeof localStorage === 'undefined') return null;
	const locks = navigator.locks;
	return {
		follow(isHidden, onChange) {
			let release: (() => void) | null = null;
			const update = () => {
				if (!isHidden() && !release) {
					const held = new Promise<void>((resolve) => (release = resolve));
					void locks.request(SHOWN, { mode: 'shared' }, () => held).catch(() => {});
				} else if (isHidden() && release) {
					release();
					release = null;
				}
			};
			update();
			const stop = onChange(update);
			return () => {
				stop();
				release?.();
				release = null;
			};
		},
		async claim(id) {
			try {
				return await locks.request(NOTIFY, async () => {
					const { held = [], pending = [] } = await locks.query();
					if ([...held, ...pending].some((lock) => lock.name === SHOWN)) return false;
					const ids = notified(localStorage);
					if (ids.includes(id)) return false;
					localStorage.setItem(NOTIFIED, JSON.stringify([...ids, id].slice(-REMEMBERED)));
					return true;
				});
			} catch {
				// Storage full or refused: this tab decides alone.
				return true;
			}
		}
	};
}
