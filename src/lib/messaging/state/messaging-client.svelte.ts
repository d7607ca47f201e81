import { untrack } from 'svelte';
import { invalidateAll } from '$app/navigation';
import { MessagingApi } from '../api';
import { BrowserNotifications } from '../notifications/browser-notifications.svelte';
import { RealtimeMessagingService } from '../realtime/realtime-service.svelte';
import { transportFor } from '../realtime/transport-for';
import type { ConversationWatch, RealtimeTransport } from '../realtime/transport';
import type { InboxFilter, MessagingEvent, MessagingPreferences, MessagingSignal, OpenedConversation, PreviewPage, QuickReply, RealtimeSession } from '../schemas';
import { rememberTimeZone } from '../time-zone';
import { forgetOthersDrafts } from './drafts';
import { routeEvent } from './event-router';
import { InboxState } from './inbox.svelte';
import { MemberSettings } from './member-settings.svelte';
import type { MessagingOptions } from './messaging-options';
import { OpenThreads } from './open-threads.svelte';
import { Outbox } from './outbox';
import { forgetOthersPendingSends } from './pending-sends';
import { RecentEvents } from './recent-events';
import { SessionTabs } from './session-tabs';

export { getMessaging, setMessaging } from './messaging-context';

/**
 * The browser side of messaging for one tab: the inbox, the kept threads, the realtime service
 * feeding them, the short-lived signals (who is typing, who is online), and what a hidden tab
 * shows of new messages (title count, notifications). Create it during a layout's
 * initialisation and hand it down with `setMessaging`; on the server it only renders what the
 * page loaded (it starts nothing there), and a new one is made for every request.
 */
export class MessagingClient {
	readonly api: MessagingApi;
	readonly basePath: string;
	readonly productHref: (productId: string) => string;
	readonly siteName: string | null;
	readonly loginHref: (next: string) => string;
	/** The title count and system notifications for messages that arrive while the tab is hidden. */
	readonly notifications = new BrowserNotifications();
	/** conversation id → when the other member's "typing…" expires (ms since epoch). */
	readonly typing = $state<Record<string, number>>({});
	readonly presence = $state<Record<string, { online: boolean; last_seen: number | null }>>({});
	#service = $state.raw<RealtimeMessagingService | null>(null);
	#inbox = $state.raw(new InboxState());
	#threads = $state.raw(new OpenThreads());
	#outbox = $state.raw<Outbox>() as Outbox;
	readonly #settings = new MemberSettings();
	readonly #recent = new RecentEvents();
	#maxThreads: number | undefined;
	/** Whose state this is: a different user starts from nothing, as keys are relative to the viewer. */
	#owner = $state<string | null>(null);
	/** The session the page loaded (the layout's, followed as it reloads), for the member's preferences. */
	#session = $state.raw<(() => RealtimeSession | null) | null>(null);
	#tabs = new SessionTabs();
	/** Another tab of this browser said its member signed out: why this tab's session ended, if it does. */
	#signedOutInAnotherTab = $state(false);
	/** How many sends the outbox keeps, as it last said. */
	#kept = $state(0);
	/** Sign-ins heard of while the session had ended: each starts the feed again. */
	#signIns = $state(0);

	constructor(options: MessagingOptions = {}) {
		this.basePath = (options.basePath ?? '/messages').replace(/\/$/, '');
		this.productHref = options.productHref ?? ((id) => `/products/${id}`);
		this.siteName = options.siteName ?? null;
		this.loginHref = options.loginHref ?? ((next) => `/login?next=${encodeURIComponent(next)}`);
		this.api = new MessagingApi({ basePath: this.basePath });
		this.#maxThreads = options.maxThreads;
		this.#threads = new OpenThreads({ maxThreads: options.maxThreads });
		this.#outbox = this.#newOutbox(null);
	}

	get inbox(): InboxState {
		return this.#inbox;
	}

	get threads(): OpenThreads {
		return this.#threads;
	}

	/** The member's sends on their way: kept in the browser until the server has stored or refused them. */
	get outbox(): Outbox {
		return this.#outbox;
	}

	/** The signed-in user whose messages these are. */
	get me() {
		return this.#owner;
	}

	/** The member's settings: as the session loaded them, or as a later change of them on any of their devices left them. */
	get preferences(): MessagingPreferences {
		return this.#settings.preferences(this.#session?.() ?? null);
	}

