import { goto } from '$app/navigation';
import { isMuted } from '../mute';
import { unreadTotalOf, type MessagingEvent } from '../schemas';
import {
	arrivalFromOther,
	baseTitle,
	notificationContent,
	shouldCountInTitle,
	shouldNotify,
	titleWithCount,
	type NotificationContent,
	type NotificationPermissionState
} from './decide';
import { browserNotificationTabs, type NotificationTabs } from './tabs';

/** A notification on screen, as far as this module handles it. */
export interface ShownNotification {
	onclick: ((event: Event) => void) | null;
	close(): void;
}

/** The part of the browser's Notification API used here: the constructor, with the permission on it. */
export interface NotificationApi {
	new (title: string, options?: NotificationOptions): ShownNotification;
	readonly permission: NotificationPermission;
	requestPermission(): Promise<NotificationPermission>;
}

/** What the notifier needs from the browser, injectable so tests can drive it. */
export interface NotificationEnvironment {
	/** null where the browser has no Notification API. */
	notification: NotificationApi | null;
	isHidden(): boolean;
	getTitle(): string;
	setTitle(title: string): void;
	/** Calls back each time the tab is shown again; returns the way to stop. */
	onVisible(listener: () => void): () => void;
	/** Calls back when the member changes the permission in the browser's site settings. */
	onPermissionChange(listener: () => void): () => void;
	focus(): void;
	navigate(url: string): void;
	now(): Date;
	/** The member's other tabs of this browser, which one shows a notification; absent, this tab decides alone. */
	tabs?: NotificationTabs | null;
	/** Calls back at every change of the tab's visibility; returns the way to stop. */
	onVisibilityChange?(listener: () => void): () => void;
}

export function browserNotificationEnvironment(): NotificationEnvironment | null {
	if (typeof window === 'undefined') return null;
	return {
		notification: 'Notification' in window ? window.Notification : null,
		isHidden: () => document.visibilityState !== 'visible',
		getTitle: () => document.title,
		setTitle: (title) => (document.title = title),
		onVisible(listener) {
			const onChange = () => document.visibilityState === 'visible' && listener();
			document.addEventListener('visibilitychange', onChange);
			return () => document.removeEventListener('visibilitychange', onChange);
		},
		onVisibilityChange(listener) {
			document.addEventListener('visibilitychange', listener);
			return () => document.removeEventListener('visibilitychange', listener);
		},
		tabs: browserNotificationTabs(),
		onPermissionChange(listener) {
			let status: PermissionStatus | null = null;
			let stopped = false;
			// Not every browser can watch this permission; those read it again at each message.
			navigator.permissions
				?.query({ name: 'notifications' })
				.then((found) => {
					if (stopped) return;
					status = found;
					found.addEventListener('change', listener);
				})
				.catch(() => {});
			return () => {
				stopped = true;
				status?.removeEventListener('change', listener);
			};
		},
		focus: () => window.focus(),
		navigate: (url) => void goto(url),
		now: () => new Date()
	};
}

export interface Notice {
	event: MessagingEvent;
	me: string | null;
	/** The conversation's mute as the event's preview (else the inbox) has it. */
	mutedUntil: string | null;
	/** The member's "Browser notifications" setting. */
	preference: boolean;
	/** The badge total after the event. */
	unreadTotal: number;
	/** Where the messages page is mounted. */
	basePath: string;
}

/**
 * One per tab: draws the member's attention to messages that arrive while the tab is hidden.
 * The title carries the unread count until the tab is shown again; a system notification
 * (when the member allowed it) opens the conversation when clicked. Permission is asked only by
 * `request()`, which a click on "Turn on notifications" calls. On the server it does nothing.
 */
export class BrowserNotifications {
	#permission = $state<NotificationPermissionState>('unknown');
	#asked = $state(false);
	readonly #environment: () => NotificationEnvironment | null;
	#env: NotificationEnvironment | null = null;
	/** The title as the page set it, and the counted one we put in its place. */
	#counted: { base: string; shown: string } | null = null;
	#stops: (() => void)[] = [];

