import * as devalue from 'devalue';
import { SOAK_PASSWORD } from './marketplace.ts';

/** What one request came to, as an outbox must tell it: done, worth retrying, signed out, or refused for good. */
export type Answer<T> =
	| { kind: 'ok'; value: T }
	| { kind: 'retry'; why: string; status: number }
	| { kind: 'signed-out'; why: string }
	| { kind: 'refused'; why: string; status: number };

const TIMEOUT_MS = 15_000;

/**
 * One member's browser as far as HTTP goes: the session cookie set by POST /login (kept up to
 * date from every answer that sets it), form actions as SvelteKit's enhance posts them, and the
 * JSON endpoints under /messages.
 */
export class MemberSession {
	#cookies = new Map<string, string>();
	#signingIn: Promise<void> | null = null;
	signIns = 0;

	constructor(
		readonly origin: string,
		readonly email: string
	) {}

	get cookie(): string {
		return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	/** Keeps what a response sets (a refreshed or cleared session), as a browser would. */
	remember(setCookies: string[]) {
		for (const line of setCookies) {
			const [pair, ...attributes] = line.split(';');
			const at = pair.indexOf('=');
			const name = pair.slice(0, at).trim();
			const value = pair.slice(at + 1).trim();
			const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
			if (expired || value === '') this.#cookies.delete(name);
			else this.#cookies.set(name, value);
		}
	}

	/** Signs in through the login form; concurrent callers share one attempt. */
	signIn(): Promise<void> {
		this.#signingIn ??= this.#signIn().finally(() => (this.#signingIn = null));
		return this.#signingIn;
	}

	async #signIn() {
		const deadline = Date.now() + 60_000;
		for (let attempt = 1; ; attempt++) {
			const response = await fetch(`${this.origin}/login`, {
				method: 'POST',
				redirect: 'manual',
				// A plain form post (no JavaScript): the answer is a 303 with the session cookie.
				headers: { origin: this.origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ email: this.email, password: SOAK_PASSWORD, next: '/messages' }),
				signal: AbortSignal.timeout(TIMEOUT_MS)
			}).catch((error: Error) => error);
			if (!(response instanceof Error)) {
				this.remember(response.headers.getSetCookie());
				await response.arrayBuffer().catch(() => {});
				if (response.status === 303 && this.#cookies.size > 0) {
					this.signIns++;
					return;
				}
				if (response.status === 400) throw new Error(`Sign-in refused for ${this.email} (400)`);
			}
			if (Date.now() > deadline) throw new Error(`Could not sign in ${this.email}: ${response instanceof Error ? response.message : response.status}`);
			await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** attempt)));
		}
	}

	/** A named form action of the messages page, posted as enhance posts it. */
	async action<T>(name: string, fields: Record<string, string>, multipart: boolean): Promise<Answer<T>> {
		const body = multipart ? formData(fields) : new URLSearchParams(fields);
		const response = await fetch(`${this.origin}/messages?/${name}`, {
			method: 'POST',
			redirect: 'manual',
			headers: { origin: this.origin, 'x-sveltekit-action': 'true', accept: 'application/json', cookie: this.cookie },
			body,
			signal: AbortSignal.timeout(TIMEOUT_MS)
		}).catch((error: Error) => error);
		if (response instanceof Error) return { kind: 'retry', why: connectionError(response), status: 0 };
		this.remember(response.headers.getSetCookie());
		const text = await response.text().catch(() => '');
		if (response.status === 401) return { kind: 'signed-out', why: '401' };
		if (response.status >= 500) return { kind: 'retry', why: `HTTP ${response.status}: ${text.slice(0, 160)}`, status: response.status };
		let result: { type: string; status?: number; data?: string; location?: string; error?: { message?: string } };
		try {
			result = JSON.parse(text);
		} catch {
			return { kind: 'refused', why: `HTTP ${response.status}, not JSON: ${text.slice(0, 120)}`, status: response.status };
		}
		if (result.type === 'success') return { kind: 'ok', value: (devalue.parse(result.data!) as { result: T }).result };
		if (result.type === 'redirect') return { kind: 'signed-out', why: `redirect to ${result.location}` };
		const status = result.status ?? response.status;
		const data = result.data ? (devalue.parse(result.data) as { code?: string; message?: string }) : undefined;
		const why = `${status} ${data?.code ?? result.type}: ${data?.message ?? result.error?.message ?? ''}`;
		if (status === 401) return { kind: 'signed-out', why };
		if (status >= 500 || status === 429 || data?.code === 'unavailable' || data?.code === 'rate_limited') return { kind: 'retry', why, status };
		return { kind: 'refused', why, status };
	}

	/** GET a JSON endpoint under /messages (history, previews, sync). */
	async get<T>(path: string): Promise<Answer<T>> {
		const response = await fetch(`${this.origin}/messages/${path}`, {
			redirect: 'manual',
			headers: { accept: 'application/json', cookie: this.cookie },
			signal: AbortSignal.timeout(TIMEOUT_MS)
		}).catch((error: Error) => error);
		if (response instanceof Error) return { kind: 'retry', why: connectionError(response), status: 0 };
		this.remember(response.headers.getSetCookie());
		const text = await response.text().catch(() => '');
		if (response.status === 401 || (response.status >= 300 && response.status < 400)) return { kind: 'signed-out', why: String(response.status) };
		if (response.status >= 500) return { kind: 'retry', why: `HTTP ${response.status}: ${text.slice(0, 120)}`, status: response.status };
		if (response.status !== 200) return { kind: 'refused', why: `HTTP ${response.status}: ${text.slice(0, 120)}`, status: response.status };
		return { kind: 'ok', value: JSON.parse(text) as T };
	}
}

function formData(fields: Record<string, string>): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	return form;
}

function connectionError(error: Error): string {
	const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
	return cause?.code ?? cause?.message ?? error.name;
}
