import { SIGNED_OUT, waitReason, type MessagingApi, type Outcome, type WaitReason } from '../api';
import type { Message, UserSummary } from '../schemas';
import type { OpenThreads } from './open-threads.svelte';
import { draftOf, forgetPendingSend, hasPendingSend, isPendingSendKey, keepPendingSend, pendingSend, readPendingSends, type PendingSend } from './pending-sends';
import { refusedForGood } from './send-refusals';
import type { ThreadMessage, ThreadState } from './thread.svelte';

const RESEND_EVERY_MS = 5_000;
/**
 * How long a send another tab keeps is left to that tab: it is sending it now, and most sends are
 * stored and forgotten well before. One still kept after this was left behind (its tab closed
 * mid-send) or waits for a connection there too; sending it from here as well is safe, as the
 * server stores one message per id.
 */
const LEFT_TO_ITS_TAB_MS = RESEND_EVERY_MS;

/**
 * One member's sends on their way, for this tab. From the moment a send leaves until the server
 * has stored it or refused it for good it is kept (pending-sends.ts), so that a reload, a closed
 * tab or another tab of the member shows it again and sends it again with the same id (stored
 * once). Sends refused for a reason that passes (WaitReason) go again by themselves, oldest first,
 * when the connection may be back and every few seconds, with those another tab left behind; in a
 * thread none overtakes one written before it.
 */
export class Outbox {
	readonly member: string | null;
	#api: Pick<MessagingApi, 'action'>;
	#threads: OpenThreads;
	#onSignedOut: () => void;
	/** How many of the member's sends this tab knows on their way, each time that changes. */
	#onKept: (count: number) => void;
	/** The server cannot reach its database: its realtime feed relays nothing either. */
	#onUnavailable: () => void;
	/** Every send this tab knows on its way: one storage refused still goes while the tab lives. */
	#sends = new Map<string, PendingSend>();
	/** Kept in memory only: closing the tab would lose them. */
	#unsaved = new Set<string>();
	#inFlight = new Set<string>();
	/** Failed for a reason that passes (WaitReason): they go again by themselves, in turn. */
	#waiting = new Map<string, WaitReason>();
	/** Refused for want of a session: they go again when this tab starts the member's next one. */
	#signedOut = new Set<string>();
	/** Why the last try failed, for a thread shown later. */
	#errors = new Map<string, string>();
	/** Automatic sends go one after another, so that they arrive in the order they were written. */
	#queue: Promise<void> = Promise.resolve();
	#queued = new Set<string>();
	#timer: ReturnType<typeof setInterval> | null = null;
	#pickUpLater: ReturnType<typeof setTimeout> | null = null;
	#stopped = false;

	constructor(options: { member: string | null; api: Pick<MessagingApi, 'action'>; threads: OpenThreads; onSignedOut: () => void; onKept?: (count: number) => void; onUnavailable?: () => void }) {
		this.member = options.member;
		this.#api = options.api;
		this.#threads = options.threads;
		this.#onSignedOut = options.onSignedOut;
		this.#onKept = options.onKept ?? (() => {});
		this.#onUnavailable = options.onUnavailable ?? (() => {});
	}

	/** Whether leaving the page now would lose a send: one storage did not take is still on its way. */
	get atRisk(): boolean {
		return this.#unsaved.size > 0;
	}