	constructor(options: { environment?: () => NotificationEnvironment | null } = {}) {
		this.#environment = options.environment ?? browserNotificationEnvironment;
	}

	/** 'unknown' until started in the browser (so server and first render agree). */
	get permission(): NotificationPermissionState {
		return this.#permission;
	}

	/** Whether to offer "Turn on notifications": the browser has not been asked, and nobody clicked it in this tab yet. */
	get canAsk(): boolean {
		return this.#permission === 'default' && !this.#asked;
	}

	/**
	 * In the browser: reads the permission and follows it, and restores the title whenever the
	 * tab is shown. Returns the stop. `environment` replaces the browser's (tests).
	 */
	start(environment?: NotificationEnvironment): () => void {
		this.stop();
		const env = environment ?? this.#environment();
		if (!env) return () => {};
		this.#env = env;
		this.#read();
		this.#stops.push(
			env.onVisible(() => this.#restoreTitle()),
			env.onPermissionChange(() => this.#read())
		);
		if (env.tabs && env.onVisibilityChange) this.#stops.push(env.tabs.follow(env.isHidden, env.onVisibilityChange));
		return () => {
			if (this.#env === env) this.stop();
		};
	}

	stop() {
		for (const stop of this.#stops.splice(0)) stop();
		this.#restoreTitle();
		this.#env = null;
	}

	/** Asks the browser (call it only from a click). The button goes away whatever the answer. */
	async request(): Promise<NotificationPermissionState> {
		const api = this.#env?.notification;
		if (!api) return this.#permission;
		this.#asked = true;
		try {
			this.#permission = await api.requestPermission();
		} catch {
			this.#read();
		}
		return this.#permission;
	}

	/** Every event of the member's feed, after the tab's state took it. */
	notice({ event, me, mutedUntil, preference, unreadTotal, basePath }: Notice) {
		const env = this.#env;
		if (!env) return;
		const attention = { event, me, muted: isMuted(mutedUntil, env.now()), hidden: env.isHidden() };
		// A count already shown follows the total down too (read in another tab), and goes at 0.
		if (shouldCountInTitle(attention) || (this.#counted && attention.hidden && unreadTotalOf(event) !== undefined)) {
			this.#showCount(unreadTotal);
		}
		if (me && arrivalFromOther(event, me) && shouldNotify({ ...attention, permission: this.#read(), preference })) {
			const content = notificationContent(event, { me, basePath });
			// One notification across the member's tabs, and none while one of them is shown.
			if (!env.tabs) this.#show(content);
			else void env.tabs.claim(event.payload.message.id).then((mine) => mine && this.#env === env && this.#show(content));
		}
	}

	#read(): NotificationPermissionState {
		const api = this.#env?.notification;
		this.#permission = this.#env ? (api ? api.permission : 'unsupported') : this.#permission;
		return this.#permission;
	}

	#showCount(count: number) {
		const env = this.#env!;
		if (count <= 0) return this.#restoreTitle();
		const current = env.getTitle();
		// While the count is shown the page's own title is the one we kept, unless the page changed it since.
		const base = this.#counted && current === this.#counted.shown ? this.#counted.base : baseTitle(current);
		const shown = titleWithCount(base, count);
		env.setTitle(shown);
		this.#counted = { base, shown };
	}

	#restoreTitle() {
		const counted = this.#counted;
		this.#counted = null;
		if (counted && this.#env?.getTitle() === counted.shown) this.#env.setTitle(counted.base);
	}

	#show(content: NotificationContent) {
		const env = this.#env!;
		let shown: ShownNotification;
		try {
			shown = new env.notification!(content.title, { body: content.body, tag: content.tag, icon: content.icon, data: { url: content.url } });
		} catch {
			// Chrome on Android allows notifications only through a service worker: the title count remains.
			return;
		}
		shown.onclick = () => {
			env.focus();
			env.navigate(content.url);
			shown.close();
		};
	}
}
