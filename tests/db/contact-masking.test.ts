// Contact masking against the real database, on a database of its own (the setting is shared by
// everything in a database): what each member sees wherever a message reaches them (the answer
// to the send, the thread, events pushed and caught up, previews, search, a direct select), that
// an unscreened or forged text is refused while masking is on (a Supabase user can call
// send_message directly), edits and deletes, and the server noticing the setting change.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HIDDEN_CONTACT } from '../../src/lib/server/messaging/contact/contact-details.ts';
import { contactScreen, signScreenedText, type ContactScreen } from '../../src/lib/server/messaging/contact/screen.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import type { Message } from '../../src/lib/messaging/schemas/index.ts';
import { claimsFor, migratedScratchDatabase, sqlAs, tableScansAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, rejection, send } from '../support/messaging.ts';

const admin = testPool();
let db: pg.Pool;
let drop: () => Promise<void> = async () => {};

const WRITTEN = 'Sure! Call me on +44 7700 900123 or write to ana.buyer@example.com';
const MASKED = `Sure! Call me on ${HIDDEN_CONTACT} or write to ${HIDDEN_CONTACT}`;

const loadScreening = async () => (await db.query('select public.contact_screening() as s')).rows[0].s;

/** An actor whose backend screens through `screen` (a fresh one unless given), as the app server's does. */
async function screenedActor(screen: ContactScreen = contactScreen(loadScreening)): Promise<Actor> {
	const actor = await createActor(db);
	return { ...actor, api: postgresMessaging({ pool: db, claims: claimsFor(actor.id, actor.email), screen }) };
}

async function masking(on: boolean) {
	await db.query('update public.messaging_settings set contact_masking = $1', [on]);
}

async function threadAs(actor: Actor, conversationId: string): Promise<Message[]> {
	return (await actor.api.listMessages({ conversationId })).messages;
}

beforeAll(async () => {
	const scratch = await migratedScratchDatabase(admin);
	drop = scratch.drop;
	db = createPool(scratch.url, { max: 4 });
});

afterAll(async () => {
	await db?.end();
	await drop();
});

beforeEach(() => masking(true));