	/**
	 * In the browser, for the member's session: sends again what an earlier page of theirs left on
	 * its way, keeps sending what waits, and picks up what another tab of theirs keeps (it may close
	 * before the connection is back), and sends refused for want of a session. Returns the stop.
	 */
	start(): () => void {
		this.#stopped = false;
		this.#enqueueAmong(this.#signedOut);
		this.#enqueue(this.#adopt());
		const online = () => this.pickUp();
		const visible = () => document.visibilityState === 'visible' && this.pickUp();
		// Only a send being kept: one forgotten there was stored or refused, which #enqueue checks anyway.
		const kept = (event: StorageEvent) => {
			if (event.newValue !== null && isPendingSendKey(this.member, event.key)) this.#pickUpSoon();
		};
		// Asked only when storage failed to keep a send: otherwise the next page sends it.
		const leaving = (event: BeforeUnloadEvent) => {
			if (this.atRisk) event.preventDefault();
		};
		window.addEventListener('online', online);
		window.addEventListener('storage', kept);
		window.addEventListener('beforeunload', leaving);
		// The browser's own; absent where no page runs (unit tests stub a window alone).
		if (typeof document !== 'undefined') document.addEventListener('visibilitychange', visible);
		return () => {
			this.#stopped = true;
			this.#stopTimer();
			if (this.#pickUpLater) clearTimeout(this.#pickUpLater);
			this.#pickUpLater = null;
			window.removeEventListener('online', online);
			window.removeEventListener('storage', kept);
			window.removeEventListener('beforeunload', leaving);
			if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', visible);
		};
	}

	/**
	 * The connection may be back (the browser online, the realtime feed live again, the tab shown):
	 * what waits for it goes now, with the kept sends this tab had not heard of (another tab of the
	 * member left them, and may be closed). Each goes once however often this is heard.
	 */
	pickUp() {
		if (this.#stopped) return;
		this.#enqueue(this.#adopt());
		this.#resendWaiting();
	}

	/** A send leaving now (the composer's post): kept until its answer, and shown in `thread` as sending. */
	keep(send: PendingSend, thread?: ThreadState) {
		this.#sends.set(send.id, send);
		this.#onKept(this.#sends.size);
		this.#inFlight.add(send.id);
		this.#waiting.delete(send.id);
		this.#signedOut.delete(send.id);
		this.#errors.delete(send.id);
		if (keepPendingSend(this.member, send)) this.#unsaved.delete(send.id);
		else this.#unsaved.add(send.id);
		thread?.addPending(draftOf(send), you(this.member));
	}

	/** A send's answer: stored, or refused for good, it is forgotten; anything else keeps it for another try. */
	settle(id: string, outcome: Outcome<Message>) {
		this.#inFlight.delete(id);
		if (outcome.ok || refusedForGood(outcome.code)) {
			this.forget(id);
		} else {
			this.#errors.set(id, outcome.message);
			const wait = waitReason(outcome);
			if (wait) this.#wait(id, wait);
			else this.#waiting.delete(id);
			if (wait === 'unavailable') this.#onUnavailable();
			// Not retried on a timer: every try would be refused until the member signs in again.
			if (outcome.code === SIGNED_OUT) this.#signedOut.add(id);
		}
		if (!outcome.ok && outcome.code === SIGNED_OUT) this.#onSignedOut();
	}

	/** Retry: the same id, text and photos (stored once); one that waits goes with those before it, in order. */
	retry(thread: ThreadState, message: ThreadMessage): Promise<void> {
		const reply = message.reply_to_id && message.reply_to_sender_id ? { id: message.reply_to_id, sender_id: message.reply_to_sender_id, preview: message.reply_to_preview ?? '' } : null;
		const known = this.#sends.get(message.id);
		if (known && this.#waiting.has(known.id)) return this.#enqueueAmong(this.#waiting);
		return this.#send(known ?? { ...pendingSend(thread, message), reply_to: reply, created_at: message.created_at });
	}

	/**
	 * The composer's send, kept as `keep` keeps it; false when it waits behind an earlier one of its
	 * thread (shown waiting, nothing to post): posted, it could be stored before them.
	 */
	keepToPost(send: PendingSend, thread: ThreadState): boolean {
		this.keep(send, thread);
		if (!this.#earlierWaiting(send)) return true;
		this.#holdBack(send, thread);
		return false;
	}

	/**
	 * Shows in `thread` the sends of it that it lacks (kept by an earlier page or another tab too),
	 * as this tab last heard of them; one the thread has as stored (it reached the server before a
	 * reload, or another tab sent it) is forgotten, so it shows once. Sends this tab had not heard
	 * of go again.
	 */
	restore(thread: ThreadState) {
		const adopted = this.#adopt();
		for (const send of this.#sends.values()) {
			if (send.key !== thread.key) continue;
			if (isStored(thread, send.id)) {
				this.forget(send.id);
				continue;
			}
			if (thread.messages.some((m) => m.id === send.id)) continue;
			thread.addPending(draftOf(send), you(this.member));
			const error = this.#errors.get(send.id);
			if (error !== undefined && !this.#inFlight.has(send.id)) thread.fail(send.id, error, this.#waiting.get(send.id));
		}
		this.#enqueue(adopted);
	}

	async #send(send: PendingSend): Promise<void> {
		if (this.#inFlight.has(send.id) || this.#stopped) return;
		const thread = this.#threads.get(send.key);
		if (thread && isStored(thread, send.id)) return this.forget(send.id);
		// Still waiting while it goes: what is written meanwhile waits behind it. The thread as now: its answer's age.
		const [wait, askedAt] = [this.#waiting.get(send.id), thread?.cursor];
		this.keep(send, thread);
		if (wait) this.#waiting.set(send.id, wait);
		const outcome: Outcome<Message> = await this.#api
			.action('send', {
				...(send.conversation_id ? { conversation_id: send.conversation_id } : { key: send.key }),
				id: send.id,
				body: send.body,
				reply_to: send.reply_to?.id,
				attachments: send.attachments.length > 0 ? send.attachments.map((photo) => photo.id).join(',') : undefined
			})
			// An answer that is not one (a proxy's HTML page) must not leave the send "on its way" for good.
			.catch(() => ({ ok: false, message: 'Something went wrong. Try again.' }));
		// The thread as it is now: it may have been opened meanwhile.
		const shown = this.#threads.get(send.key);
		if (outcome.ok) shown?.answer(outcome.value, shown === thread ? askedAt : undefined);
		else shown?.fail(send.id, outcome.message, waitReason(outcome));
		this.settle(send.id, outcome);
	}

	/** The member's kept sends this tab had not heard of, now known to it. */
	#adopt(): PendingSend[] {
		const fresh = readPendingSends(this.member).filter((send) => !this.#sends.has(send.id));
		for (const send of fresh) this.#sends.set(send.id, send);
		if (fresh.length > 0) this.#onKept(this.#sends.size);
		return fresh;
	}

	/** Queued once each: one still queued when the timer fires again is not sent twice in a row. */
	#enqueue(sends: PendingSend[]) {
		for (const send of sends) {
			if (this.#queued.has(send.id)) continue;
			this.#queued.add(send.id);
			this.#queue = this.#queue.then(() => {
				this.#queued.delete(send.id);
				// Settled meanwhile (a Retry answered): nothing left to send.
				if (!this.#sends.has(send.id)) return;
				// Kept, and gone from storage since: another tab had it stored or refused, or another
				// member signed in there, whose session this tab's requests now carry: not sent as them.
				if (!this.#unsaved.has(send.id) && !hasPendingSend(this.member, send.id)) return this.forget(send.id);
				if (this.#earlierWaiting(send)) return this.#holdBack(send);
				return this.#send(send);
			});
		}
	}

	/** The first send kept before `send` in its thread that waits (a send not kept yet comes after all). */
	#earlierWaiting(send: PendingSend): string | undefined {
		for (const [id, kept] of this.#sends) {
			if (id === send.id) return undefined;
			if (kept.key === send.key && this.#waiting.has(id)) return id;
		}
		return undefined;
	}

	/** Waits as the send before it in its thread waits, and says so in the thread. */
	#holdBack(send: PendingSend, thread = this.#threads.get(send.key)) {
		const earlier = this.#earlierWaiting(send)!;
		const wait = this.#waiting.get(earlier)!;
		this.#inFlight.delete(send.id);
		this.#errors.set(send.id, this.#errors.get(earlier) ?? '');
		this.#wait(send.id, wait);
		thread?.fail(send.id, this.#errors.get(send.id)!, wait);
	}

	#wait(id: string, wait: WaitReason) {
		this.#waiting.set(id, wait);
		if (this.#timer || this.#stopped || typeof window === 'undefined') return;
		this.#timer = setInterval(() => this.#resendWaiting(), RESEND_EVERY_MS);
	}

	#resendWaiting() {
		if (this.#waiting.size === 0) return this.#stopTimer();
		if (!navigator.onLine) return;
		this.#enqueueAmong(this.#waiting);
	}

	/** Those of `among` in the order written: one sent alone could be stored before those before it. */
	#enqueueAmong(among: { has(id: string): boolean }) {
		this.#enqueue([...this.#sends.values()].filter((send) => among.has(send.id)));
		return this.#queue;
	}

	/** Once however many sends another tab keeps meanwhile: their tab has its go first. */
	#pickUpSoon() {
		if (this.#pickUpLater || this.#stopped) return;
		this.#pickUpLater = setTimeout(() => {
			this.#pickUpLater = null;
			this.pickUp();
		}, LEFT_TO_ITS_TAB_MS);
	}

	#stopTimer() {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
	}

	/** Drops a send: stored, refused for good, or discarded by its sender. */
	forget(id: string) {
		this.#sends.delete(id);
		this.#unsaved.delete(id);
		this.#waiting.delete(id);
		this.#signedOut.delete(id);
		this.#errors.delete(id);
		forgetPendingSend(this.member, id);
		this.#onKept(this.#sends.size);
	}
}

const isStored = (thread: ThreadState, id: string) => thread.messages.some((m) => m.id === id && m.status === 'sent');
const you = (member: string | null): UserSummary => ({ id: member ?? '', username: 'you', display_name: 'You', avatar_url: null });
