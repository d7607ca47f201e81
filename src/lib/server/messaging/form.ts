/**
 * A submitted form's fields, or null when the body cannot be read as one (a broken multipart
 * body, a content type that is no form): the caller answers 400, not 500. A field sent twice
 * keeps its last value.
 */
export async function formFields(request: Request): Promise<Record<string, FormDataEntryValue> | null> {
	try {
		return Object.fromEntries(await request.formData());
	} catch {
		return null;
	}
}

/** What a form that cannot be read is told. */
export const UNREADABLE_FORM = 'The form could not be read. Reload the page and try again.';
