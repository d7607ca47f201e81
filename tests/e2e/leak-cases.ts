import { randomUUID } from 'node:crypto';
import { action, answerOf, readStream, type Actor, type Answer } from './leak-probe';
import type { Victim } from './leak-victim';
import { DEMO } from './session';

/**
 * The leak matrix: every way the app names a thing (conversation id, message id, photo id,
 * offer id, quick reply id, conversation key, page data, filters, search, stream, sync, export),
 * crossed with attackers: Ben and Lee (members with no part in the conversation), a visitor
 * without a session, and Sam, its other member, asking for what is Ana's alone.
 */
export interface LeakCase {
	kind: string;
	who: Actor['name'];
	label: string;
	/** Statuses that are an honest answer here (see `refused` and the kinds that allow more). */
	allowed: readonly number[];
	/** 'all' of the victim's secrets, or only Ana's 'private' ones (for Sam, who shares the rest). */
	forbidden: 'all' | 'private';
	/** What the request itself names: the answer echoing it back tells nothing. */
	names: string;
	send: (actor: Actor) => Promise<Answer>;
}

export const OUTSIDERS = ['ben', 'lee', 'visitor'] as const;
/**
 * Signed in but not a member: 404 (nothing by that id for you) or 403 (yours to see but not to
 * change, for Sam). A visitor: 401 from actions and endpoints, 303 to sign-in from pages.
 */
const refused = (who: Actor['name']) => (who === 'visitor' ? [401, 303] : [403, 404]);

interface Context {
	victim: Victim;
	origin: string;
	baseURL: string;
}

