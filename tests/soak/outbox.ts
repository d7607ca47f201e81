import { Message } from '../../src/lib/messaging/schemas/index.ts';
import type { Random } from './options.ts';
import type { SoakConversation, SoakMember } from './marketplace.ts';
import type { MemberSession } from './session.ts';

/** One logical send: a client-generated id, submitted twice (together, or again after the first answer). */
export interface PlannedSend {
	id: string;
	seq: number;
	conversation: SoakConversation;
	from: SoakMember;
	to: SoakMember;
	twice: 'together' | 'after';
	multipart: boolean;
}

export interface OutboxCounts {
	/** Logical sends started (distinct ids). */
	sent: number;
	/** Submits of a send (two per send), however many attempts each took. */
	submits: number;
	/** HTTP requests, retries included. */
	attempts: number;
	acknowledged: number;
	/** Attempts answered 503 "unavailable" (PostgreSQL down), other 5xx, or not at all (connection refused or reset). */
	unavailable: number;
	serverErrors: number;
	connectionErrors: number;
	/** Submits refused for good (4xx): a bug, since every send here is valid. */
	refused: number;
	/** Sends not acknowledged before their deadline. */
	gaveUp: number;
	/** Two answers for one id that disagree (another id, time or conversation). */
	mismatched: number;
}

/** The marker a stored body carries, so a send stored twice under other ids is still found. */
export const bodyFor = (send: PlannedSend) => `soak ${send.id} #${send.seq} from member ${send.from.index}`;
export const MARKER = 'soak ([0-9a-f-]{36})';

export function planSends(random: Random, conversations: SoakConversation[], count: number): PlannedSend[] {
	return Array.from({ length: count }, (_, seq) => {
		// Some conversations are busier than others: a square skews the pick towards the low indexes.
		const conversation = conversations[Math.floor(random.next() ** 1.5 * conversations.length)];
		const buyerWrites = random.next() < 0.5;
		return {
			id: random.uuid(),
			seq,
			conversation,
			from: buyerWrites ? conversation.buyer : conversation.seller,
			to: buyerWrites ? conversation.seller : conversation.buyer,
			twice: random.next() < 0.5 ? 'together' : 'after',
			multipart: random.next() < 0.3
		};
	});
}

/**
 * Sends through POST /messages?/send like a browser's outbox: every send submitted twice with
 * its id, every failed submit (connection refused or reset, 5xx, 503 while PostgreSQL is down)
 * retried with the same id until answered, within a deadline per send.
 */
export class Outbox {
	readonly counts: OutboxCounts = {
		sent: 0,
		submits: 0,
		attempts: 0,
		acknowledged: 0,
		unavailable: 0,
		serverErrors: 0,
		connectionErrors: 0,
		refused: 0,
		gaveUp: 0,
		mismatched: 0
	};
	readonly sentIds: string[] = [];
	readonly acknowledged = new Set<string>();
	/** What went wrong, by kind, with how often and one send it happened to. */
	readonly #problems = new Map<string, { count: number; example: string }>();
	/** Sends finished (acknowledged or given up). */
	finished = 0;
	#conversationIds = new Map<number, string>();

	constructor(
		readonly sessions: Map<string, MemberSession>,
		readonly options: { inFlight: number; deadlineMs: number }
	) {}

	/** Runs the plan with bounded concurrency; stops starting sends once `stopStarting()` says so. */
	async run(plan: PlannedSend[], stopStarting: () => boolean): Promise<void> {
		let next = 0;
		await Promise.all(
			Array.from({ length: this.options.inFlight }, async () => {
				while (next < plan.length && !stopStarting()) await this.#send(plan[next++]);
			})
		);
	}

	async #send(send: PlannedSend) {
		this.counts.sent++;
		this.sentIds.push(send.id);
		const deadline = Date.now() + this.options.deadlineMs;
		let answers: (Message | null)[];
		if (send.twice === 'together') answers = await Promise.all([this.#submit(send, deadline), this.#submit(send, deadline)]);
		else answers = [await this.#submit(send, deadline), await this.#submit(send, deadline)];
		const stored = answers.filter((a): a is Message => a !== null);
		if (stored.length > 0) {
			this.counts.acknowledged++;
			this.acknowledged.add(send.id);
		} else {
			this.counts.gaveUp++;
		}
		if (stored.length === 2 && (stored[0].created_at !== stored[1].created_at || stored[0].conversation_id !== stored[1].conversation_id)) {
			this.counts.mismatched++;
			this.#problem(send.id, `the two answers differ (${stored[0].created_at} vs ${stored[1].created_at})`);
		}
		this.finished++;
	}

	async #submit(send: PlannedSend, deadline: number): Promise<Message | null> {
		this.counts.submits++;
		const session = this.sessions.get(send.from.id)!;
		for (let attempt = 1; Date.now() < deadline; attempt++) {
			const known = this.#conversationIds.get(send.conversation.index);
			const fields: Record<string, string> = { id: send.id, body: bodyFor(send) };
			// The first message of a conversation creates it by key; later ones name it, as the page does.
			if (known) fields.conversation_id = known;
			else fields.key = `${send.to.id}__${send.conversation.productId}`;
			this.counts.attempts++;
			const answer = await session.action<unknown>('send', fields, send.multipart);
			if (answer.kind === 'ok') {
				const message = Message.safeParse(answer.value);
				if (!message.success || message.data.id !== send.id || message.data.body !== bodyFor(send)) {
					this.counts.mismatched++;
					this.#problem(send.id, `the answer is not this message: ${JSON.stringify(answer.value).slice(0, 200)}`);
					return null;
				}
				this.#conversationIds.set(send.conversation.index, message.data.conversation_id);
				return message.data;
			}
			if (answer.kind === 'refused') {
				this.counts.refused++;
				this.#problem(send.id, `refused: ${answer.why}`);
				return null;
			}
			if (answer.kind === 'signed-out') {
				await session.signIn().catch((error: Error) => this.#problem(send.id, error.message));
				continue;
			}
			if (answer.status === 0) this.counts.connectionErrors++;
			else if (answer.status === 503) this.counts.unavailable++;
			else {
				this.counts.serverErrors++;
				this.#problem(send.id, `answered ${answer.why}`);
			}
			const backoff = Math.min(2_000, 50 * 2 ** attempt);
			await new Promise((r) => setTimeout(r, backoff / 2 + (Math.random() * backoff) / 2));
		}
		return null;
	}

	get problems(): string[] {
		return [...this.#problems].map(([why, { count, example }]) => `${count} × ${why} (send ${example})`);
	}

	#problem(id: string, why: string) {
		const known = this.#problems.get(why);
		if (known) known.count++;
		else if (this.#problems.size < 50) this.#problems.set(why, { count: 1, example: id });
	}
}
