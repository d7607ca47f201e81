import { describe, expect, it, vi } from 'vitest';
import {
	BrowserNotifications,
	type NotificationApi,
	type NotificationEnvironment,
	type ShownNotification
} from '../../src/lib/messaging/notifications/browser-notifications.svelte.ts';
import type { MessagingEvent, RealtimeSession } from '../../src/lib/messaging/schemas/index.ts';
import { MessagingClient } from '../../src/lib/messaging/state/messaging-client.svelte.ts';
import { CONVERSATION, KEY, ME, at, message, messageEvent, messageId, preview, readEvent, readState } from '../support/rows.ts';

/**
 * The notifier against a fake browser: a Notification constructor that records what it shows,
 * a document whose title and visibility the test sets, and a navigator that records where a
 * click went. Then the tab's client feeding it, as the realtime feed does.
 */

interface Shown extends ShownNotification {
	title: string;
	options?: NotificationOptions;
	closed: boolean;
}

function fakeBrowser(options: { permission?: NotificationPermission; answer?: NotificationPermission; supported?: boolean } = {}) {
	const shown: Shown[] = [];
	const visible = new Set<() => void>();
	const permissionChanged = new Set<() => void>();
	const browser = {
		permission: options.permission ?? 'granted',
		hidden: true,
		title: 'Messages · Bazaar',
		requests: 0,
		shown,
		navigated: [] as string[],
		focused: 0,
		now: new Date(at(0)),
		show() {
			browser.hidden = false;
			for (const listener of visible) listener();
		},
		changePermission(permission: NotificationPermission) {
			browser.permission = permission;
			for (const listener of permissionChanged) listener();
		},
		listeners: () => visible.size + permissionChanged.size
	};
	const FakeNotification = class implements Shown {
		onclick: ((event: Event) => void) | null = null;
		closed = false;
		constructor(
			readonly title: string,
			readonly options?: NotificationOptions
		) {
			shown.push(this);
		}
		close() {
			this.closed = true;
		}
		static get permission() {
			return browser.permission;
		}
		static async requestPermission() {
			browser.requests++;
			browser.permission = options.answer ?? 'granted';
			return browser.permission;
		}
	} satisfies NotificationApi;
	const environment: NotificationEnvironment = {
		notification: options.supported === false ? null : FakeNotification,
		isHidden: () => browser.hidden,
		getTitle: () => browser.title,
		setTitle: (title) => (browser.title = title),
		onVisible(listener) {
			visible.add(listener);
			return () => visible.delete(listener);
		},
		onPermissionChange(listener) {
			permissionChanged.add(listener);
			return () => permissionChanged.delete(listener);
		},
		focus: () => browser.focused++,
		navigate: (url) => browser.navigated.push(url),
		now: () => browser.now
	};
	return { browser, environment };
}

const notice = (event: MessagingEvent, overrides: Partial<Parameters<BrowserNotifications['notice']>[0]> = {}) => ({
	event,
	me: ME,
	mutedUntil: null,
	preference: true,
	unreadTotal: 1,
	basePath: '/messages',
	...overrides
});

function started(options: Parameters<typeof fakeBrowser>[0] = {}) {
	const { browser, environment } = fakeBrowser(options);
	const notifications = new BrowserNotifications({ environment: () => environment });
	const stop = notifications.start();
	return { browser, notifications, stop };
}

