import { fail, type RequestEvent, type RequestHandler, type ServerLoadEvent } from '@sveltejs/kit';
import { MessagingError } from '../../../messaging/errors.js';
import { formActions } from '../form.js';

/** What the unsubscribe page shows before anything is posted. */
export interface UnsubscribePageData {
	/** The link carries a member and a signature (whether the signature is ours is checked on POST). */
	complete: boolean;
	/** The link is ours and that member's digests are off already (unsubscribed before, by link or in settings). */
	alreadyOff: boolean;
}

/** What a POST answers: digests switched off, or why not. */
export interface UnsubscribeResult {
	unsubscribed: boolean;
	message: string;
}

const LINK = { u: /^[0-9a-f-]{36}$/i, t: /^[0-9a-f]{64}$/i };
const PLAIN = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
const INCOMPLETE = 'This unsubscribe link is not complete. Switch digests off on your account page instead.';

function linkOf(url: URL): { userId: string; token: string } | null {
	const userId = url.searchParams.get('u') ?? '';
	const token = url.searchParams.get('t') ?? '';
	return LINK.u.test(userId) && LINK.t.test(token) ? { userId, token } : null;
}

/**
 * The page a digest's unsubscribe link opens. Opening it changes nothing (mail scanners and
 * link previews follow links); it shows a button that posts back to the same address, or says
 * digests are off already.
 */
export async function load({ url, locals }: ServerLoadEvent): Promise<UnsubscribePageData> {
	const link = linkOf(url);
	if (!link) return { complete: false, alreadyOff: false };
	return { complete: true, alreadyOff: (await locals.messaging.digestsOnForLink(link)) === false };
}

/** Switches off the digests the address's link names; what to say, and with which status. */
async function unsubscribe(url: URL, locals: RequestEvent['locals']): Promise<{ status: number; result: UnsubscribeResult }> {
	const link = linkOf(url);
	if (!link) return { status: 400, result: { unsubscribed: false, message: INCOMPLETE } };
	try {
		await locals.messaging.unsubscribeDigests(link);
		return { status: 200, result: { unsubscribed: true, message: 'You will no longer get digests of unread messages by email.' } };
	} catch (e) {
		if (e instanceof MessagingError) return { status: e.status, result: { unsubscribed: false, message: e.message } };
		throw e;
	}
}

export const actions = formActions({
	/**
	 * The page's button (a browser asking for HTML). Signed in or not, the database checks the
	 * link's signature and switches that member's digests off.
	 */
	default: async ({ url, locals }: RequestEvent) => {
		const { status, result } = await unsubscribe(url, locals);
		return status === 200 ? result : fail(status, result);
	}
});

/**
 * The one-click POST mail clients send from the List-Unsubscribe header (RFC 8058: body
 * `List-Unsubscribe=One-Click`, no session, no cookies, not asking for HTML), for a `+server.ts`
 * beside the page: SvelteKit gives it the POSTs that do not ask for HTML, so the mail client gets
 * a plain answer with a real status instead of a form action's JSON. The member and signature
 * are in the address; the body is not needed.
 */
export const oneClick: RequestHandler = async ({ url, locals }) => {
	const { status, result } = await unsubscribe(url, locals);
	return new Response(result.message, { status, headers: PLAIN });
};

/**
 * A GET of the link that does not ask for HTML (curl, a mail provider's scanner checking the
 * links of a mail): SvelteKit gives it to the `+server.ts`, which had no GET and answered a bare
 * 405. It changes nothing, as no GET may (scanners fetch every link they see), and says how; a
 * link without its member and signature is refused as the POST refuses it.
 */
export const linkFetched: RequestHandler = ({ url }) => {
	const complete = linkOf(url) !== null;
	return new Response(complete ? 'Open this link in a web browser and press Unsubscribe there to stop emails about unread messages.' : INCOMPLETE, {
		status: complete ? 200 : 400,
		headers: PLAIN
	});
};
