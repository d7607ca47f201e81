import type { ActionResult } from '@sveltejs/kit';
import { deserialize } from '$app/forms';
import type { z } from 'zod';
import { PHOTO_OVER_SERVER_LIMIT } from './attachments/image-type';
import { MessagingError } from './errors';
import {
	ActionFailure,
	UploadedAttachment,
	MessagePage,
	MessagingActions,
	MessagingSignal,
	PreviewPage,
	SearchPage,
	TabSyncResult,
	type SyncResult,
	type ActionResultOf,
	type AttachmentSize,
	type Cursor,
	type InboxFilter,
	type MessagingAction
} from './schemas';

/** What a request came to: the parsed answer, or a message a person understands (and the error kind, if any). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string; code?: string };

const OFFLINE = 'You appear to be offline. Try again when you are connected.';
const UNREACHABLE = 'The server cannot be reached. Try again in a moment.';
/** The code of an upload refused for what the photo is: only removing it helps. */
export const PHOTO_REFUSED = 'photo_refused';
/** The code of an outcome that never reached the server (no connection, or the server unreachable). */
export const NOT_DELIVERED = 'offline';
/** The code of a refusal for want of a session (HTTP 401): signing in again is the only way on. */
export const SIGNED_OUT = 'not_authenticated';

// A request that got no answer: the browser knows when it has no network at all; otherwise it
// found the server out of reach (down, or a network between), and "you are offline" was untrue.
const browserOffline = () => typeof navigator !== 'undefined' && navigator.onLine === false;
const notDelivered = () => ({ ok: false as const, message: browserOffline() ? OFFLINE : UNREACHABLE, code: NOT_DELIVERED });

/**
 * Why a send waits to go again by itself: the browser has no network, the server did not answer,
 * it answered that it cannot reach its database, or that the sender is over the send limit (which
 * lets sends through again as its minute moves on). Nothing for a refusal another try cannot change.
 */
export type WaitReason = 'offline' | 'unreachable' | 'unavailable' | 'limit';

export function waitReason(outcome: Outcome<unknown>): WaitReason | undefined {
	if (outcome.ok) return undefined;
	if (outcome.code === 'unavailable') return 'unavailable';
	if (outcome.code === 'rate_limited') return 'limit';
	if (outcome.code === NOT_DELIVERED) return browserOffline() ? 'offline' : 'unreachable';
}

const BROKEN = 'Something went wrong. Try again.';
const UPLOAD_LOST = 'The photo could not be uploaded: the connection was lost. Try again.';
/** What an upload refusal means when the server gave no message of its own. */
const UPLOAD_REFUSED: Record<number, string> = {
	401: 'Sign in to send photos.',
	// The endpoint says its own 10 MB refusals; a bare 413 came from a limit in front of it (a proxy's), on a photo
	// the browser already found under 10 MB.
	413: PHOTO_OVER_SERVER_LIMIT,
	415: 'This file is not a photo we can send (JPEG, PNG, WebP or GIF).'
};

/**
 * The one place the browser talks to the messaging server: the endpoints under the messages
 * page and its form actions. Every answer is parsed with the shared zod schemas; components
 * never build URLs or read `response.json()` themselves.
 */
export class MessagingApi {
	readonly basePath: string;
	#fetch: typeof fetch;

	#request: () => XMLHttpRequest;

	/** `request` makes the XMLHttpRequest an upload runs on (tests pass a fake). */
	constructor(options: { basePath: string; fetch?: typeof fetch; request?: () => XMLHttpRequest }) {
		this.basePath = options.basePath;
		this.#fetch = options.fetch ?? ((...args) => fetch(...args));
		this.#request = options.request ?? (() => new XMLHttpRequest());
	}

	/** More of the inbox, after `before`; the `listing` filter names its product. */
	previews(options: { filter: InboxFilter; productId?: string | null; before: Cursor }) {
		const query: Record<string, string> = { filter: options.filter, before_at: options.before.at, before_id: options.before.id };
		if (options.filter === 'listing' && options.productId) query.product = options.productId;
		return this.#get('previews', query, PreviewPage);
	}

	/** Older messages of a thread, before `before`. */
	history(options: { conversationId: string; before: Cursor }) {
		return this.#get('history', { conversation_id: options.conversationId, before_at: options.before.at, before_id: options.before.id }, MessagePage);
	}

	/** More hits for `query`, after `before` (the last page's `next`). */
	search(options: { query: string; before: Cursor }) {
		return this.#get('search', { q: options.query, before_at: options.before.at, before_id: options.before.id }, SearchPage);
	}

	/** The user's events after `cursor`: the catch-up. Throws when it cannot be had, so the caller retries. */
	async sync(cursor: number): Promise<SyncResult> {
		const outcome = await this.#get('sync', { cursor: String(cursor) }, TabSyncResult);
		if (!outcome.ok && outcome.code === SIGNED_OUT) throw new MessagingError(SIGNED_OUT, outcome.message);
		if (!outcome.ok) throw new Error(`sync failed: ${outcome.message}`);
		return outcome.value;
	}

	/** Where the live event stream of the user starts after `cursor`. */
	streamUrl(cursor: number): string {
		return `${this.basePath}/stream?cursor=${cursor}`;
	}

