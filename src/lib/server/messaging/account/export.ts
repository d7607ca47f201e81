import { error, redirect, type Cookies, type RequestHandler } from '@sveltejs/kit';
import { z } from 'zod';
import { MessagingError } from '../../../messaging/errors.js';
import { isMuted } from '../../../messaging/mute.js';
import { previewText } from '../../../messaging/preview-text.js';
import { OfferCardPayload, type Cursor, type Message, type UserSummary } from '../../../messaging/schemas/index.js';
import type { AccountData, ExportedConversation, ExportedOffer, ExportStart } from '../backend/account.js';
import { orErrorPage } from '../backend/user-errors.js';

/** How many rows each call asks for; small, so no call and no piece of the download is ever big. */
export interface ExportPageSizes {
	conversations: number;
	messages: number;
	offers: number;
}

const PAGE_SIZES: ExportPageSizes = { conversations: 50, messages: 200, offers: 100 };

export interface DataExportOptions {
	/** The caller's backend (the signed-in member's). */
	messaging: AccountData;
	/** The member's id and, when the session knows it, email address. */
	me: { id: string; email?: string | null };
	/** Where photo links point: `${origin}${basePath}/attachments/<id>/display`. */
	origin: string;
	basePath: string;
	pageSizes?: Partial<ExportPageSizes>;
}

/**
 * The member's data as a JSON download: the profile, preferences, quick replies, the members they
 * blocked and the reports they filed, then every conversation (with whom, about what) with every
 * message sent and received (as the member sees them in the thread, photo links included) and the
 * offers made in it. Streamed: the body is
 * written a page of rows at a time as the reader takes it, so the export is never held in
 * memory whole. Starting it counts against the limit (3 an hour): a MessagingError
 * `rate_limited` is thrown here, before any byte is sent.
 */
