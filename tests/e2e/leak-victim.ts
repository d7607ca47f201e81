import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { action, resultOf, uploadShelfPhoto, type Actor } from './leak-probe';
import { DEMO } from './session';

/**
 * The victim of the leak matrix: Ana (buyer) and Sam (seller) in a conversation about a listing
 * made for this run, holding everything the app names by id: messages with unique markers, a
 * photo, an offer, a reaction, Ana's quick reply, and two messages of Ana's whose text as
 * written (message_originals) only she may read, one of them edited.
 */
export interface Victim {
	productId: string;
	/** The listing's title, this run's alone: what a search for the conversation by its listing types. */
	productTitle: string;
	conversationId: string;
	/** Every message of the conversation: Ana's text, Sam's reply, the photo, the edited and the masked ones, the offer card. */
	messageIds: string[];
	/** Ana's own messages (what Sam may not edit or delete). */
	anasMessageIds: string[];
	attachmentId: string;
	offerId: string;
	quickReplyId: string;
	/** In the conversation's stored messages: both members see these, nobody else. */
	sharedMarkers: string[];
	/** Ana's alone: her texts as written and her quick reply. */
	privateMarkers: string[];
	/** The offer's amount as stored and as shown. */
	amounts: string[];
	/** Runs of the photo's served bytes (thumb and display). */
	photoChunks: Buffer[];
	/** Event ids from Ana's log about this conversation: the one before its first, its first, its last. */
	anaEventIds: number[];
	/** A conversation of Ben's and Lee's own, for sends that point at the victim's things from there. */
	outsidersConversationId: string;
}


/**
 * Writes `original` as the text Ana wrote for a message whose stored body hides her contact
 * details, as the send and edit RPCs do while the operator's contact masking is on. Arranged in
 * SQL rather than by switching masking on: that global setting is cached by the app for 10 s
 * and would hold up (or refuse) other sends meanwhile; the rows end up the same.
 */
async function keepOriginal(db: pg.Client, messageId: string, original: string) {
	await db.query('insert into public.message_originals (message_id, sender_id, body) values ($1, $2, $3)', [messageId, DEMO.ana.id, original]);
	// The trigger marks contact_hidden from the original's presence on an update of body.
	await db.query('update public.messages set body = body where id = $1', [messageId]);
}

export async function arrangeVictim(db: pg.Client, actors: { ana: Actor; sam: Actor; ben: Actor }, origin: string): Promise<Victim> {
	const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
	const marker = (name: string) => `lk${stamp}${name}`;
	const productId = randomUUID();
	const productTitle = `Leak test lens ${stamp}`;
	await db.query(
		`insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status)
		 values ($1, $2, $3, 'A lens for the leak matrix.', 250000, 'EUR', '/products/camera.svg', 'active')`,
		[productId, DEMO.sam.id, productTitle]
	);
	// Earlier specs in the same run may have used up exports (3 an hour) or left a block between
	// demo members; either would refuse this spec's own requests for reasons that are not its subject.
	const demo = Object.values(DEMO).map((user) => user.id);
	await db.query('delete from private.data_exports where user_id = any($1)', [demo]);
	await db.query('delete from public.user_blocks where blocker_id = any($1) and blocked_id = any($1)', [demo]);

	const send = async (who: Actor, fields: Record<string, string>) =>
		resultOf<{ id: string; conversation_id: string }>(await action(who.api, origin, 'send', { id: randomUUID(), ...fields }, true));
	const { ana, sam, ben } = actors;

	const first = await send(ana, {
		key: `${DEMO.sam.id}__${productId}`,
		body: `Is the lens sharp? ${marker('first')}`
	});
	const conversationId = first.conversation_id;
	const reply = await send(sam, {
		conversation_id: conversationId,
		body: `Very sharp, ${marker('reply')}`
	});

	const attachmentId = await uploadShelfPhoto(ana.api, origin);
	const photo = await send(ana, {
		conversation_id: conversationId,
		body: `My shelf ${marker('photo')}`,
		attachments: attachmentId
	});

	const edited = await send(ana, {
		conversation_id: conversationId,
		body: `Draft ${marker('draft')}`
	});
	await resultOf(
		await action(
			ana.api,
			origin,
			'edit',
			{
				id: edited.id,
				body: `Write to (contact details hidden) ${marker('edited')}`
			},
			true
		)
	);
	await keepOriginal(db, edited.id, `Write to ${marker('origedit')}@example.com ${marker('edited')}`);
	const masked = await send(ana, {
		conversation_id: conversationId,
		body: `Call me on (contact details hidden) ${marker('masked')}`
	});
	await keepOriginal(db, masked.id, `Call me on +44 7700 900${Math.floor(Math.random() * 900 + 100)} ${marker('origsend')} ${marker('masked')}`);

	await resultOf(await action(sam.api, origin, 'react', { message_id: first.id, emoji: '🙏' }, true));
	const card = await resultOf<{ id: string; offer: { id: string } }>(
		await action(
			ana.api,
			origin,
			'offer',
			{
				id: randomUUID(),
				conversation_id: conversationId,
				amount: '1372.91',
				currency: 'EUR'
			},
			true
		)
	);
	const quickReplyId = randomUUID();
	await resultOf(await action(ana.api, origin, 'save_quick_reply', { id: quickReplyId, body: `Thanks, ${marker('quick')} speaking` }, true));

	const photoChunks: Buffer[] = [];
	for (const size of ['thumb', 'display']) {
		const served = await ana.api.get(`/messages/attachments/${attachmentId}/${size}`);
		if (served.status() !== 200) throw new Error(`Ana's own ${size} answered ${served.status()}`);
		const bytes = await served.body();
		const middle = Math.floor(bytes.length / 2);
		photoChunks.push(bytes.subarray(middle, middle + 48));
	}

	const own = await send(ben, {
		key: `${DEMO.lee.id}__general`,
		body: `Hello Lee, ben here ${stamp}`
	});
	const { rows } = await db.query<{ first: string; last: string }>(
		'select min(id) as first, max(id) as last from public.messaging_events where user_id = $1 and conversation_id = $2',
		[DEMO.ana.id, conversationId]
	);
	const anaEventIds = [Number(rows[0].first) - 1, Number(rows[0].first), Number(rows[0].last)];

	return {
		productId,
		productTitle,
		conversationId,
		messageIds: [first.id, reply.id, photo.id, edited.id, masked.id, card.id],
		anasMessageIds: [first.id, photo.id, edited.id, masked.id],
		attachmentId,
		offerId: card.offer.id,
		quickReplyId,
		sharedMarkers: ['first', 'reply', 'photo', 'edited', 'masked'].map(marker),
		privateMarkers: ['origedit', 'origsend', 'quick'].map(marker),
		amounts: ['137291', '1372.91', '1,372.91'],
		photoChunks,
		anaEventIds,
		outsidersConversationId: own.conversation_id
	};
}
