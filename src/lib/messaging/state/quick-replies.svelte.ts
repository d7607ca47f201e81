import type { MessagingApi, Outcome } from '../api';
import { QUICK_REPLIES_MAX, QuickReply } from '../schemas';
import { timeKey } from '../timeline';

type QuickReplyApi = Pick<MessagingApi, 'action'>;

const EMPTY = 'Write the reply you want to keep.';
/** How long a change answered here waits for its own event before lists heard are taken as they are. */
const UNSEEN_MS = 30_000;

/**
 * The user's saved quick replies, most recently saved first. Every change shows at once and is
 * taken back if the server refuses it (too long, one too many): the refusal's message is
 * returned so the form can show it and keep what was typed.
 */
export class QuickReplies {
	#replies = $state.raw<QuickReply[]>([]);
	/** Changes sent and not answered yet: a list heard meanwhile may predate them, so it waits for their answers. */
	#inFlight = 0;
	/** Where on the member's event log the list shown was read: an older list never replaces it. */
	#seededAt = -1;
	/** The newest list heard while changes were on their way. */
	#heard: { replies: readonly QuickReply[]; at: number | undefined } | null = null;
	/** Whose list it is: event ids are per member, so the next member on the tab starts over. */
	#member: string | null | undefined;
	/** Counts the members the tab has had: an answer to the last member's change is not this one's. */
	#generation = 0;
	/** Each reply's newest version any list heard has held (by updated_at), to know a change's own event was heard. */
	#heardVersions = new Map<string, number>();
	/**
	 * This tab's changes the server answered whose own event has not been heard yet (a reply, or
	 * null for a delete), laid over every list until it is: a list heard meanwhile is older than
	 * them, and showing it took a reply just added away for a moment (and an edit of it open here
	 * then read as deleted elsewhere). Kept UNSEEN_MS at most, should the event never come.
	 */
	#unseen = new Map<string, { reply: QuickReply | null; answeredAt: number }>();
	#api: QuickReplyApi;
	#newId: () => string;

	constructor(options: { api: QuickReplyApi; replies?: readonly QuickReply[] | null; newId?: () => string }) {
		this.#api = options.api;
		this.#newId = options.newId ?? (() => crypto.randomUUID());
		this.seed(options.replies ?? []);
	}

	get replies(): readonly QuickReply[] {
		return this.#replies;
	}

	/** As many as one user may keep: a new one would be refused. */
	get full() {
		return this.#replies.length >= QUICK_REPLIES_MAX;
	}

	/**
	 * The list as a page load brought it, or as the member's event log tells of a change on any
	 * of their tabs or devices (this one's too); `at`: the page's cursor or the event's id, and
	 * `member` whose list it is. Heard while a change is on its way, it is shown once none is: it
	 * may predate this tab's change for a moment, until the change's own event comes. `null`: a page
	 * that did not read the list (nothing to write in); the list shown stays, unless it was another member's.
	 */
	seed(replies: readonly QuickReply[] | null, at?: number, member?: string | null) {
		if (member !== undefined && member !== this.#member) {
			// Shown at once, whatever the last member had on its way: their answers are ignored.
			this.#member = member;
			this.#generation++;
			this.#inFlight = 0;
			this.#seededAt = -1;
			this.#heard = null;
			this.#heardVersions.clear();
			this.#unseen.clear();
			if (!replies) this.#replies = [];
		}
		if (!replies) return;
		if (at !== undefined && at < Math.max(this.#seededAt, this.#heard?.at ?? -1)) return;
		for (const reply of replies) {
			const version = timeKey(reply.updated_at);
			if (version > (this.#heardVersions.get(reply.id) ?? -Infinity)) this.#heardVersions.set(reply.id, version);
		}
		if (this.#inFlight > 0) {
			this.#heard = { replies, at };
			return;
		}
		if (at !== undefined) this.#seededAt = at;
		this.#replies = this.#withUnseen(replies).sort((a, b) => timeKey(b.updated_at) - timeKey(a.updated_at));
	}

	/** `replies` with this tab's answered changes laid over it, forgetting those it already holds. */
	#withUnseen(replies: readonly QuickReply[]): QuickReply[] {
		let list = [...replies];
		const now = Date.now();
		for (const [id, { reply, answeredAt }] of this.#unseen) {
			const heard = reply ? this.#heardSince(reply) : !list.some((listed) => listed.id === id);
			if (heard || now - answeredAt > UNSEEN_MS) {
				this.#unseen.delete(id);
				continue;
			}
			list = list.filter((listed) => listed.id !== id);
			if (reply) list.push(reply);
		}
		return list;
	}

	#heardSince(reply: QuickReply) {
		return (this.#heardVersions.get(reply.id) ?? -Infinity) >= timeKey(reply.updated_at);
	}

	/** Saves a new reply, or (with the id of one) new text for it; either goes to the top at once. */
	async save(options: { id?: string; body: string }): Promise<Outcome<QuickReply>> {
		const body = options.body.trim();
		if (!body) return { ok: false, message: EMPTY };
		const id = options.id ?? this.#newId();
		const index = this.#replies.findIndex((reply) => reply.id === id);
		const before = index >= 0 ? this.#replies[index] : null;
		this.#replies = [{ id, body, updated_at: new Date().toISOString() }, ...this.#without(id)];
		const generation = this.#generation;
		const outcome = await this.#send(() => this.#api.action('save_quick_reply', { id, body }));
		if (generation !== this.#generation) return outcome;
		// Deleted while this was on its way: the delete was the later wish.
		const kept = this.#has(id);
		if (kept && outcome.ok) {
			this.#replies = this.#replies.map((reply) => (reply.id === id ? outcome.value : reply));
			if (!this.#heardSince(outcome.value)) this.#unseen.set(id, { reply: outcome.value, answeredAt: Date.now() });
		} else if (kept && before) this.#putBack(before, index);
		else if (kept) this.#replies = this.#without(id);
		this.#catchUp();
		return outcome;
	}

	/** Deletes a reply: gone at once, back where it was if the server refuses. */
	async remove(id: string): Promise<Outcome<{ id: string }>> {
		const index = this.#replies.findIndex((reply) => reply.id === id);
		if (index < 0) return { ok: true, value: { id } };
		const removed = this.#replies[index];
		this.#replies = this.#without(id);
		const generation = this.#generation;
		const outcome = await this.#send(() => this.#api.action('delete_quick_reply', { id }));
		if (generation !== this.#generation) return outcome;
		if (!outcome.ok && !this.#has(id)) this.#putBack(removed, index);
		else if (outcome.ok) this.#unseen.set(id, { reply: null, answeredAt: Date.now() });
		this.#catchUp();
		return outcome;
	}

	async #send<T>(request: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
		const generation = this.#generation;
		this.#inFlight++;
		try {
			return await request();
		} finally {
			if (generation === this.#generation) this.#inFlight--;
		}
	}

	/**
	 * The list heard while changes were on their way, once none is, with the changes answered
	 * here laid over it. A change whose own event was heard meanwhile is not: the list heard after
	 * it is the later word (a delete on the phone after this save).
	 */
	#catchUp() {
		const heard = this.#heard;
		if (this.#inFlight > 0 || !heard) return;
		this.#heard = null;
		this.seed(heard.replies, heard.at);
	}

	#has(id: string) {
		return this.#replies.some((reply) => reply.id === id);
	}

	#without(id: string) {
		return this.#replies.filter((reply) => reply.id !== id);
	}

	#putBack(reply: QuickReply, index: number) {
		const rest = this.#without(reply.id);
		this.#replies = [...rest.slice(0, index), reply, ...rest.slice(index)];
	}
}