export async function dataExportResponse(options: DataExportOptions): Promise<Response> {
	const start = await options.messaging.startDataExport();
	const pieces = exportPieces(start, options, { ...PAGE_SIZES, ...options.pageSizes })[Symbol.asyncIterator]();
	const encoder = new TextEncoder();
	// No queue of its own (highWaterMark 0): the next page is asked for only when the reader wants more.
	const body = new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				const { value, done } = await pieces.next();
				if (done) controller.close();
				else controller.enqueue(encoder.encode(value));
			},
			async cancel() {
				await pieces.return?.(undefined);
			}
		},
		{ highWaterMark: 0 }
	);
	return new Response(body, {
		headers: {
			'content-type': 'application/json; charset=utf-8',
			'content-disposition': `attachment; filename="bazaar-messages-${start.exported_at.slice(0, 10)}.json"`,
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}

/**
 * GET handler for a `+server.ts` (`export const GET = dataExportEndpoint({ basePath: '/messages', backTo: '/account' })`):
 * the download for the signed-in member, 401 for anyone else. A refusal (3 downloads this hour)
 * is a 429 with the sentence for a script; a browser that opened the link is sent back to
 * `backTo` (the page with the link) and the sentence waits there for `dataExportRefusal`: the
 * error page it got instead had none of the site around it. Without `backTo`, the error page.
 */
export function dataExportEndpoint(options: { basePath: string; backTo?: string; pageSizes?: Partial<ExportPageSizes> }): RequestHandler {
	const { backTo, ...rest } = options;
	return async ({ locals, url, request, cookies }) => {
		const user = locals.user;
		if (!user) error(401, { message: 'Sign in to download your data.' });
		const email = 'email' in user && typeof user.email === 'string' ? user.email : null;
		return orErrorPage(async () => {
			try {
				return await dataExportResponse({ messaging: locals.messaging, me: { id: user.id, email }, origin: url.origin, ...rest });
			} catch (e) {
				if (!backTo || !(e instanceof MessagingError) || e.status >= 500 || !opensPage(request)) throw e;
				// Short-lived and for that page only: read once, it is gone (a reload does not say it again).
				cookies.set(REFUSAL_COOKIE, e.message, { path: backTo, httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 60 });
				redirect(303, backTo);
			}
		});
	};
}

const REFUSAL_COOKIE = 'bazaar_export_refused';
// What we wrote, no more: the cookie comes back from the browser, which may send anything.
const Refusal = z.string().min(1).max(500);

/** A browser navigating to the link (not a fetch or a script, which get the 429 and its sentence). */
const opensPage = (request: Request) =>
	request.headers.get('sec-fetch-mode') === 'navigate' || (request.headers.get('accept') ?? '').includes('text/html');

/**
 * For the load of the page `backTo` names: why the download the member just asked for was
 * refused ("You can download your data 3 times an hour. Try again in 60 minutes."), once, or null.
 */
export function dataExportRefusal({ cookies, url }: { cookies: Cookies; url: URL }): string | null {
	const sent = cookies.get(REFUSAL_COOKIE);
	if (sent === undefined) return null;
	cookies.delete(REFUSAL_COOKIE, { path: url.pathname });
	const refusal = Refusal.safeParse(sent);
	return refusal.success ? refusal.data : null;
}

/** The download, piece by piece: one piece per page of rows. */
async function* exportPieces(start: ExportStart, options: DataExportOptions, sizes: ExportPageSizes): AsyncGenerator<string> {
	const { messaging, me } = options;
	const head = {
		format: 'bazaar-messages/1',
		exported_at: start.exported_at,
		profile: { ...start.profile, email: me.email ?? null },
		preferences: start.preferences,
		quick_replies: start.quick_replies,
		blocks: start.blocks,
		reports: start.reports
	};
	// The head's closing brace gives way to the conversations array.
	yield `${JSON.stringify(head, null, '\t').slice(0, -2)},\n\t"conversations": [`;
	let separator = '';
	const conversationPages = pages(
		(after: string | null) => messaging.exportConversations({ after, limit: sizes.conversations }),
		sizes.conversations,
		(c) => c.conversation_id
	);
	for await (const conversations of conversationPages) {
		for (const conversation of conversations) {
			// Its closing brace gives way to its messages and offers.
			yield `${separator}\n\t\t${JSON.stringify(exportedConversation(conversation, start.exported_at)).slice(0, -1)},"messages":[`;
			separator = ',';
			yield* rowsOf(
				pages(
					(after: Cursor | null) => messaging.exportMessages({ conversationId: conversation.conversation_id, after, limit: sizes.messages }),
					sizes.messages,
					(m) => ({ at: m.created_at, id: m.id })
				),
				(message) => exportedMessage(message, options, { id: conversation.other_user_id, display_name: conversation.other_display_name })
			);
			yield '],"offers":[';
			yield* rowsOf(
				pages(
					(after: Cursor | null) => messaging.exportOffers({ conversationId: conversation.conversation_id, after, limit: sizes.offers }),
					sizes.offers,
					(o) => ({ at: o.created_at, id: o.id })
				),
				(offer) => exportedOffer(offer, me.id)
			);
			yield ']}';
		}
	}
	yield '\n\t]\n}\n';
}

/** Pages of rows until a short one: each page asks for what follows the last row of the one before. */
async function* pages<Row, After>(fetchPage: (after: After | null) => Promise<Row[]>, size: number, cursorOf: (row: Row) => After): AsyncGenerator<Row[]> {
	let after: After | null = null;
	for (;;) {
		const rows = await fetchPage(after);
		if (rows.length) yield rows;
		if (rows.length < size) return;
		after = cursorOf(rows[rows.length - 1]);
	}
}

/** The rows of every page as JSON array elements, one piece per page. */
async function* rowsOf<Row>(source: AsyncGenerator<Row[]>, shape: (row: Row) => unknown): AsyncGenerator<string> {
	let separator = '';
	for await (const rows of source) {
		let piece = '';
		for (const row of rows) {
			piece += `${separator}\n\t\t\t${JSON.stringify(shape(row))}`;
			separator = ',';
		}
		yield piece;
	}
}

function exportedConversation(c: ExportedConversation, exportedAt: string) {
	// "Until I unmute" is stored as PostgreSQL's `infinity`, which no date parser reads: `muted`
	// says whether it is muted now, `muted_until` when that ends (null: not muted, or no end).
	const muted = isMuted(c.muted_until, new Date(exportedAt));
	return {
		id: c.conversation_id,
		started_at: c.started_at,
		with: { id: c.other_user_id, username: c.other_username, display_name: c.other_display_name },
		product: c.product_id
			? { id: c.product_id, title: c.product_title, price_cents: c.product_price_cents, currency: c.product_currency }
			: null,
		archived: c.archived,
		muted,
		muted_until: muted && c.muted_until !== 'infinity' ? c.muted_until : null,
		last_read_at: c.last_read_at
	};
}

/**
 * An offer card or an update in the words the member's thread showed it in ("You offered
 * €20.00", "Lee countered with €25.00", "Lee marked this as sold to you"), as inbox previews word
 * them; the stored sentence is the neutral one search and email use ("Ana offered €20.00").
 */
function shownText(m: Message, me: string, other: Pick<UserSummary, 'id' | 'display_name'>): string {
	if (m.kind === 'text') return m.body;
	return previewText(
		{
			last_message_preview: m.body,
			last_message_deleted: false,
			last_message_kind: m.kind,
			last_message_payload: m.payload,
			last_message_sender_id: m.sender_id,
			other_user_id: other.id,
			other_display_name: other.display_name,
			// A card's offer names the listing's seller: their cards are counters.
			product_seller_id: m.offer?.seller_id ?? null
		},
		me
	);
}

function exportedMessage(m: Message, { me, origin, basePath }: DataExportOptions, other: Pick<UserSummary, 'id' | 'display_name'>) {
	const photoUrl = (photo: string) => new URL(`${basePath}/attachments/${encodeURIComponent(photo)}/display`, origin).href;
	const card = m.kind === 'offer' ? OfferCardPayload.safeParse(m.payload) : null;
	return {
		id: m.id,
		sent_by_you: m.sender_id === me.id,
		sender_id: m.sender_id,
		sender_name: m.sender_display_name,
		kind: m.kind,
		// Your own text as you wrote it; what the other member sent as you were shown it; cards
		// and updates as your thread worded them.
		body: shownText(m, me.id, other),
		created_at: m.created_at,
		edited_at: m.edited_at,
		deleted_at: m.deleted_at,
		reply_to_id: m.reply_to_id,
		// Sent by you: the other member saw it with contact details hidden. Received: you saw it so.
		contact_details_hidden: m.contact_hidden,
		photos: m.attachments.map((photo) => ({ id: photo.id, url: photoUrl(photo.id), width: photo.width, height: photo.height })),
		reactions: m.reactions,
		your_reactions: m.reactions.filter((reaction) => reaction.user_ids.includes(me.id)).map((reaction) => reaction.emoji),
		// A card's own amount (a counter's, say); `offer` is the offer as it stands now.
		card: card?.success ? card.data : null,
		offer: m.offer,
		event: m.kind === 'system' ? m.payload : null
	};
}

function exportedOffer(o: ExportedOffer, me: string) {
	return { ...o, you_are: o.buyer_id === me ? 'buyer' : 'seller' };
}
