import type { ActionResult } from '@sveltejs/kit';
import { deserialize } from '$app/forms';
import type { z } from 'zod';
import {
	ActionFailure,
	MessagePage,
	MessagingActions,
	PreviewPage,
	SyncResult,
	type ActionResultOf,
	type Cursor,
	type InboxFilter,
	type MessagingAction
} from './schemas';

/** What a request came to: the parsed answer, or a message a person understands (and the error kind, if any). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string; code?: string };

const OFFLINE = 'You appear to be offline. Try again when you are connected.';
const BROKEN = 'Something went wrong. Try again.';

/**
 * The one place the browser talks to the messaging server: the endpoints under the messages
 * page and its form actions. Every answer is parsed with the shared zod schemas; components
 * never build URLs or read `response.json()` themselves.
 */
export class MessagingApi {
	readonly basePath: string;
	#fetch: typeof fetch;

	constructor(options: { basePath: string; fetch?: typeof fetch }) {
		this.basePath = options.basePath;
		this.#fetch = options.fetch ?? ((...args) => fetch(...args));
	}

	/** More of the inbox, after `before`. */
	previews(options: { filter: InboxFilter; before: Cursor }) {
		return this.#get('previews', { filter: options.filter, before_at: options.before.at, before_id: options.before.id }, PreviewPage);
	}

	/** Older messages of a thread, before `before`. */
	history(options: { conversationId: string; before: Cursor }) {
		return this.#get('history', { conversation_id: options.conversationId, before_at: options.before.at, before_id: options.before.id }, MessagePage);
	}

	/** The user's events after `cursor`: the catch-up. Throws when it cannot be had, so the caller retries. */
	async sync(cursor: number): Promise<SyncResult> {
		const outcome = await this.#get('sync', { cursor: String(cursor) }, SyncResult);
		if (!outcome.ok) throw new Error(`sync failed: ${outcome.message}`);
		return outcome.value;
	}

	/** Where the live event stream of the user starts after `cursor`. */
	streamUrl(cursor: number): string {
		return `${this.basePath}/stream?cursor=${cursor}`;
	}

	async typing(conversationId: string): Promise<void> {
		await this.#fetch(`${this.basePath}/typing`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ conversation_id: conversationId })
		}).catch(() => {});
	}

	/** The URL a form posts an action to; forms name their conversation so that, without JavaScript, the answer shows it again. */
	actionUrl(name: MessagingAction, conversationKey?: string): string {
		const conversation = conversationKey ? `conversation=${encodeURIComponent(conversationKey)}&` : '';
		return `${this.basePath}?${conversation}/${name}`;
	}

	/** A form action called from script, as `use:enhance` calls it, for what has no form of its own (retrying, marking read). */
	async action<A extends MessagingAction>(name: A, fields: Record<string, string | null | undefined>): Promise<Outcome<ActionResultOf<A>>> {
		const body = new FormData();
		for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) body.set(key, value);
		let response: Response;
		try {
			response = await this.#fetch(this.actionUrl(name), { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
		} catch {
			return { ok: false, message: OFFLINE };
		}
		return actionOutcome(name, deserialize(await response.text()));
	}

	async #get<T extends z.ZodType>(endpoint: string, params: Record<string, string>, schema: T): Promise<Outcome<z.infer<T>>> {
		let response: Response;
		try {
			response = await this.#fetch(`${this.basePath}/${endpoint}?${new URLSearchParams(params)}`, { headers: { accept: 'application/json' } });
		} catch {
			return { ok: false, message: OFFLINE };
		}
		const body: unknown = await response.json().catch(() => null);
		if (!response.ok) return { ok: false, message: messageOf(body) };
		const parsed = schema.safeParse(body);
		return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: BROKEN };
	}
}

function messageOf(body: unknown): string {
	const message = (body as { message?: unknown } | null)?.message;
	return typeof message === 'string' ? message : BROKEN;
}

/** An action's answer (from `use:enhance` or `MessagingApi.action`) parsed with that action's result schema. */
export function actionOutcome<A extends MessagingAction>(name: A, result: ActionResult): Outcome<ActionResultOf<A>> {
	if (result.type === 'success') {
		const value = MessagingActions[name].result.safeParse((result.data as { result?: unknown } | undefined)?.result);
		return value.success ? { ok: true, value: value.data as ActionResultOf<A> } : { ok: false, message: BROKEN };
	}
	if (result.type === 'failure') {
		const failure = ActionFailure.safeParse(result.data);
		return failure.success ? { ok: false, message: failure.data.message, code: failure.data.code } : { ok: false, message: BROKEN };
	}
	if (result.type === 'error') return { ok: false, message: result.error?.message ?? BROKEN };
	return { ok: false, message: BROKEN };
}