describe('BrowserNotifications', () => {
	it('a message in a hidden tab: the title carries the count and a notification names the sender', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message()), { unreadTotal: 3 }));
		expect(browser.title).toBe('(3) Messages · Bazaar');
		expect(browser.shown).toHaveLength(1);
		expect(browser.shown[0].title).toBe('Alice · Oak chair');
		expect(browser.shown[0].options).toMatchObject({ body: 'Is it still available?', tag: CONVERSATION });
	});

	it('clicking the notification focuses the tab, opens the conversation and closes it', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message())));
		browser.shown[0].onclick!(new Event('click'));
		expect(browser.focused).toBe(1);
		expect(browser.navigated).toEqual([`/messages?conversation=${KEY}`]);
		expect(browser.shown[0].closed).toBe(true);
	});

	it('the count follows each message and the page’s title comes back when the tab is shown', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message()), { unreadTotal: 1 }));
		notifications.notice(notice(messageEvent(message({ id: messageId(2) })), { unreadTotal: 2 }));
		expect(browser.title).toBe('(2) Messages · Bazaar');
		browser.show();
		expect(browser.title).toBe('Messages · Bazaar');
	});

	it('a read in another tab brings the count down, and at 0 the title is the page’s again', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message()), { unreadTotal: 2 }));
		notifications.notice(notice(readEvent(readState({ unread_count: 0 }), { unreadTotal: 1 }), { unreadTotal: 1 }));
		expect(browser.title).toBe('(1) Messages · Bazaar');
		notifications.notice(notice(readEvent(readState({ unread_count: 0 }), { unreadTotal: 0 }), { unreadTotal: 0 }));
		expect(browser.title).toBe('Messages · Bazaar');
	});

	it('a title the page changed meanwhile is left as the page set it', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message())));
		browser.title = 'Oak chair · Bazaar';
		browser.show();
		expect(browser.title).toBe('Oak chair · Bazaar');
	});

	it('a visible tab: neither count nor notification', () => {
		const { browser, notifications } = started();
		browser.hidden = false;
		notifications.notice(notice(messageEvent(message())));
		expect(browser.title).toBe('Messages · Bazaar');
		expect(browser.shown).toHaveLength(0);
	});

	it('a muted conversation stays quiet until its mute ends', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message()), { mutedUntil: 'infinity' }));
		notifications.notice(notice(messageEvent(message()), { mutedUntil: at(60) }));
		expect(browser.shown).toHaveLength(0);
		expect(browser.title).toBe('Messages · Bazaar');
		browser.now = new Date(at(61));
		notifications.notice(notice(messageEvent(message()), { mutedUntil: at(60) }));
		expect(browser.shown).toHaveLength(1);
	});

	it('with the setting off the title still counts but no notification is shown', () => {
		const { browser, notifications } = started();
		notifications.notice(notice(messageEvent(message()), { preference: false }));
		expect(browser.shown).toHaveLength(0);
		expect(browser.title).toBe('(1) Messages · Bazaar');
	});

	it('never asks by itself: with permission "default" a message shows no notification and makes no request', () => {
		const { browser, notifications } = started({ permission: 'default' });
		notifications.notice(notice(messageEvent(message())));
		expect(browser.requests).toBe(0);
		expect(browser.shown).toHaveLength(0);
		expect(notifications.canAsk).toBe(true);
	});

	it('asks on request, and then no longer offers to ask, whatever the answer', async () => {
		const { browser, notifications } = started({ permission: 'default', answer: 'denied' });
		expect(await notifications.request()).toBe('denied');
		expect(browser.requests).toBe(1);
		expect(notifications.permission).toBe('denied');
		expect(notifications.canAsk).toBe(false);
	});

	it('follows a permission changed in the browser’s site settings', () => {
		const { browser, notifications } = started({ permission: 'denied' });
		browser.changePermission('granted');
		expect(notifications.permission).toBe('granted');
		notifications.notice(notice(messageEvent(message())));
		expect(browser.shown).toHaveLength(1);
	});

	it('a browser without the API: "unsupported", no request possible, the title still counts', async () => {
		const { browser, notifications } = started({ supported: false });
		expect(notifications.permission).toBe('unsupported');
		expect(notifications.canAsk).toBe(false);
		expect(await notifications.request()).toBe('unsupported');
		notifications.notice(notice(messageEvent(message())));
		expect(browser.title).toBe('(1) Messages · Bazaar');
	});

	it('a constructor that throws (Chrome on Android) costs nothing but the notification', () => {
		const { browser, environment } = fakeBrowser();
		const Throwing = Object.assign(
			function () {
				throw new TypeError('Illegal constructor');
			},
			{ permission: 'granted' as const, requestPermission: async () => 'granted' as const }
		) as unknown as NotificationApi;
		const notifications = new BrowserNotifications();
		notifications.start({ ...environment, notification: Throwing });
		expect(() => notifications.notice(notice(messageEvent(message())))).not.toThrow();
		expect(browser.title).toBe('(1) Messages · Bazaar');
	});

	it('on the server (no browser) it reads nothing and does nothing', () => {
		const notifications = new BrowserNotifications({ environment: () => null });
		notifications.start();
		expect(notifications.permission).toBe('unknown');
		expect(() => notifications.notice(notice(messageEvent(message())))).not.toThrow();
	});

	it('stopping restores the title and lets go of the browser’s events', () => {
		const { browser, notifications, stop } = started();
		notifications.notice(notice(messageEvent(message())));
		stop();
		expect(browser.title).toBe('Messages · Bazaar');
		expect(browser.listeners()).toBe(0);
		notifications.notice(notice(messageEvent(message())));
		expect(browser.shown).toHaveLength(1);
	});
});

