import { deserialize } from '$app/forms';

export type ActionOutcome<T> = { ok: true; result: T } | { ok: false; message: string; code?: string };

/**
 * Calls one of /messages's form actions from script, as use:enhance does, for what has no
 * form of its own (retrying a send, marking read). Errors a person can cause come back as
 * messages; a network failure too, so the caller can offer a retry.
 */
export async function callAction<T>(name: string, fields: Record<string, string | null | undefined>): Promise<ActionOutcome<T>> {
	const body = new FormData();
	for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) body.set(key, value);
	let response: Response;
	try {
		response = await fetch(`/messages?/${name}`, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true', accept: 'application/json' } });
	} catch {
		return { ok: false, message: 'You appear to be offline. Try again when you are connected.' };
	}
	const result = deserialize(await response.text());
	if (result.type === 'success' && result.data && (result.data as { ok?: boolean }).ok) {
		return { ok: true, result: (result.data as { result: T }).result };
	}
	if (result.type === 'failure') {
		const data = result.data as { message?: string; code?: string } | undefined;
		return { ok: false, message: data?.message ?? 'That did not work. Try again.', code: data?.code };
	}
	return { ok: false, message: 'Something went wrong. Try again.' };
}