	/** The member's quick replies after each change of them on any of their tabs or devices, the last one heard first; returns the way to stop. */
	hearQuickReplies(listener: (replies: QuickReply[], at: number) => void): () => void {
		return this.#settings.hearQuickReplies(listener);
	}

	/** live, connecting, reconnecting, offline or signed-out; live when nothing runs (server rendering, no JavaScript). */
	get connection() {
		return this.#service?.state ?? 'live';
	}

	/**
	 * While the connection is signed-out, how the session ended: `signed-out` when the member
	 * signed out in another tab of this browser; otherwise `ended` (it expired, or was ended on
	 * another device), which is all a refusal from the server can tell. `kept` counts the sends
	 * still on their way, which go once the member signs in again.
	 */
	get sessionEnd(): { how: 'signed-out' | 'ended'; kept: number } | null {
		if (this.connection !== 'signed-out') return null;
		return { how: this.#signedOutInAnotherTab ? 'signed-out' : 'ended', kept: this.#kept };
	}

	/** What the server loaded for a page: the inbox's first page (for `listing`, about `productId`) and, if one is open, the thread. */
	showPage(page: { session: RealtimeSession; filter: InboxFilter; productId?: string | null; inbox: PreviewPage; opened: OpenedConversation | null }) {
		const { cursor } = page.session;
		this.#own(page.session.me);
		this.inbox.set(page.filter, page.inbox, { productId: page.productId, open: page.opened?.conversation_id });
		this.inbox.setUnreadTotal(page.session.unreadTotal, cursor);
		const thread = page.opened ? this.threads.open(page.opened, { cursor }) : null;
		this.reapplySince(cursor);
		// The page may be newer than those events, and says whom a listing is reserved for, which events do not.
		if (thread && page.opened?.product && thread.product?.status === page.opened.product.status) thread.setProduct(page.opened.product);
		return thread;
	}

	/** The newest event this tab applied: a page asked for now may predate what comes after it. */
	get lastEventId(): number {
		return this.#recent.newest;
	}
	/** A page read at `cursor` predates events that came meanwhile (recent-events.ts): applied again over it; past what the tab keeps, read again. */
	reapplySince(cursor: number) {
		const missed = this.#recent.after(cursor);
		if (missed) for (const event of missed) this.#settle(event);
		else void invalidateAll();
	}

	applyEvent(event: MessagingEvent) {
		this.#recent.add(event);
		if (this.#settle(event)) return;
		// A message from someone ends their typing indicator.
		if (event.type === 'message.created' && event.payload.message.sender_id !== this.#owner) delete this.typing[event.conversation_id];
		this.notifications.notice({
			event,
			me: this.#owner,
			mutedUntil: this.inbox.mutedUntil(event),
			preference: this.preferences.browser_notifications,
			unreadTotal: this.inbox.unreadTotal,
			basePath: this.basePath
		});
	}

	/**
	 * For the layout, during its initialisation: shows the signed-in user's badge at once (server
	 * rendering too) and, in the browser, runs their realtime feed while they stay signed in.
	 * Only a change of user restarts the feed, or a sign-in heard of after the session ended: not a
	 * reload of the same session (a product page's after a deal event), each a new data object.
	 */
	followSession(session: () => RealtimeSession | null) {
		this.#session = session;
		const first = untrack(session);
		if (first) {
			this.#own(first.me);
			this.inbox.setUnreadTotal(first.unreadTotal, first.cursor);
		}
		// The next request's server rendering shows times in this browser's zone, as hydration will.
		$effect(rememberTimeZone);
		$effect(() => this.#tabs.hear((news) => this.#heard(news)));
		const member = $derived(session()?.me);
		$effect(() => {
			const me = member;
			void this.#signIns;
			// Nobody shown may be an outage, not a sign-out (see drafts.ts): nothing is forgotten then.
			if (!me) return;
			// Someone else signed in on this tab: the last member's drafts go, and their sends are never shown to this one nor sent as them.
			forgetOthersDrafts(me);
			forgetOthersPendingSends(me);
			this.#tabs.tell({ type: 'signed-in', member: me });
			return untrack(() => this.connect({ session: session()!, onResync: () => void invalidateAll() }));
		});
	}

	/**
	 * Starts the realtime feed for a signed-in user, from the cursor the page's data includes.
	 * Returns the stop. `onResync` runs when the log no longer reaches back to the cursor: reload the page's data.
	 */
	connect(options: { session: RealtimeSession; onResync: () => void; transport?: RealtimeTransport }): () => void {
		const { session } = options;
		if (!untrack(() => this.#session)) this.#session = () => session;
		this.#own(session.me);
		this.inbox.setUnreadTotal(session.unreadTotal, session.cursor);
		this.#signedOutInAnotherTab = false;
		let stopped = false;
		let service: RealtimeMessagingService | null = null;
		const stopNotifications = this.notifications.start();
		const outbox = this.#outbox;
		const stopOutbox = outbox.start();
		const started = options.transport ? Promise.resolve(options.transport) : transportFor({ session, api: this.api });
		void started.then((transport) => {
			if (stopped) return;
			service = new RealtimeMessagingService({
				transport,
				cursor: session.cursor,
				onEvent: (event) => this.applyEvent(event),
				onSignal: (signal) => this.#signal(signal),
				onResync: options.onResync,
				// A server that was down is back: sends left by a tab closed meanwhile go from this one.
				onLive: () => outbox.pickUp()
			});
			this.#service = service;
			service.start();
		});
		return () => {
			stopped = true;
			stopNotifications();
			stopOutbox();
			service?.stop();
			if (this.#service === service) this.#service = null;
		};
	}

	/**
	 * For the host's sign-out form, as it submits: this tab forgets what the member was writing
	 * (a page that shows nobody afterwards does not, as it may be an outage). Their sends still on
	 * their way stay kept, never shown to anyone else, until they sign in again.
	 */
	signingOut() {
		forgetOthersDrafts(null);
		this.#tabs.tell({ type: 'signed-out', member: untrack(() => this.#owner) });
	}

	/** A request was refused for want of a session: the feed stops and the page asks to sign in again. */
	signedOut() {
		this.#service?.signedOut();
	}

	sendTyping(conversationId: string, typing = true) {
		return this.#service?.sendTyping(conversationId, typing);
	}

	/** Receives the other member's typing and presence while a thread is open; returns the way to stop. */
	watchConversation(watch: ConversationWatch): () => void {
		return this.#service?.watchConversation(watch) ?? (() => {});
	}

	/**
	 * Reads now what the server has that this tab has not heard yet: for a refusal that says the
	 * tab is behind (an offer answered or closed meanwhile). Resolves once it is shown; without a
	 * feed, or when the read fails, the feed's next catch-up brings it.
	 */
	catchUp(): Promise<void> {
		return this.#service?.catchUp().catch(() => {}) ?? Promise.resolve();
	}

	#heard(news: { type: 'signed-in' | 'signed-out'; member: string | null }) {
		if (news.type === 'signed-out') {
			if (news.member !== null && news.member === this.#owner) this.#signedOutInAnotherTab = true;
			return;
		}
		// The browser has a session again: this tab's requests carry it, so its page loads again with it.
		if (this.connection === 'signed-out') void invalidateAll().then(() => this.#signIns++);
	}

	/** What an event changes in the tab's state; true for the member's settings, which are all it changes. */
	#settle(event: MessagingEvent): boolean {
		if (this.#settings.apply(event)) return true;
		routeEvent(event, this);
		return false;
	}

	#own(me: string) {
		if (this.#owner === me) return;
		this.#owner = me;
		this.#recent.clear();
		this.#inbox = new InboxState();
		this.#threads = new OpenThreads({ maxThreads: this.#maxThreads });
		this.#outbox = this.#newOutbox(me);
		this.#settings.forget();
	}

	#newOutbox(member: string | null) {
		this.#kept = 0;
		return new Outbox({ member, api: this.api, threads: this.#threads, onSignedOut: () => this.signedOut(), onKept: (count) => (this.#kept = count), onUnavailable: () => this.#service?.stalled() });
	}

	#signal(signal: MessagingSignal) {
		if (signal.type === 'typing') {
			// A channel joined before a block may still deliver until it is left; show nothing across one.
			const thread = this.threads.byConversation(signal.conversation_id);
			if (thread?.closed) return;
			if (signal.until === 0) delete this.typing[signal.conversation_id];
			else this.typing[signal.conversation_id] = signal.until;
		} else this.presence[signal.user_id] = { online: signal.online, last_seen: signal.last_seen };
	}
}
