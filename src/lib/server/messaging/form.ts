import { error } from '@sveltejs/kit';

/**
 * A submitted form's fields, or null when the body cannot be read as one (a broken multipart
 * body, a content type that is no form): the caller answers 400, not 500. A body over the
 * server's limit (adapter-node's BODY_SIZE_LIMIT) is a 413 that says so. A field sent twice
 * keeps its last value.
 */
export async function formFields(request: Request): Promise<Record<string, FormDataEntryValue> | null> {
	try {
		return Object.fromEntries(await request.formData());
	} catch (e) {
		if ((e as { status?: unknown }).status === 413) error(413, { message: TOO_LARGE });
		return null;
	}
}

/** What a form over the server's size limit is told. */
export const TOO_LARGE = 'That is too large to send. Messages hold at most 4000 characters and photos are sent one at a time.';

/** What a form that cannot be read is told. */
export const UNREADABLE_FORM = 'The form could not be read. Reload the page and try again.';

/**
 * A page's form actions on an object without a prototype, for `export const actions`. SvelteKit
 * looks an action up as `actions[name]`, so on a plain object `?/constructor` or `?/toString`
 * reached Object.prototype's functions: a 500 (logging the whole request, its session cookie
 * included) or a 200 with nonsense. Without a prototype they are a 404 like any unknown name.
 */
export function formActions<T extends object>(actions: T): T {
	return Object.assign(Object.create(null), actions);
}