	/** The other member's presence in a conversation, as a thread opens (SSE mode); null when it cannot be had. */
	async presence(conversationId: string): Promise<MessagingSignal | null> {
		const outcome = await this.#get('presence', { conversation: conversationId }, MessagingSignal);
		return outcome.ok ? outcome.value : null;
	}

	/** Tells the other member this user is typing, or (false) stopped; best effort. */
	async typing(conversationId: string, typing = true): Promise<void> {
		await this.#fetch(`${this.basePath}/typing`, {
			method: 'POST',
			// Sent even as the page goes away (a reload, a closed tab), where taking "typing" back matters most.
			keepalive: true,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ conversation_id: conversationId, typing })
		}).catch(() => {});
	}

	/** Takes back a photo uploaded but not sent; best effort (unsent photos are purged after a day anyway). */
	async discardAttachment(id: string): Promise<void> {
		await this.#fetch(`${this.basePath}/attachments/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => {});
	}

	/** Where a photo is served; only members of its conversation (and its uploader) get it. */
	attachmentUrl(id: string, size: AttachmentSize): string {
		return `${this.basePath}/attachments/${encodeURIComponent(id)}/${size}`;
	}

	/**
	 * Uploads one photo (multipart, field `file`), reporting progress from 0 to 1. On
	 * XMLHttpRequest because fetch cannot report upload progress. A refusal gives the server's
	 * message; an abort through `signal` gives code `aborted`.
	 */
	uploadAttachment(file: Blob, options: { onProgress: (fraction: number) => void; signal?: AbortSignal }): Promise<Outcome<UploadedAttachment>> {
		const { onProgress, signal } = options;
		const aborted = { ok: false, message: 'The upload was cancelled.', code: 'aborted' } as const;
		if (signal?.aborted) return Promise.resolve(aborted);
		return new Promise((resolve) => {
			const request = this.#request();
			const stop = () => request.abort();
			const settle = (outcome: Outcome<UploadedAttachment>) => {
				signal?.removeEventListener('abort', stop);
				resolve(outcome);
			};
			request.upload.onprogress = (event) => {
				if (event.lengthComputable && event.total > 0) onProgress(Math.min(1, event.loaded / event.total));
			};
			request.onload = () => {
				if (request.status >= 200 && request.status < 300) onProgress(1);
				settle(uploadOutcome(request.status, request.responseText));
			};
			request.onerror = () => settle({ ok: false, message: UPLOAD_LOST });
			request.ontimeout = () => settle({ ok: false, message: UPLOAD_LOST });
			request.onabort = () => settle(aborted);
			signal?.addEventListener('abort', stop, { once: true });
			const body = new FormData();
			body.set('file', file);
			request.open('POST', `${this.basePath}/attachments`);
			request.setRequestHeader('accept', 'application/json');
			request.send(body);
		});
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
			return notDelivered();
		}
		const result: ActionResult = deserialize(await response.text());
		// As use:enhance does: the status of an error is the response's.
		if (result.type === 'error') result.status = response.status;
		return actionOutcome(name, result);
	}

	async #get<T extends z.ZodType>(endpoint: string, params: Record<string, string>, schema: T): Promise<Outcome<z.infer<T>>> {
		let response: Response;
		try {
			response = await this.#fetch(`${this.basePath}/${endpoint}?${new URLSearchParams(params)}`, { headers: { accept: 'application/json' } });
		} catch {
			return { ok: false, message: notDelivered().message };
		}
		const body: unknown = await response.json().catch(() => null);
		if (response.status === 401) return { ok: false, message: messageOf(body), code: SIGNED_OUT };
		if (!response.ok) return { ok: false, message: messageOf(body) };
		const parsed = schema.safeParse(body);
		return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: BROKEN };
	}
}

/** An upload's answer: the stored photo, or why not in words a person understands. */
function uploadOutcome(status: number, text: string): Outcome<UploadedAttachment> {
	let body: unknown = null;
	try {
		body = JSON.parse(text);
	} catch {
		// An HTML error page from a proxy, or nothing: the status says enough.
	}
	if (status >= 200 && status < 300) {
		const parsed = UploadedAttachment.safeParse(body);
		return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: BROKEN };
	}
	const message = (body as { message?: unknown } | null)?.message;
	const refused = typeof message === 'string' ? message : (UPLOAD_REFUSED[status] ?? BROKEN);
	return PHOTO_NEVER_PASSES.has(status) ? { ok: false, message: refused, code: PHOTO_REFUSED } : { ok: false, message: refused };
}

/** Refusals of the photo itself (unreadable, too large, too many pixels, not a photo): sending it again cannot help. */
const PHOTO_NEVER_PASSES = new Set([400, 413, 415]);

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
	// use:enhance reports a fetch that never reached the server as an error without a status.
	if (result.type === 'error' && result.status === undefined) return notDelivered();
	if (result.type === 'error' && result.status === 401) return { ok: false, message: result.error?.message ?? BROKEN, code: SIGNED_OUT };
	if (result.type === 'error') return { ok: false, message: result.error?.message ?? BROKEN };
	return { ok: false, message: BROKEN };
}