describe('MessagingClient feeding the notifier', () => {
	const session = (browserNotifications: boolean): RealtimeSession => ({
		me: ME,
		cursor: 0,
		unreadTotal: 0,
		transport: 'sse',
		preferences: { email_digests: true, browser_notifications: browserNotifications }
	});

	function client(options: { browserNotifications?: boolean; previews?: ReturnType<typeof preview>[] } = {}) {
		const { browser, environment } = fakeBrowser();
		const messaging = new MessagingClient({ basePath: '/messages' });
		const current = session(options.browserNotifications ?? true);
		messaging.showPage({ session: current, filter: 'all', inbox: { previews: options.previews ?? [], next: null }, opened: null });
		// What followSession keeps: the layout's session as its loads bring it.
		vi.spyOn(messaging, 'preferences', 'get').mockImplementation(() => current.preferences!);
		messaging.notifications.start(environment);
		return { browser, messaging };
	}

	it('a message from the other member: the inbox’s new total in the title, and a notification', () => {
		const { browser, messaging } = client();
		messaging.applyEvent(messageEvent(message(), { preview: { unread_count: 1 }, unreadTotal: 4 }));
		expect(browser.title).toBe('(4) Messages · Bazaar');
		expect(browser.shown.map((n) => n.title)).toEqual(['Alice · Oak chair']);
	});

	it('the member’s setting off: no notification', () => {
		const { browser, messaging } = client({ browserNotifications: false });
		messaging.applyEvent(messageEvent(message(), { unreadTotal: 1 }));
		expect(browser.shown).toHaveLength(0);
	});

	it('muted as the event’s preview says: quiet', () => {
		const { browser, messaging } = client();
		messaging.applyEvent(messageEvent(message(), { preview: { muted_until: 'infinity' }, unreadTotal: 0 }));
		expect(browser.shown).toHaveLength(0);
		expect(browser.title).toBe('Messages · Bazaar');
	});

	it('an event without a preview takes the mute from the inbox', () => {
		const { browser, messaging } = client({ previews: [preview({ muted_until: 'infinity' })] });
		messaging.applyEvent(messageEvent(message(), { preview: null, unreadTotal: 0 }));
		expect(browser.shown).toHaveLength(0);
	});

	it('the member’s own message from another device: quiet', () => {
		const { browser, messaging } = client();
		messaging.applyEvent(messageEvent(message({ sender_id: ME, sender_display_name: 'Me' }), { preview: { last_message_sender_id: ME } }));
		expect(browser.shown).toHaveLength(0);
	});

	it('without preferences from a session, notifications are on, as the database starts them', () => {
		expect(new MessagingClient().preferences).toEqual({ email_digests: true, browser_notifications: true });
	});
});