describe('while masking is on', () => {
	it('stores the masked text, and gives the sender back what they wrote and the recipient the masked text, everywhere', async () => {
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		const product = await createProduct(db, lee.id);
		const leeCursor = (await lee.api.sessionStart()).cursor;
		const anaCursor = (await ana.api.sessionStart()).cursor;
		const sent = await send(ana, lee, WRITTEN, product.id);
		expect([sent.body, sent.contact_hidden]).toEqual([WRITTEN, true]);

		const [stored] = (await db.query('select body, contact_hidden from public.messages where id = $1', [sent.id])).rows;
		expect(stored).toEqual({ body: MASKED, contact_hidden: true });

		expect((await threadAs(ana, sent.conversation_id))[0].body).toBe(WRITTEN);
		expect((await threadAs(lee, sent.conversation_id))[0]).toMatchObject({ body: MASKED, contact_hidden: true });
		const opened = await lee.api.openConversation({ otherUserId: ana.id, productId: product.id });
		expect(opened.page.messages[0].body).toBe(MASKED);

		// Events: caught up by each member, and as the relay renders them by reference (service_role).
		const bodyIn = (events: { type: string; payload: unknown }[]) =>
			(events.find((e) => e.type === 'message.created')?.payload as { message: Message }).message.body;
		expect(bodyIn((await lee.api.syncSince({ cursor: leeCursor })).events)).toBe(MASKED);
		expect(bodyIn((await ana.api.syncSince({ cursor: anaCursor })).events)).toBe(WRITTEN);
		const relayed = await db.query(
			`select user_id, event from public.messaging_events_by_ref(
			   (select jsonb_agg(jsonb_build_object('user_id', e.user_id, 'id', e.id)) from public.messaging_events e
			     where e.type = 'message.created' and e.payload ->> 'message_id' = $1))`,
			[sent.id]
		);
		const relayedBody = (userId: string) => relayed.rows.find((r) => r.user_id === userId).event.payload.message.body;
		expect([relayedBody(lee.id), relayedBody(ana.id)]).toEqual([MASKED, WRITTEN]);

		// The inbox preview and search know only the masked text: the number is in neither.
		const preview = (await lee.api.listConversationPreviews()).previews[0];
		expect(preview.last_message_preview).toBe(MASKED);
		expect((await lee.api.searchMessages({ query: '7700' })).hits).toEqual([]);
		expect((await lee.api.searchMessages({ query: 'Call' })).hits.map((h) => h.body)).toEqual([MASKED]);

		// A direct select (what a Supabase client could do) finds only what each may see.
		expect(await sqlAs(db, lee.id, 'select body from public.messages where id = $1', [sent.id])).toEqual([{ body: MASKED }]);
		expect(await sqlAs(db, lee.id, 'select body from public.message_originals')).toEqual([]);
		expect(await sqlAs(db, lee.id, 'select body from public.messages_realtime_view where id = $1', [sent.id])).toEqual([{ body: MASKED }]);
		expect(await sqlAs(db, ana.id, 'select body from public.messages_realtime_view where id = $1', [sent.id])).toEqual([{ body: WRITTEN }]);
		expect(await sqlAs(db, ana.id, 'select body from public.message_originals')).toEqual([{ body: WRITTEN }]);
	});

	it('reads the text of a message hiding contact details once for each event that carries it', async () => {
		// Neither has been seen, so their events are stored as references, rendered when caught up.
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		for (let i = 0; i < 3; i++) await send(ana, lee, `${WRITTEN} (${i})`);
		const originalsRead = (userId: string, text: string) => tableScansAs(db, userId, 'public.message_originals', text);
		const catchUp = 'select public.sync_since(p_cursor => 0)';
		expect(await originalsRead(ana.id, catchUp)).toBe(3);
		expect(await originalsRead(lee.id, catchUp)).toBe(0);
		// The relay renders them as nobody (service_role), and looks the text up for its sender.
		const relay = `select public.messaging_events_by_ref((select jsonb_agg(jsonb_build_object('user_id', e.user_id, 'id', e.id))
		                 from public.messaging_events e where e.user_id = '${ana.id}'))`;
		const asRelay = `select set_config('request.jwt.claims', '{"role":"service_role"}', true); set local role service_role; ${relay}`;
		expect(await originalsRead(ana.id, asRelay)).toBe(3);
	});

	it('changes nothing in a message with nothing to hide, and keeps a retried send one message', async () => {
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		const plain = await send(ana, lee, 'Is €120 OK? I can pick it up on 12/05 at 14:30.');
		expect([plain.body, plain.contact_hidden]).toEqual(['Is €120 OK? I can pick it up on 12/05 at 14:30.', false]);
		expect((await db.query('select count(*)::int as n from public.message_originals where message_id = $1', [plain.id])).rows[0].n).toBe(0);

		const id = randomUUID();
		const first = await send(ana, lee, WRITTEN, null, id);
		const again = await send(ana, lee, WRITTEN, null, id);
		expect([first.body, again.body]).toEqual([WRITTEN, WRITTEN]);
		expect((await db.query('select count(*)::int as n from public.messages where id = $1', [id])).rows[0].n).toBe(1);
	});

	it('refuses a text sent without screening, or with a signature that is not for it', async () => {
		const [ana, lee] = [await createActor(db), await screenedActor()];
		// A backend made without a screen: the server's setup, said to the operator; the member is not
		// told to use the marketplace's pages, which they did.
		const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
		const unscreened = await rejection(send(ana, lee, WRITTEN));
		expect(unscreened.code).toBe('screening_required');
		expect(unscreened.message).toBe('Messages cannot be sent right now: this marketplace is not set up to check them for contact details.');
		expect(logged.mock.calls.flat().join(' ')).toMatch(/this backend has no screen: pass screen: contactScreen/);
		logged.mockRestore();

		const { key } = await loadScreening();
		const call = (id: string, masked: string, signature: string) =>
			sqlAs(db, ana.id, `select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3, p_masked_body => $4, p_screening => $5)`, [
				id,
				WRITTEN,
				lee.id,
				masked,
				signature
			]).then(
				() => 'stored',
				(e: Error) => e.message
			);
		const id = randomUUID();
		// The signature of the real masked text, offered with the text unmasked: refused.
		expect(await call(id, WRITTEN, signScreenedText(key, id, WRITTEN, MASKED))).toMatch(/hides contact details/);
		// A valid pair for another message id: refused (a signature cannot be reused).
		expect(await call(id, MASKED, signScreenedText(key, randomUUID(), WRITTEN, MASKED))).toMatch(/hides contact details/);
		expect(await call(id, WRITTEN, 'f'.repeat(64))).toMatch(/hides contact details/);
		expect(await call(id, MASKED, signScreenedText(key, id, WRITTEN, MASKED))).toBe('stored');
		// Nothing of the refused attempts was stored; the accepted one is masked.
		expect((await db.query('select body from public.messages where sender_id = $1', [ana.id])).rows).toEqual([{ body: MASKED }]);
		// The key is the server's: a user cannot read it.
		expect(await sqlAs(db, ana.id, 'select public.contact_screening()').catch((e: Error) => e.message)).toMatch(/permission denied/);
		expect(await sqlAs(db, ana.id, 'select * from private.contact_screening').catch((e: Error) => e.message)).toMatch(/permission denied/);
	});

	it('screens edits, and forgets the text as written when a message is deleted', async () => {
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		const sent = await send(ana, lee, 'Let me check and get back to you');
		const edited = await ana.api.editMessage({ id: sent.id, body: WRITTEN });
		expect([edited.body, edited.contact_hidden]).toEqual([WRITTEN, true]);
		expect((await threadAs(lee, sent.conversation_id))[0].body).toBe(MASKED);

		const cleaned = await ana.api.editMessage({ id: sent.id, body: 'Sorry, let us keep it in the chat.' });
		expect([cleaned.body, cleaned.contact_hidden]).toEqual(['Sorry, let us keep it in the chat.', false]);
		expect((await db.query('select count(*)::int as n from public.message_originals where message_id = $1', [sent.id])).rows[0].n).toBe(0);

		const again = await ana.api.editMessage({ id: sent.id, body: WRITTEN });
		expect(again.contact_hidden).toBe(true);
		expect(await rejection(postgresMessaging({ pool: db, claims: claimsFor(ana.id) }).editMessage({ id: sent.id, body: WRITTEN }))).toMatchObject({
			code: 'screening_required'
		});
		const deleted = await ana.api.deleteMessage({ id: sent.id });
		expect([deleted.body, deleted.contact_hidden]).toEqual(['', false]);
		expect((await db.query('select count(*)::int as n from public.message_originals where message_id = $1', [sent.id])).rows[0].n).toBe(0);
	});

	it('takes a photo’s caption away with what it hid', async () => {
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		const photo = await ana.api.createAttachment({ width: 800, height: 600, thumbWidth: 320, thumbHeight: 240, bytes: 90_000 });
		const sent = await ana.api.sendMessage({ id: randomUUID(), body: WRITTEN, to: { otherUserId: lee.id, productId: null }, attachmentIds: [photo.id] });
		expect([sent.body, sent.contact_hidden]).toEqual([WRITTEN, true]);
		const uncaptioned = await ana.api.editMessage({ id: sent.id, body: '' });
		expect([uncaptioned.body, uncaptioned.contact_hidden, uncaptioned.attachments.length]).toEqual(['', false, 1]);
		expect((await threadAs(lee, sent.conversation_id))[0].body).toBe('');
		expect((await db.query('select count(*)::int as n from public.message_originals where message_id = $1', [sent.id])).rows[0].n).toBe(0);
	});
});

