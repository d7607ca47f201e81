import { randomUUID } from 'node:crypto';
import { STREAM_WINDOW_MS } from './leak-cases';
import { action, answerOf, readStream, uploadShelfPhoto, type Actor, type Answer } from './leak-probe';
import type { Victim } from './leak-victim';
import { DEMO } from './session';

/**
 * Positive controls for the leak matrix: the same requests, made by whom they belong to, DO get
 * the data (reads) or DO take effect (actions). Without them a request shape the app does not
 * understand (a wrong field, a wrong path) would be refused for everyone and pass as "no leak".
 */
export interface Control {
	label: string;
	who: 'ana' | 'sam';
	/** Strings the answer must carry; `photo` for the photo's bytes. */
	mustContain: (string | 'photo')[];
	send: (actor: Actor) => Promise<Answer>;
}

interface Context {
	victim: Victim;
	origin: string;
	baseURL: string;
}

/** Reads: the victim sees their own things through each way the matrix asks for them. */
export function readControls({ victim: v, origin, baseURL }: Context): Control[] {
	const get = (who: Control['who'], path: string, mustContain: Control['mustContain']): Control => ({
		label: `${who} GET ${path}`,
		who,
		mustContain,
		send: async ({ api }) => answerOf(await api.fetch(path, { headers: { origin }, maxRedirects: 0 }))
	});
	const ownText = [...v.sharedMarkers, ...v.privateMarkers.slice(0, 2)];
	const controls: Control[] = [];
	for (const who of ['ana', 'sam'] as const) {
		for (const size of ['thumb', 'display']) {
			controls.push(get(who, `/messages/attachments/${v.attachmentId}/${size}`, ['photo']));
			controls.push(get(who, `/messages/attachments/${v.attachmentId.toUpperCase()}/${size}`, ['photo']));
		}
		for (const cursor of v.anaEventIds.slice(0, 1)) {
			controls.push({
				label: `${who} GET /messages/stream?cursor=${cursor}`,
				who,
				mustContain: v.sharedMarkers,
				send: (actor) => readStream(baseURL, actor, `?cursor=${cursor}`, null, STREAM_WINDOW_MS)
			});
		}
	}
	const key = `${DEMO.sam.id}__${v.productId}`;
	controls.push(
		get('ana', `/messages/history?conversation_id=${v.conversationId}`, [...ownText, ...v.messageIds, v.amounts[0]]),
		get('ana', `/messages/previews?filter=all`, [v.conversationId]),
		get('sam', `/messages/previews?filter=listing&product=${v.productId}`, [v.conversationId]),
		get('ana', `/messages/sync?cursor=${v.anaEventIds[0]}`, [...ownText, v.messageIds[0]]),
		get('ana', `/messages?conversation=${key}`, [...ownText, ...v.privateMarkers, v.amounts[2]]),
		get('ana', `/messages/__data.json?conversation=${key}`, [...ownText, ...v.privateMarkers, v.amounts[0]]),
		get('sam', `/messages?conversation=${DEMO.ana.id}__${v.productId}`, [...v.sharedMarkers, v.messageIds[0]]),
		get('sam', `/messages?filter=listing&product=${v.productId}`, [v.conversationId]),
		get('ana', `/messages?q=${v.sharedMarkers[0]}`, [v.messageIds[0]]),
		get('ana', `/messages/__data.json?q=${v.sharedMarkers[2]}`, [v.messageIds[2]]),
		get('ana', '/account/export', [...ownText, ...v.privateMarkers, v.offerId]),
		{
			label: `ana GET /messages/stream Last-Event-ID: ${v.anaEventIds[0]}`,
			who: 'ana',
			mustContain: ownText,
			send: (actor) => readStream(baseURL, actor, '', String(v.anaEventIds[0]), STREAM_WINDOW_MS)
		}
	);
	return controls;
}

/**
 * Actions: the members themselves, with the request shapes the matrix uses, succeed. Run after
 * the matrix, as they change the victim's conversation.
 */
export function actionControls({ victim: v, origin }: Context): Control[] {
	const c = v.conversationId;
	const [first, reply] = v.messageIds;
	const post = (who: Control['who'], name: string, form: Record<string, string>, enhanced = true): Control => ({
		label: `${who} POST ?/${name} ${JSON.stringify(form)} ${enhanced ? 'enhance' : 'form'}`,
		who,
		mustContain: [],
		send: async ({ api }) => answerOf(await action(api, origin, name, form, enhanced))
	});
	const upload = (api: Actor['api']) => uploadShelfPhoto(api, origin);
	return [
		post('ana', 'read', { conversation_id: c, up_to: '' }),
		post('ana', 'read', { conversation_id: c, up_to: reply }),
		...['true', 'false'].flatMap((flag) => [
			post('ana', 'archive', { conversation_id: c, archived: flag }),
			post('ana', 'mute', { conversation_id: c, muted: flag })
		]),
		post('ana', 'archive', { conversation_id: c, archived: 'false' }, false),
		post('ana', 'react', { message_id: reply, emoji: '👍' }),
		post('ana', 'report', { message_id: reply, reason: 'spam', details: '' }),
		post('ana', 'send', {
			id: randomUUID(),
			conversation_id: c,
			body: 'quoting you',
			reply_to: reply
		}),
		post('ana', 'send', { id: randomUUID(), conversation_id: c, body: 'plain form send' }, false),
		post('ana', 'edit', { id: first, body: 'edited by its sender' }),
		post('ana', 'save_quick_reply', {
			id: v.quickReplyId,
			body: 'saved over by its owner'
		}),
		post('ana', 'respond', { offer_id: v.offerId, action: 'withdraw' }),
		post('ana', 'offer', {
			id: randomUUID(),
			conversation_id: c,
			amount: '5',
			currency: 'EUR'
		}),
		post('sam', 'listing', { conversation_id: c, status: 'sold' }),
		post('sam', 'listing', { conversation_id: c, status: 'active' }),
		{
			label: 'ana POST ?/send with her own new photo',
			who: 'ana',
			mustContain: [],
			send: async ({ api }) =>
				answerOf(
					await action(
						api,
						origin,
						'send',
						{
							id: randomUUID(),
							conversation_id: c,
							body: 'another photo',
							attachments: await upload(api)
						},
						true
					)
				)
		},
		{
			label: 'ana DELETE /messages/attachments/<her pending photo>',
			who: 'ana',
			mustContain: [],
			send: async ({ api }) =>
				answerOf(
					await api.delete(`/messages/attachments/${await upload(api)}`, {
						headers: { origin }
					})
				)
		},
		{
			label: 'ana POST /messages/typing',
			who: 'ana',
			mustContain: [],
			send: async ({ api }) =>
				answerOf(
					await api.post('/messages/typing', {
						headers: { origin },
						data: { conversation_id: c }
					})
				)
		},
		post('ana', 'delete_quick_reply', { id: v.quickReplyId }),
		post('ana', 'delete', { id: first })
	];
}
