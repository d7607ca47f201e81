// Each member's own data, against the real database: "Download my data" and "Delete my account".
// On a database of its own that looks like a Supabase project (the realtime.messages stand-in, so
// every push is stored as Supabase Realtime stores it), with contact masking on (so there is text
// as written, kept for its sender alone) and no per-minute limit (some tests write many messages).
//
// The download holds everything of the member's and nothing of anyone else's private data, page
// after page, streamed, at most 3 an hour. Erasing an account leaves nothing of theirs readable
// anywhere: an admin snapshot of every table of every schema afterwards finds none of their text,
// name or email, and their id only where the other member's conversation needs it; the other
// member's inbox stays coherent; an old session can do nothing.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingError } from '../../src/lib/messaging/errors.ts';
import type { Message } from '../../src/lib/messaging/schemas/index.ts';
import type { AccountData } from '../../src/lib/server/messaging/backend/account.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { dataExportEndpoint, dataExportRefusal, dataExportResponse } from '../../src/lib/server/messaging/account/export.ts';
import { contactScreen, signScreenedText } from '../../src/lib/server/messaging/contact/screen.ts';
import { claimsFor, sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { type Actor, createActor, rejection, send } from '../support/messaging.ts';
import { supabaseLikeDatabase } from '../support/supabase-project.ts';

const admin = testPool();
let db: pg.Pool;
let drop: () => Promise<void> = async () => {};

const PHOTO = { width: 1600, height: 1200, thumbWidth: 320, thumbHeight: 240, bytes: 200_000 };
const ORIGIN = 'http://market.test';

beforeAll(async () => {
	({ db, drop } = await supabaseLikeDatabase(admin));
	await db.query('update public.messaging_settings set contact_masking = true, rate_limit_per_minute = null');
});

afterAll(() => drop());

/** A member whose backend screens texts as the app server's does, named `name` plus a token no one else has. */
async function member(name: string): Promise<Actor & { name: string }> {
	const actor = await createActor(db);
	const screen = contactScreen(async () => (await db.query('select public.contact_screening() as s')).rows[0].s);
	const unique = `${name} ${randomUUID().slice(0, 8)}`;
	await db.query('update public.profiles set display_name = $2 where id = $1', [actor.id, unique]);
	return { ...actor, name: unique, api: postgresMessaging({ pool: db, claims: claimsFor(actor.id, actor.email), screen }) };
}

/**
 * Ana, the member whose data it is: she writes to Lee about his lamp (a photo, a phone number Lee
 * sees hidden, reactions both ways, an offer Lee counters) and to Ben generally (hers is the last
 * word there); Ben reports one of her messages and she reports one of Lee's; she keeps a quick
 * reply, a pending photo and a block, and switched digests off. Sam and Kim talk on their own.
 */
async function scene() {
	const [ana, lee, ben, sam, kim, pest] = await Promise.all(['Ana', 'Lee', 'Ben', 'Sam', 'Kim', 'Pest'].map(member));
	const token = randomUUID().slice(0, 8);
	const lamp = await createProduct(db, lee.id, { title: `Lamp ${token}`, price_cents: 4_000 });
	const texts = {
		first: `Is the lamp still there? ana-${token}-1`,
		phone: `Call me on +44 7700 900123 ana-${token}-2`,
		toBen: `See you Saturday ana-${token}-3`,
		leePhone: `Text me on +44 7700 900456 lee-${token}`,
		outsider: `Between Sam and Kim only ${token}`,
		quickReply: `Still available? qr-${token}`,
		reportDetails: `He asked me to pay outside ana-report-${token}`
	};
	const [photo, pending] = [await ana.api.createAttachment(PHOTO), await ana.api.createAttachment(PHOTO)];
	const first = await ana.api.sendMessage({ id: randomUUID(), body: texts.first, to: { otherUserId: lee.id, productId: lamp.id }, attachmentIds: [photo.id] });
	const conversationId = first.conversation_id;
	const leeReply = await send(lee, ana, texts.leePhone, lamp.id);
	const phone = await ana.api.sendMessage({ id: randomUUID(), body: texts.phone, conversationId });
	await ana.api.toggleReaction({ messageId: leeReply.id, emoji: '👍' });
	await lee.api.toggleReaction({ messageId: first.id, emoji: '❤️' });
	const card = await ana.api.makeOffer({ id: randomUUID(), amountCents: 3_000, conversationId });
	const counter = await lee.api.respondToOffer({ offerId: card.offer!.id, action: 'counter', amountCents: 3_500, id: randomUUID() });
	await ana.api.reportMessage({ messageId: leeReply.id, reason: 'scam', details: texts.reportDetails });
	await send(ben, ana, 'Hi Ana, about Saturday');
	const toBen = await send(ana, ben, texts.toBen);
	await ben.api.reportMessage({ messageId: toBen.id, reason: 'other' });
	await send(sam, kim, texts.outsider);
	await ana.api.saveQuickReply({ id: randomUUID(), body: texts.quickReply });
	await ana.api.setPreferences({ emailDigests: false });
	await ana.api.markSeen();
	await ana.api.blockUser({ userId: pest.id });
	return { ana, lee, ben, sam, kim, pest, lamp, token, texts, photo, pending, first, phone, leeReply, card, counter, toBen, conversationId };
}

/** The whole body of a streamed response, and how many pieces it came in. */
async function readAll(response: Response): Promise<{ text: string; pieces: number }> {
	const reader = response.body!.getReader();
	const decoder = new TextDecoder();
	let text = '';
	let pieces = 0;
	for (;;) {
		const { value, done } = await reader.read();
		if (done) return { text: text + decoder.decode(), pieces };
		pieces++;
		text += decoder.decode(value, { stream: true });
	}
}

interface Exported {
	profile: { id: string; email: string | null; display_name: string };
	preferences: { email_digests: boolean };
	quick_replies: { body: string }[];
	blocks: { user_id: string; display_name: string; blocked_at: string }[];
	reports: { message_id: string | null; conversation_id: string; reported_user_id: string; reason: string; details: string }[];
	conversations: {
		id: string;
		with: { id: string; display_name: string };
		product: { title: string } | null;
		messages: {
			id: string;
			sent_by_you: boolean;
			body: string;
			kind: string;
			card: { offer_id: string; amount_cents: number; currency: string } | null;
			photos: { url: string }[];
			your_reactions: string[];
			reactions: unknown[];
		}[];
		offers: { id: string; you_are: string; amount_cents: number; status: string }[];
	}[];
}

describe('downloading my data', () => {
	it('holds my profile, settings and every conversation with what I sent and received, and nothing private of anyone else', async () => {
		const s = await scene();
		const response = await dataExportResponse({
			messaging: s.ana.api,
			me: { id: s.ana.id, email: s.ana.email },
			origin: ORIGIN,
			basePath: '/messages',
			// Tiny pages, so every list takes several calls.
			pageSizes: { conversations: 1, messages: 2, offers: 1 }
		});
		expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="bazaar-messages-\d{4}-\d{2}-\d{2}\.json"$/);
		const { text, pieces } = await readAll(response);
		const data = JSON.parse(text) as Exported;

		expect(data.profile).toMatchObject({ id: s.ana.id, email: s.ana.email, display_name: s.ana.name });
		expect(data.preferences).toEqual({ email_digests: false, browser_notifications: true });
		expect(data.quick_replies.map((q) => q.body)).toEqual([s.texts.quickReply]);
		// Whom she blocked and what she reported are her acts; the report Ben filed about her is not.
		expect(data.blocks).toEqual([{ user_id: s.pest.id, username: expect.any(String), display_name: s.pest.name, blocked_at: expect.any(String) }]);
		expect(data.reports).toEqual([
			{
				id: expect.any(String),
				message_id: s.leeReply.id,
				conversation_id: s.conversationId,
				reported_user_id: s.lee.id,
				reason: 'scam',
				details: s.texts.reportDetails,
				reported_at: expect.any(String)
			}
		]);
		expect(data.conversations.map((c) => c.with.display_name).sort()).toEqual([s.ben.name, s.lee.name].sort());

		const withLee = data.conversations.find((c) => c.with.id === s.lee.id)!;
		expect(withLee.product?.title).toBe(s.lamp.title);
		const byId = new Map(withLee.messages.map((m) => [m.id, m]));
		// My own text as I wrote it (Lee was shown it masked); Lee's as I was shown it, masked.
		expect(byId.get(s.first.id)).toMatchObject({ sent_by_you: true, body: s.texts.first, photos: [{ url: `${ORIGIN}/messages/attachments/${s.photo.id}/display` }] });
		expect(byId.get(s.phone.id)).toMatchObject({ sent_by_you: true, body: s.texts.phone });
		expect(byId.get(s.leeReply.id)).toMatchObject({ sent_by_you: false, your_reactions: ['👍'] });
		expect(byId.get(s.leeReply.id)!.body).not.toContain('7700 900456');
		expect(byId.get(s.first.id)!.reactions).toEqual([{ emoji: '❤️', user_ids: [s.lee.id] }]);
		// The offer card and Lee's counter card, oldest first like the rest.
		expect(withLee.messages.map((m) => m.kind)).toEqual(['text', 'text', 'text', 'offer', 'offer']);
		// Each card as her thread worded it, with its own amount beside the offer as it stands.
		expect(withLee.messages.slice(3).map((m) => [m.body, m.card])).toEqual([
			['You offered €30.00', { offer_id: s.card.offer!.id, amount_cents: 3_000, currency: 'EUR' }],
			[`${s.lee.name} countered with €35.00`, { offer_id: s.card.offer!.id, amount_cents: 3_500, currency: 'EUR' }]
		]);
		expect(withLee.offers).toEqual([
			expect.objectContaining({ id: s.card.offer!.id, you_are: 'buyer', amount_cents: 3_500, status: 'open' })
		]);
		expect(data.conversations.find((c) => c.with.id === s.ben.id)!.messages.map((m) => m.body)).toEqual(['Hi Ana, about Saturday', s.texts.toBen]);

		// Nothing of others' private data: Lee's text as he wrote it, Sam and Kim's conversation.
		expect(text).not.toContain(s.texts.leePhone);
		expect(text).not.toContain(s.texts.outsider);
		// Streamed: a piece per page, not one body.
		expect(pieces).toBeGreaterThan(8);
	});

	it('says a conversation muted until I unmute as muted with no end, and every time in it as ISO 8601', async () => {
		const s = await scene();
		const withBen = (await s.ana.api.listConversationPreviews()).previews.find((p) => p.other_user_id === s.ben.id)!;
		const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
		// Until I unmute (the menu's mute), until a time, and a mute that ended (the clock passed it).
		await s.ana.api.setMuted({ conversationId: s.conversationId, until: 'infinity' });
		await s.ana.api.setMuted({ conversationId: withBen.conversation_id, until: inAnHour });
		const withKim = await send(s.kim, s.ana, 'Hello Ana');
		await db.query(`update public.conversation_members set muted_until = now() - interval '1 minute' where conversation_id = $1 and user_id = $2`, [withKim.conversation_id, s.ana.id]);

		const { text } = await readAll(await dataExportResponse({ messaging: s.ana.api, me: { id: s.ana.id }, origin: ORIGIN, basePath: '/messages' }));
		const data = JSON.parse(text) as { conversations: { id: string; muted: boolean; muted_until: string | null }[] };
		const mute = (id: string) => {
			const { muted, muted_until } = data.conversations.find((c) => c.id === id)!;
			return { muted, muted_until };
		};
		// It said "muted_until": "infinity", which no date parser reads.
		expect(mute(s.conversationId)).toEqual({ muted: true, muted_until: null });
		expect(mute(withBen.conversation_id)).toEqual({ muted: true, muted_until: expect.any(String) });
		expect(Date.parse(mute(withBen.conversation_id).muted_until!)).toBe(Date.parse(inAnHour));
		expect(mute(withKim.conversation_id)).toEqual({ muted: false, muted_until: null });
		expect(text).not.toContain('infinity');
		// Every field named for a time holds an ISO 8601 time or null.
		const times: unknown[] = [];
		JSON.parse(text, (key, value) => {
			if (/(_at|_until)$/.test(key)) times.push(value);
			return value;
		});
		expect(times.length).toBeGreaterThan(10);
		for (const time of times) if (time !== null) expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
	});

	it('asks for each page only as the reader takes it', async () => {
		const s = await scene();
		const calls: string[] = [];
		const counted = new Proxy(s.ana.api, {
			get(target, name: string) {
				const value = target[name as keyof AccountData];
				return typeof value === 'function' ? (...args: unknown[]) => (calls.push(name), (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
			}
		}) as AccountData;
		const response = await dataExportResponse({ messaging: counted, me: { id: s.ana.id }, origin: ORIGIN, basePath: '/messages', pageSizes: { messages: 1 } });
		expect(calls).toEqual(['startDataExport']);
		const reader = response.body!.getReader();
		await reader.read();
		expect(calls).toEqual(['startDataExport']);
		await reader.read();
		expect(calls).toEqual(['startDataExport', 'exportConversations']);
		await reader.cancel();
	});

	it('pages through a long conversation by keyset, oldest first, and only for its members', async () => {
		const s = await scene();
		// 500 more messages, alternating senders, through the same triggers as sends.
		await db.query(
			`insert into public.messages (id, conversation_id, sender_id, body, expires_at, created_at)
			 select gen_random_uuid(), $1, case when i % 2 = 0 then $2::uuid else $3::uuid end, 'bulk ' || i, now() + interval '30 days',
			        clock_timestamp() + i * interval '1 millisecond'
			   from generate_series(1, 500) i`,
			[s.conversationId, s.ana.id, s.lee.id]
		);
		const seen: Message[] = [];
		let after: { at: string; id: string } | null = null;
		let calls = 0;
		for (;;) {
			const page: Message[] = await s.ana.api.exportMessages({ conversationId: s.conversationId, after, limit: 200 });
			calls++;
			seen.push(...page);
			if (page.length < 200) break;
			after = { at: page[page.length - 1].created_at, id: page[page.length - 1].id };
		}
		expect(calls).toBe(3);
		expect(seen).toHaveLength(505);
		expect(seen.slice(-2).map((m) => m.body)).toEqual(['bulk 499', 'bulk 500']);
		expect(new Set(seen.map((m) => m.id)).size).toBe(505);
		// The page size is bounded, and only members may page.
		expect(await s.ana.api.exportMessages({ conversationId: s.conversationId, limit: 10_000 })).toHaveLength(500);
		expect((await rejection(s.sam.api.exportMessages({ conversationId: s.conversationId }))).code).toBe('not_member');
		expect((await rejection(s.sam.api.exportOffers({ conversationId: s.conversationId }))).code).toBe('not_member');
		const { text } = await readAll(await dataExportResponse({ messaging: s.ana.api, me: { id: s.ana.id }, origin: ORIGIN, basePath: '/messages' }));
		expect((JSON.parse(text) as Exported).conversations.find((c) => c.id === s.conversationId)!.messages).toHaveLength(505);
	});

	it('three downloads an hour, then a 429 page saying how long to wait', async () => {
		const ana = await member('Ana');
		for (let i = 0; i < 3; i++) await ana.api.startDataExport();
		const refused = await rejection(ana.api.startDataExport());
		expect(refused.code).toBe('rate_limited');
		expect(refused.message).toMatch(/^You can download your data 3 times an hour\. Try again in (60 minutes|59 minutes)\.$/);

		const GET = dataExportEndpoint({ basePath: '/messages' });
		const event = { locals: { user: { id: ana.id, email: ana.email }, messaging: ana.api }, url: new URL(`${ORIGIN}/account/export`) };
		await expect(GET(event as unknown as Parameters<typeof GET>[0])).rejects.toMatchObject({ status: 429, body: { message: refused.message } });
		const signedOut = { ...event, locals: { user: null, messaging: ana.api } };
		await expect(GET(signedOut as unknown as Parameters<typeof GET>[0])).rejects.toMatchObject({ status: 401 });

		// An hour on, the oldest no longer counts.
		await db.query(`update private.data_exports set started_at = started_at - interval '61 minutes' where user_id = $1 and started_at = (select min(started_at) from private.data_exports where user_id = $1)`, [ana.id]);
		const response = await GET(event as unknown as Parameters<typeof GET>[0]);
		expect(response.status).toBe(200);
		await response.body!.cancel();
	});
});

/** The cookies of one browser, as SvelteKit's `event.cookies` reads and writes them (path and age kept, not enforced). */
function cookieJar() {
	const jar = new Map<string, { value: string; path: string; maxAge?: number; httpOnly?: boolean }>();
	return {
		jar,
		get: (name: string) => jar.get(name)?.value,
		set: (name: string, value: string, options: { path: string; maxAge?: number; httpOnly?: boolean }) => void jar.set(name, { value, ...options }),
		delete: (name: string) => void jar.delete(name)
	};
}

describe('a refused download in the browser', () => {
	it('sends a browser back to the account page, which says why once; a script still gets the 429 with the sentence', async () => {
		const ana = await member('Ana');
		for (let i = 0; i < 3; i++) await ana.api.startDataExport();
		const GET = dataExportEndpoint({ basePath: '/messages', backTo: '/account' });
		const cookies = cookieJar();
		const request = (headers: Record<string, string>) =>
			GET({
				locals: { user: { id: ana.id, email: ana.email }, messaging: ana.api },
				url: new URL(`${ORIGIN}/account/export`),
				request: new Request(`${ORIGIN}/account/export`, { headers }),
				cookies
			} as unknown as Parameters<typeof GET>[0]);
		const sentence = /^You can download your data 3 times an hour\. Try again in (60|59) minutes\.$/;

		// A script (or fetch): the 429 and its sentence, nothing kept for the page.
		await expect(request({ accept: '*/*' })).rejects.toMatchObject({ status: 429, body: { message: expect.stringMatching(sentence) } });
		expect(cookies.jar.size).toBe(0);

		// The browser following the link: back to /account (it got a bare error page with no site around it).
		const navigation = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' };
		await expect(request(navigation)).rejects.toMatchObject({ status: 303, location: '/account' });
		expect([...cookies.jar.values()]).toEqual([{ value: expect.stringMatching(sentence), path: '/account', maxAge: 60, httpOnly: true, sameSite: 'lax', secure: false }]);
		const page = { cookies, url: new URL(`${ORIGIN}/account`) } as unknown as Parameters<typeof dataExportRefusal>[0];
		expect(dataExportRefusal(page)).toMatch(sentence);
		// Said once: a reload of the page does not say it again.
		expect(dataExportRefusal(page)).toBeNull();
		// Whatever else a browser sends in that cookie is no sentence of ours to show.
		cookies.set('bazaar_export_refused', 'x'.repeat(501), { path: '/account' });
		expect(dataExportRefusal(page)).toBeNull();
	});
});

/** Every row of every table of every schema (partitions through their parent), as text. */
async function snapshot(): Promise<{ table: string; row: string }[]> {
	const { rows: tables } = await db.query<{ name: string }>(`
		select format('%I.%I', n.nspname, c.relname) as name
		  from pg_class c join pg_namespace n on n.oid = c.relnamespace
		 where c.relkind in ('r', 'p') and not c.relispartition
		   and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
		 order by 1`);
	const all: { table: string; row: string }[] = [];
	for (const { name } of tables) {
		const { rows } = await db.query<{ row: string }>(`select t::text as row from ${name} t`);
		all.push(...rows.map((r) => ({ table: name, row: r.row })));
	}
	return all;
}

describe('deleting my account', () => {
	it('leaves nothing of mine readable anywhere, and the other members’ conversations coherent', async () => {
		const s = await scene();
		const leeBefore = (await s.lee.api.listMessages({ conversationId: s.conversationId })).messages;
		const leeCursor = await s.lee.api.currentEventCursor();
		await db.query(`insert into realtime.messages (topic, extension, payload) values ($1, 'presence', '{}')`, [`presence:${s.ana.id}`]);
		const before = await snapshot();
		expect(before.filter((r) => r.table === 'realtime.messages' && r.row.includes(`user:${s.ana.id}`)).length).toBeGreaterThan(0);
		expect(before.filter((r) => r.table === 'public.messaging_events' && r.row.includes(`(${s.ana.id},`)).length).toBeGreaterThan(0);

		const erased = await s.ana.api.eraseMyAccount();
		expect(erased).toMatchObject({ messages: 3, photos: 2, reactions: 1, conversations: 2 });
		// Then the login, as the server removes it; the trigger finds the account erased already.
		await db.query('delete from auth.users where id = $1', [s.ana.id]);

		const after = await snapshot();
		const secrets = [s.ana.email, s.ana.name, s.ana.username, ...Object.entries(s.texts).filter(([k]) => !['leePhone', 'outsider'].includes(k)).map(([, v]) => v), 'ana-' + s.token];
		// The snapshot does see them beforehand, so finding none afterwards means something.
		for (const secret of secrets) expect(before.some((r) => r.row.includes(secret)), secret).toBe(true);
		for (const secret of secrets) expect(after.filter((r) => r.row.includes(secret)).map((r) => r.table), secret).toEqual([]);
		// Their id stays only where the other members' conversations need it.
		const naming = [...new Set(after.filter((r) => r.row.includes(s.ana.id)).map((r) => r.table))].sort();
		expect(naming).toEqual([
			'private.erased_accounts',
			'public.conversation_members',
			'public.conversations',
			'public.message_reports',
			'public.messages',
			'public.messaging_events',
			'public.offers',
			'public.profiles'
		]);
		// In events, only the other members' logs (the block she made, lifted), never her own.
		expect((await db.query('select count(*)::int as n from public.messaging_events where user_id = $1', [s.ana.id])).rows[0].n).toBe(0);
		expect((await db.query('select count(*)::int as n from public.messaging_event_counters where user_id = $1', [s.ana.id])).rows[0].n).toBe(0);
		const count = async (sql: string) => (await db.query(sql, [s.ana.id])).rows[0].n;
		expect(await count(`select count(*)::int as n from realtime.messages where topic in ('user:' || $1, 'presence:' || $1)`)).toBe(0);
		for (const table of ['public.quick_replies', 'public.messaging_preferences', 'private.member_activity', 'public.message_reactions', 'private.reaction_toggles', 'private.deal_actions']) {
			expect(await count(`select count(*)::int as n from ${table} where user_id = $1`), table).toBe(0);
		}
		expect(await count('select count(*)::int as n from public.message_originals where sender_id = $1')).toBe(0);
		expect(await count('select count(*)::int as n from public.attachments where uploader_id = $1')).toBe(0);
		expect(await count('select count(*)::int as n from auth.users where id = $1')).toBe(0);
		expect(await count('select count(*)::int as n from auth.identities where user_id = $1')).toBe(0);
		// Her photos, sent and pending, are queued for their files to go.
		expect((await db.query('select count(*)::int as n from private.attachment_removals where attachment_id = any($1)', [[s.photo.id, s.pending.id]])).rows[0].n).toBe(2);

		// The profile stays, nameless, so the conversations keep two members.
		const { rows: profile } = await db.query('select display_name, avatar_url, username from public.profiles where id = $1', [s.ana.id]);
		expect(profile).toEqual([{ display_name: 'Deleted user', avatar_url: null, username: `deleted_${s.ana.id.replaceAll('-', '').slice(0, 24)}` }]);

		// Lee's thread: his own messages as they were, hers deleted, the deal kept under "Deleted user".
		const leeAfter = (await s.lee.api.listMessages({ conversationId: s.conversationId })).messages;
		expect(leeAfter.map((m) => m.id)).toEqual(leeBefore.map((m) => m.id));
		for (const m of leeAfter) {
			const was = leeBefore.find((x) => x.id === m.id)!;
			if (m.sender_id === s.lee.id && m.kind === 'text') expect(m).toEqual({ ...was, reactions: [] });
			else if (m.sender_id === s.lee.id) expect(m.body).toBe(was.body);
			else if (m.kind === 'text') expect(m).toMatchObject({ body: '', attachments: [], reactions: [], sender_display_name: 'Deleted user' });
			else expect(m.deleted_at).toBeNull();
		}
		expect(leeAfter.find((m) => m.id === s.card.id)).toMatchObject({ kind: 'offer', body: 'Deleted user offered €30.00', offer: { status: 'withdrawn' } });
		expect(leeAfter.find((m) => m.id === s.counter.id)).toMatchObject({ kind: 'offer', offer: { status: 'withdrawn' } });
		// He hears about it: in his log, one message.updated per message that changed (her texts,
		// his message she had reacted to, the cards of the offer she left), then the conversation,
		// its preview saying her account is gone; pushed once.
		const { events } = await s.lee.api.syncSince({ cursor: leeCursor });
		expect(events.map((e) => e.type)).toEqual([...Array(5).fill('message.updated'), 'conversation.updated']);
		expect(events.slice(0, 5).map((e) => (e.payload as { message: Message }).message.id).sort()).toEqual(
			[s.first.id, s.leeReply.id, s.phone.id, s.card.id, s.counter.id].sort()
		);
		expect(events[5]).toMatchObject({ conversation_id: s.conversationId, payload: { preview: { other_deleted: true, other_display_name: 'Deleted user' } } });
		const pushes = (rows: { table: string; row: string }[]) => rows.filter((r) => r.table === 'realtime.messages' && r.row.includes(`user:${s.lee.id}`)).length;
		expect(pushes(after) - pushes(before)).toBe(1);

		// Ben's inbox: her last word shows deleted, and nothing is unread or owed any more.
		const benInbox = (await s.ben.api.listConversationPreviews()).previews.find((p) => p.other_user_id === s.ana.id)!;
		expect(benInbox).toMatchObject({ other_deleted: true, other_display_name: 'Deleted user', other_avatar_url: null, last_message_preview: '', last_message_deleted: true, unread_count: 0, needs_reply: false, other_last_read_at: null });
		expect(await s.ben.api.unreadTotal()).toBe(0);
		// Reports keep that they were made, not her words.
		expect((await db.query('select body_snapshot from public.message_reports where message_id = $1', [s.toBen.id])).rows).toEqual([{ body_snapshot: '' }]);

		// Nobody can write to her any more.
		const refused = await rejection(send(s.lee, s.ana, 'Still there?', s.lamp.id));
		expect(refused).toMatchObject({ code: 'not_allowed', message: 'This member deleted their account: nothing more can be sent here.' });
	});

	it('a member who wrote all of a conversation hears of the erase too, and only theirs says the account is gone', async () => {
		const [gone, kim] = [await member('Gone'), await member('Kim')];
		const { conversation_id } = await send(kim, gone, 'Are you there?');
		const other = await send(kim, await member('Other'), 'Hello');
		const at = (await kim.api.syncSince({ cursor: 0 })).cursor;
		expect((await kim.api.listConversationPreviews()).previews.map((p) => p.other_deleted)).toEqual([false, false]);
		await gone.api.eraseMyAccount();
		// Nothing of Kim's changed, and before, nothing reached her: her open thread kept its composer.
		const { events } = await kim.api.syncSince({ cursor: at });
		expect(events).toEqual([
			expect.objectContaining({ type: 'conversation.updated', conversation_id, payload: expect.objectContaining({ preview: expect.objectContaining({ other_deleted: true }) }) })
		]);
		const previews = (await kim.api.listConversationPreviews()).previews;
		expect(previews.find((p) => p.conversation_id === conversation_id)).toMatchObject({ other_deleted: true, other_display_name: 'Deleted user' });
		expect(previews.find((p) => p.conversation_id === other.conversation_id)).toMatchObject({ other_deleted: false });
		expect((await kim.api.openConversation({ otherUserId: gone.id, productId: null })).other_user).toMatchObject({ deleted: true, display_name: 'Deleted user' });
	});

	it('every column that names a profile is one erasing deals with', async () => {
		// A table added later with a key to profiles fails here until erase_account handles it.
		const { rows } = await db.query<{ column: string }>(`
			select format('%s.%s', c.conrelid::regclass, a.attname) as column
			  from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
			 where c.contype = 'f' and c.confrelid = 'public.profiles'::regclass
			 order by 1`);
		expect(rows.map((r) => r.column)).toEqual([
			'conversation_members.other_user_id', // the other member's row: kept
			'conversation_members.user_id', // deleted
			'conversations.user_high', // kept
			'conversations.user_low', // kept
			'message_originals.sender_id', // deleted
			'message_reactions.user_id', // deleted
			'message_reports.reported_user_id', // kept, the text kept of her message cleared
			'message_reports.reporter_id', // deleted
			'messages.sender_id', // kept: texts erased, system messages and cards renamed
			'messaging_event_counters.user_id', // deleted
			'messaging_events.user_id', // deleted
			'messaging_preferences.user_id', // deleted
			'offers.buyer_id', // kept, open ones closed
			'offers.seller_id', // kept, open ones closed
			'private.data_exports.user_id', // deleted
			'private.deal_actions.user_id', // deleted
			'private.digest_cursors.user_id', // deleted
			'private.digests.user_id', // deleted
			'private.erased_accounts.user_id', // the mark
			'private.first_replies.user_id', // deleted
			'private.member_activity.user_id', // deleted
			'private.reaction_toggles.user_id', // deleted
			'products.reserved_for', // cleared, the listing active again
			'products.seller_id', // kept: listings are the marketplace's
			'products.sold_to', // cleared
			'quick_replies.user_id', // deleted
			'user_blocks.blocked_id', // kept: others' blocks
			'user_blocks.blocker_id', // deleted
			'attachments.uploader_id' // deleted
		].sort());
	});

	it('an old session of the deleted account can do nothing', async () => {
		const s = await scene();
		await s.ana.api.eraseMyAccount();
		for (const call of [
			() => s.ana.api.sessionStart(),
			() => s.ana.api.listConversationPreviews(),
			() => s.ana.api.listMessages({ conversationId: s.conversationId }),
			() => s.ana.api.sendMessage({ id: randomUUID(), body: 'I am back', conversationId: s.conversationId }),
			() => s.ana.api.createAttachment(PHOTO),
			() => s.ana.api.saveQuickReply({ id: randomUUID(), body: 'again' }),
			() => s.ana.api.setPreferences({ emailDigests: true }),
			() => s.ana.api.startDataExport()
		]) {
			expect((await rejection(call())).code).toBe('not_authenticated');
		}
		// Straight at the tables, as a Supabase token issued before the erase could still ask.
		for (const table of ['messages', 'conversations', 'conversation_members', 'message_reactions', 'attachments', 'messaging_events', 'quick_replies', 'message_originals']) {
			expect(await sqlAs(db, s.ana.id, `select * from public.${table}`), table).toEqual([]);
		}
		// Nor rename the "Deleted user", nor list or edit products as them.
		await expect(sqlAs(db, s.ana.id, `update public.profiles set display_name = 'Ana again' where id = $1`, [s.ana.id])).rejects.toThrow('This account was deleted.');
		await expect(
			sqlAs(db, s.ana.id, `insert into public.products (seller_id, title, price_cents) values ($1, 'Back in business', 100)`, [s.ana.id])
		).rejects.toThrow('This account was deleted.');
		// Asking to erase again only says when it was (the server may retry removing the login).
		expect(await s.ana.api.eraseMyAccount()).toMatchObject({ messages: 0, conversations: 0 });
	});

	it('removing a login any other way (the dashboard, the Admin API) erases the account the same way', async () => {
		const s = await scene();
		await db.query('delete from auth.users where id = $1', [s.ana.id]);
		const { rows } = await db.query(
			`select p.display_name, (select count(*)::int from public.messages m where m.sender_id = p.id and m.kind = 'text' and m.deleted_at is null) as live
			   from public.profiles p where p.id = $1`,
			[s.ana.id]
		);
		expect(rows).toEqual([{ display_name: 'Deleted user', live: 0 }]);
		expect((await s.lee.api.listConversationPreviews()).previews.map((p) => p.other_display_name)).toEqual(['Deleted user']);
		expect((await rejection(s.ana.api.sessionStart())).code).toBe('not_authenticated');
	});

	it('a call of hers in progress is waited for, and what it wrote is erased too', async () => {
		const s = await scene();
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [JSON.stringify(claimsFor(s.ana.id))]);
			const id = randomUUID();
			const body = `Late words ${s.token}`;
			// Signed as the app server signs screened texts (contact masking is on here).
			const { key } = (await db.query('select public.contact_screening() as s')).rows[0].s;
			await client.query('select public.send_message($1, $2, p_conversation_id => $3, p_masked_body => $2, p_screening => $4)', [
				id,
				body,
				s.conversationId,
				signScreenedText(key, id, body, body)
			]);
			const erasing = s.ana.api.eraseMyAccount();
			const settled = await Promise.race([erasing.then(() => 'erased'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
			expect(settled).toBe('waiting');
			await client.query('commit');
			await erasing;
			expect((await db.query('select body, deleted_at is not null as deleted from public.messages where id = $1', [id])).rows).toEqual([{ body: '', deleted: true }]);
		} finally {
			client.release();
		}
	});

	it('a listing reserved for her is free again, and a sale to her names nobody', async () => {
		const s = await scene();
		await s.ana.api.respondToOffer({ offerId: s.card.offer!.id, action: 'accept' });
		expect((await db.query('select status::text, reserved_for from public.products where id = $1', [s.lamp.id])).rows).toEqual([{ status: 'reserved', reserved_for: s.ana.id }]);
		await s.ana.api.eraseMyAccount();
		expect((await db.query('select status::text, reserved_for, sold_to from public.products where id = $1', [s.lamp.id])).rows).toEqual([
			{ status: 'active', reserved_for: null, sold_to: null }
		]);
		const bodies = (await db.query(`select body from public.messages where conversation_id = $1 and kind = 'system' order by created_at`, [s.conversationId])).rows.map((r) => r.body);
		expect(bodies).toEqual([`Deleted user accepted ${s.lee.name}'s counter-offer of €35.00`, 'Available again: the buyer it was reserved for deleted their account']);
	});

	it('the seller and every other buyer who asked about a listing reserved for her hear that it is for sale again', async () => {
		const s = await scene();
		const kit = await member('Kit');
		const kitsQuestion = await send(kit, s.lee, 'Is the lamp still there?', s.lamp.id);
		await s.ana.api.respondToOffer({ offerId: s.card.offer!.id, action: 'accept' });
		const lastLine = async (conversationId: string) =>
			(await db.query(`select body, sender_id, payload from public.messages where conversation_id = $1 order by created_at desc, id desc limit 1`, [conversationId])).rows[0];
		expect((await lastLine(kitsQuestion.conversation_id)).body).toBe('Reserved for another buyer');
		const kitsUnread = await kit.api.unreadTotal();

		await s.ana.api.eraseMyAccount();
		expect(await lastLine(s.conversationId)).toEqual({
			body: 'Available again: the buyer it was reserved for deleted their account',
			sender_id: s.lee.id,
			payload: { event: 'listing.released', actor_id: s.lee.id }
		});
		expect(await lastLine(kitsQuestion.conversation_id)).toEqual({ body: 'Available again', sender_id: s.lee.id, payload: { event: 'listing.released', actor_id: s.lee.id } });
		// Kit is told as any message tells him, and sees the listing for sale in his inbox.
		expect(await kit.api.unreadTotal()).toBe(kitsUnread + 1);
		const [kitsPreview] = (await kit.api.listConversationPreviews({ filter: 'all' })).previews.filter((p) => p.conversation_id === kitsQuestion.conversation_id);
		expect(kitsPreview).toMatchObject({ product_status: 'active', last_message_preview: 'Available again' });
		const leesPreview = (await s.lee.api.listConversationPreviews({ filter: 'all' })).previews.find((p) => p.conversation_id === s.conversationId);
		expect(leesPreview).toMatchObject({ product_status: 'active', other_deleted: true, last_message_kind: 'system' });
	});

	it("a seller's listings go off sale with the account: withdrawn, shown to nobody new, the reservation ended; a sold one stays sold", async () => {
		const s = await scene();
		const [chair, clock, mug] = await Promise.all(
			['Chair', 'Clock', 'Mug'].map((title) => createProduct(db, s.lee.id, { title: `${title} ${s.token}`, price_cents: 2_000 }))
		);
		// Ana's offer on the lamp accepted: reserved for her. The clock sold to Ben; nobody asked about the chair.
		await s.ana.api.respondToOffer({ offerId: s.card.offer!.id, action: 'accept' });
		await send(s.ben, s.lee, 'Is the clock still there?', clock.id);
		const clockConversation = (await s.lee.api.listConversationPreviews({ filter: 'all' })).previews.find((p) => p.product_id === clock.id)!;
		await s.lee.api.setListingStatus({ conversationId: clockConversation.conversation_id, status: 'sold' });
		await db.query(`update public.products set status = 'sold' where id = $1`, [mug.id]);

		await s.lee.api.eraseMyAccount();
		const statuses = (await db.query(`select title, status::text, reserved_for from public.products where seller_id = $1 order by title`, [s.lee.id])).rows;
		expect(statuses).toEqual([
			{ title: `Chair ${s.token}`, status: 'withdrawn', reserved_for: null },
			{ title: `Clock ${s.token}`, status: 'sold', reserved_for: null },
			{ title: `Lamp ${s.token}`, status: 'withdrawn', reserved_for: null },
			{ title: `Mug ${s.token}`, status: 'sold', reserved_for: null }
		]);
		// Nobody new sees them (the catalogue reads as its visitor); Ana, who asked about the lamp, still can, withdrawn.
		const visible = (who: string | null) => sqlAs(db, who, 'select id, status::text from public.products where seller_id = $1', [s.lee.id]);
		expect(await visible(null)).toEqual([]);
		expect(await visible(s.kim.id)).toEqual([]);
		expect(await visible(s.ana.id)).toEqual([{ id: s.lamp.id, status: 'withdrawn' }]);
		const [anasPreview] = (await s.ana.api.listConversationPreviews({ filter: 'all' })).previews.filter((p) => p.product_id === s.lamp.id);
		expect(anasPreview).toMatchObject({ product_status: 'withdrawn', other_deleted: true });
		// Withdrawn by the erase only: the erased account still changes nothing else of its listings.
		await expect(sqlAs(db, s.lee.id, `update public.products set title = 'Back' where id = $1`, [chair.id])).rejects.toThrow('This account was deleted.');
	});

	it("every conversation about a deleted seller's withdrawn listing says so, posted as them, unread for the buyer; a sold one says nothing", async () => {
		const s = await scene();
		const clock = await createProduct(db, s.lee.id, { title: `Clock ${s.token}`, price_cents: 2_000 });
		const bensClock = await send(s.ben, s.lee, 'Is the clock still there?', clock.id);
		await s.lee.api.setListingStatus({ conversationId: bensClock.conversation_id, status: 'sold' });
		// Ana's offer on the lamp accepted, then the lamp made available again: her last update reads "Available again".
		await s.ana.api.respondToOffer({ offerId: s.card.offer!.id, action: 'accept' });
		await s.lee.api.setListingStatus({ conversationId: s.conversationId, status: 'active' });
		const kit = await member('Kit');
		const kitsLamp = await send(kit, s.lee, 'Is the lamp still there?', s.lamp.id);
		const unread = { ana: await s.ana.api.unreadTotal(), kit: await kit.api.unreadTotal() };
		const since = await s.ana.api.currentEventCursor();

		await s.lee.api.eraseMyAccount();
		const said = 'No longer for sale: the seller deleted their account';
		for (const [buyer, conversationId] of [[s.ana, s.conversationId], [kit, kitsLamp.conversation_id]] as const) {
			const [preview] = (await buyer.api.listConversationPreviews({ filter: 'all' })).previews.filter((p) => p.conversation_id === conversationId);
			expect(preview).toMatchObject({ product_status: 'withdrawn', other_deleted: true, last_message_preview: said, last_message_kind: 'system' });
			// The thread's newest message (a page is newest first).
			const { messages } = await buyer.api.listMessages({ conversationId });
			expect(messages[0]).toMatchObject({
				kind: 'system',
				body: said,
				sender_id: s.lee.id,
				sender_display_name: 'Deleted user',
				payload: { event: 'listing.withdrawn', actor_id: s.lee.id }
			});
		}
		expect(await s.ana.api.unreadTotal()).toBe(unread.ana + 1);
		expect(await kit.api.unreadTotal()).toBe(unread.kit + 1);
		// Ana's open thread hears it live, the listing withdrawn in the same event.
		const { events } = await s.ana.api.syncSince({ cursor: since });
		const created = events.find((e) => e.type === 'message.created' && e.payload.message.body === said);
		expect(created).toMatchObject({ payload: { preview: { product_status: 'withdrawn' } } });
		// The sold clock says nothing more: Ben's last line is still the sale.
		const { messages: bens } = await s.ben.api.listMessages({ conversationId: bensClock.conversation_id });
		expect(bens.filter((m) => m.body === said)).toEqual([]);
		// Nothing of the account is left to refuse: its listings still change no more, and Ana's download has the update.
		await expect(sqlAs(db, s.lee.id, `update public.products set title = 'Back' where id = $1`, [s.lamp.id])).rejects.toThrow('This account was deleted.');
		const { text } = await readAll(await dataExportResponse({ messaging: s.ana.api, me: { id: s.ana.id }, origin: ORIGIN, basePath: '/messages' }));
		expect(text).toContain(said);
	});

	it('refuses without a session, and MessagingError carries the sentence', async () => {
		const anon = postgresMessaging({ pool: db, claims: null });
		const error = await rejection(anon.eraseMyAccount());
		expect(error).toBeInstanceOf(MessagingError);
		expect(error.code).toBe('not_authenticated');
	});
});
