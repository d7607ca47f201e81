/**
 * The member's tabs of one browser agree on who draws attention to a message. Each tab runs its
 * own feed and notifier, so without this every hidden tab showed its own system notification of
 * each message, and did so even while another tab had the conversation on screen.
 *
 * A tab that is shown holds a shared Web Lock; a hidden tab asks whether any tab holds it, then
 * records the message in IndexedDB unless another tab already did. Locks end with their tab, so
 * a closed or crashed tab never keeps the others quiet. Where a browser has no Web Locks (or no
 * IndexedDB), each tab decides alone, as before.
 */
export interface NotificationTabs {
	/** Tells the other tabs while this one is shown; returns the stop. */
	follow(isHidden: () => boolean, onChange: (listener: () => void) => () => void): () => void;
	/** Whether this tab should show the notification of message `id`: no tab is shown and no other tab showed it. */
	claim(id: string): Promise<boolean>;
}

const SHOWN = 'bazaar-messaging:tab-shown';
const DATABASE = 'bazaar-messaging-notifications';
const NOTIFIED = 'notified';
/** Message ids remembered as notified: far more than arrive while tabs catch up with one another. */
const REMEMBERED = 200;

function openNotified(): Promise<IDBDatabase> {
	const opening = indexedDB.open(DATABASE, 1);
	opening.onupgradeneeded = () => opening.result.createObjectStore(NOTIFIED).createIndex('at', '');
	return new Promise((resolve, reject) => {
		opening.onsuccess = () => resolve(opening.result);
		opening.onerror = () => reject(opening.error);
	});
}

/**
 * Records `id` as notified unless a tab already did, in one readwrite transaction: such
 * transactions on one store run one after another across tabs, so exactly one tab sees the id
 * missing. (localStorage could not do this: Chromium gives each tab its own copy and sends writes
 * to the others later, so two tabs both found the id missing about one time in three.)
 */
async function recordFirst(database: IDBDatabase, id: string): Promise<boolean> {
	const transaction = database.transaction(NOTIFIED, 'readwrite');
	const store = transaction.objectStore(NOTIFIED);
	const finished = new Promise<void>((resolve, reject) => {
		transaction.oncomplete = () => resolve();
		transaction.onabort = transaction.onerror = () => reject(transaction.error);
	});
	let first = false;
	store.getKey(id).onsuccess = function () {
		if (this.result !== undefined) return;
		first = true;
		store.put(Date.now(), id);
		store.count().onsuccess = function () {
			let excess = this.result - REMEMBERED;
			if (excess <= 0) return;
			store.index('at').openCursor().onsuccess = function () {
				const cursor = this.result;
				if (!cursor || excess-- <= 0) return;
				cursor.delete();
				cursor.continue();
			};
		};
	};
	await finished;
	return first;
}

export function browserNotificationTabs(): NotificationTabs | null {
	if (typeof navigator === 'undefined' || !navigator.locks || typeof indexedDB === 'undefined') return null;
	const locks = navigator.locks;
	let database: Promise<IDBDatabase> | null = null;
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
			const { held = [], pending = [] } = await locks.query();
			if ([...held, ...pending].some((lock) => lock.name === SHOWN)) return false;
			try {
				database ??= openNotified();
				return await recordFirst(await database, id);
			} catch {
				// Storage refused (a private window's quota, a blocked upgrade): this tab decides alone.
				database = null;
				return true;
			}
		}
	};
}