export function leakCases({ victim, origin, baseURL }: Context): LeakCase[] {
	const cases: LeakCase[] = [];
	const v = victim;
	const post = (kind: string, who: Actor['name'], name: string, form: Record<string, string>, forbidden: 'all' | 'private' = 'all', extra: number[] = []) => {
		for (const enhanced of [true, false]) {
			cases.push({
				kind: `${kind} (${enhanced ? 'enhance' : 'form'})`,
				who,
				label: `${who} POST ?/${name} ${JSON.stringify(form)} ${enhanced ? 'enhance' : 'form'}`,
				allowed: [...refused(who), ...extra],
				forbidden,
				names: JSON.stringify(form),
				send: async ({ api }) => answerOf(await action(api, origin, name, form, enhanced))
			});
		}
	};
	const get = (kind: string, who: Actor['name'], path: string, allowed: number[], forbidden: 'all' | 'private' = 'all', method = 'GET', data?: object) => {
		cases.push({
			kind,
			who,
			label: `${who} ${method} ${path}${data ? ` ${JSON.stringify(data)}` : ''}`,
			allowed,
			forbidden,
			names: `${path} ${JSON.stringify(data ?? null)}`,
			send: async ({ api }) =>
				answerOf(
					await api.fetch(path, {
						method,
						headers: { origin },
						data,
						maxRedirects: 0
					})
				)
		});
	};
	const stream = (who: Actor['name'], query: string, lastEventId: string | null, allowed: number[], forbidden: 'all' | 'private') => {
		cases.push({
			kind: 'GET /messages/stream',
			who,
			label: `${who} GET /messages/stream${query} Last-Event-ID: ${lastEventId ?? '-'}`,
			allowed,
			forbidden,
			names: `${query} ${lastEventId}`,
			send: (actor) => readStream(baseURL, actor, query, lastEventId, STREAM_WINDOW_MS)
		});
	};
	const own = (who: Actor['name']) => (who === 'visitor' ? v.conversationId : v.outsidersConversationId);

	for (const who of OUTSIDERS) {
		// The victim's conversation, by id, in every action that takes one.
		const c = v.conversationId;
		post("action on the victim's conversation", who, 'read', {
			conversation_id: c,
			up_to: ''
		});
		post("action on the victim's conversation", who, 'read', {
			conversation_id: c,
			up_to: v.messageIds[0]
		});
		for (const flag of ['true', 'false']) {
			post("action on the victim's conversation", who, 'archive', {
				conversation_id: c,
				archived: flag
			});
			post("action on the victim's conversation", who, 'mute', {
				conversation_id: c,
				muted: flag
			});
		}
		for (const status of ['sold', 'active'])
			post("listing status of the victim's conversation", who, 'listing', {
				conversation_id: c,
				status
			});
		post("offer into the victim's conversation", who, 'offer', {
			id: randomUUID(),
			conversation_id: c,
			amount: '5',
			currency: 'EUR'
		});
		post("send into the victim's conversation", who, 'send', {
			id: randomUUID(),
			conversation_id: c,
			body: 'let me in'
		});
		// A key naming Ana with Sam's listing is, for Ben, "Ben and Ana about it": Ana does not sell
		// it, so 400 "<name> does not sell this listing", a rule about keys
		// that says nothing of Ana's and Sam's conversation.
		const key = `${DEMO.ana.id}__${v.productId}`;
		post('send by a key naming the victim', who, 'send', { id: randomUUID(), key, body: 'hello Ana' }, 'all', [400]);
		post('offer by a key naming the victim', who, 'offer', { id: randomUUID(), key, amount: '5', currency: 'EUR' }, 'all', [400]);

		// Each of the victim's messages, by id, in every action that takes a message id.
		for (const m of v.messageIds) {
			post("edit a victim's message", who, 'edit', { id: m, body: 'mine now' });
			post("delete a victim's message", who, 'delete', { id: m });
			post("react to a victim's message", who, 'react', {
				message_id: m,
				emoji: '👍'
			});
			post("report a victim's message", who, 'report', {
				message_id: m,
				reason: 'spam',
				details: ''
			});
			// Quoting a message shows its text: into one's own conversation, it would carry it out.
			post("reply_to a victim's message", who, 'send', {
				id: randomUUID(),
				conversation_id: own(who),
				body: 'quoting',
				reply_to: m
			});
			post("read up_to a victim's message", who, 'read', {
				conversation_id: own(who),
				up_to: m
			});
		}

		// The photo: served, taken back, or attached to one's own message.
		for (const size of ['thumb', 'display']) {
			get("victim's photo", who, `/messages/attachments/${v.attachmentId}/${size}`, [404]);
			get("victim's photo", who, `/messages/attachments/${v.attachmentId.toUpperCase()}/${size}`, [404]);
		}
		// 204 whatever the id names (the endpoint's documented answer: no hint whose it is); the
		// database check after this kind shows it was left alone.
		get("take back the victim's photo", who, `/messages/attachments/${v.attachmentId}`, who === 'visitor' ? [401] : [204, 404], 'all', 'DELETE');
		post("attach the victim's photo", who, 'send', {
			id: randomUUID(),
			conversation_id: own(who),
			body: 'look',
			attachments: v.attachmentId
		});

		// The offer, in every response.
		for (const act of ['accept', 'decline', 'withdraw'])
			post("respond to the victim's offer", who, 'respond', {
				offer_id: v.offerId,
				action: act
			});
		post("respond to the victim's offer", who, 'respond', {
			offer_id: v.offerId,
			action: 'counter',
			amount: '1200',
			currency: 'EUR',
			id: randomUUID()
		});

		// Ana's quick reply: saved over, or deleted.
		post("save over the victim's quick reply", who, 'save_quick_reply', {
			id: v.quickReplyId,
			body: 'overwritten'
		});
		post("delete the victim's quick reply", who, 'delete_quick_reply', {
			id: v.quickReplyId
		});

		// Reads that name the conversation: refused. Reads that name nothing of it: the attacker's own view.
		const reads = who === 'visitor' ? [401] : [403, 404];
		get("history of the victim's conversation", who, `/messages/history?conversation_id=${c}`, reads);
		get(
			"history of the victim's conversation",
			who,
			`/messages/history?conversation_id=${c}&before_at=${encodeURIComponent(new Date().toISOString())}&before_id=${v.messageIds[5]}`,
			reads
		);
		const view = who === 'visitor' ? [401] : [200];
		for (const filter of ['all', 'unread', 'needs_reply', 'archived']) get('previews', who, `/messages/previews?filter=${filter}`, view);
		get('previews', who, `/messages/previews?filter=listing&product=${v.productId}`, view);
		for (const cursor of [0, ...v.anaEventIds]) get('sync', who, `/messages/sync?cursor=${cursor}`, view);
		// 204 to anyone signed in: typing relays to members only and does not say whether one was found.
		get('typing into the victim conversation', who, '/messages/typing', who === 'visitor' ? [401] : [204], 'all', 'POST', { conversation_id: c });
		get('account export', who, '/account/export', who === 'visitor' ? [303, 401] : [200]);
		get("the victim's listing page", who, `/products/${v.productId}`, [200]);
	}

	// Conversation keys are relative to the viewer: `ana__product` opened by Ben is Ben and Ana
	// about it, never Ana and Sam. Pages show the attacker's own (empty) view, or say 400/404.
	for (const who of ['ben', 'lee', 'visitor', 'sam'] as const) {
		const forbidden = who === 'sam' ? 'private' : 'all';
		const page = who === 'visitor' ? [303, 401] : [200, 400, 404];
		const keys = [`${DEMO.ana.id}__${v.productId}`, `${DEMO.sam.id}__${v.productId}`, `${DEMO.ana.id}__general`, `${DEMO.sam.id}__general`, v.conversationId];
		// The listing's title finds the conversation itself (search_conversations), with its preview.
		const words = who === 'sam' ? v.privateMarkers : [...v.sharedMarkers, ...v.privateMarkers, v.amounts[1]];
		const searches = [...words, v.productTitle].map((q) => `q=${encodeURIComponent(q)}`);
		const queries = [
			...keys.map((key) => `conversation=${key}`),
			`filter=listing&product=${v.productId}`,
			...['unread', 'needs_reply', 'archived'].map((filter) => `filter=${filter}`),
			...searches
		];
		for (const query of queries) {
			get('messages page', who, `/messages?${query}`, page, forbidden);
			get('messages page data', who, `/messages/__data.json?${query}`, page, forbidden);
		}
		// The search's next pages ("More results"), from the first page on and from a cursor.
		for (const query of searches) {
			get('search', who, `/messages/search?${query}`, who === 'visitor' ? [401] : [200], forbidden);
			get('search', who, `/messages/search?${query}&before_at=${encodeURIComponent(new Date().toISOString())}&before_id=${v.messageIds[5]}`, who === 'visitor' ? [401] : [200], forbidden);
		}
	}

	// Sam, the other member, asking for what is Ana's alone.
	for (const m of v.anasMessageIds.concat(v.messageIds[5])) {
		post("Sam edits Ana's message", 'sam', 'edit', { id: m, body: 'mine now' }, 'private');
		post("Sam deletes Ana's message", 'sam', 'delete', { id: m }, 'private');
	}
	post("Sam saves over Ana's quick reply", 'sam', 'save_quick_reply', { id: v.quickReplyId, body: 'overwritten' }, 'private');
	post("Sam deletes Ana's quick reply", 'sam', 'delete_quick_reply', { id: v.quickReplyId }, 'private');
	post("Sam withdraws Ana's offer", 'sam', 'respond', { offer_id: v.offerId, action: 'withdraw' }, 'private');
	post(
		"Sam attaches Ana's photo",
		'sam',
		'send',
		{
			id: randomUUID(),
			conversation_id: v.conversationId,
			body: 'look',
			attachments: v.attachmentId
		},
		'private'
	);
	get("take back the victim's photo", 'sam', `/messages/attachments/${v.attachmentId}`, [204, 404], 'private', 'DELETE');
	get("Sam's own history with Ana", 'sam', `/messages/history?conversation_id=${v.conversationId}`, [200], 'private');
	for (const cursor of [0, ...v.anaEventIds]) get("Sam's own sync", 'sam', `/messages/sync?cursor=${cursor}`, [200], 'private');
	get('previews', 'sam', `/messages/previews?filter=listing&product=${v.productId}`, [200], 'private');
	get('account export', 'sam', '/account/export', [200], 'private');

	// The stream, from the start and from ids in Ana's log: only the caller's own events.
	for (const who of ['ben', 'lee', 'sam'] as const) {
		const forbidden = who === 'sam' ? 'private' : 'all';
		stream(who, '?cursor=0', null, [200], forbidden);
		for (const id of [v.anaEventIds[0], v.anaEventIds[2]]) {
			stream(who, '', String(id), [200], forbidden);
			stream(who, `?cursor=${id}`, null, [200], forbidden);
		}
	}
	stream('visitor', '?cursor=0', null, [401], 'all');
	stream('visitor', '', String(v.anaEventIds[0]), [401], 'all');
	return cases;
}

/** How long a stream is read before it is cut; the positive control shows the catch-up arrives within it. */
export const STREAM_WINDOW_MS = 700;