describe('the setting', () => {
	it('is off by default, and while off stores what was written whatever the server sends', async () => {
		const fresh = await admin.query(`select column_default from information_schema.columns
		  where table_schema = 'public' and table_name = 'messaging_settings' and column_name = 'contact_masking'`);
		expect(fresh.rows[0].column_default).toBe('false');
		await masking(false);
		const [ana, lee] = [await screenedActor(), await screenedActor()];
		const sent = await send(ana, lee, WRITTEN);
		expect([sent.body, sent.contact_hidden]).toEqual([WRITTEN, false]);
		expect((await threadAs(lee, sent.conversation_id))[0].body).toBe(WRITTEN);
		expect((await loadScreening()).key).toBeNull();
	});

	it('is noticed by a server that last read it off: the refused send is screened and sent again', async () => {
		await masking(false);
		let reads = 0;
		const screen = contactScreen(
			async () => {
				reads++;
				return loadScreening();
			},
			{ maxAgeMs: 60_000 }
		);
		const [ana, lee] = [await screenedActor(screen), await screenedActor(screen)];
		await send(ana, lee, 'Hello');
		await masking(true);
		const sent = await send(ana, lee, WRITTEN);
		expect(sent.contact_hidden).toBe(true);
		expect((await threadAs(lee, sent.conversation_id))[0].body).toBe(MASKED);
		expect(reads).toBe(2);
	});
});
