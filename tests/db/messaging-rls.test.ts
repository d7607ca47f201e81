// The RLS attack matrix: a buyer and a seller talk about a product; an outsider (signed in,
// not in the conversation), a third user who blocked the buyer, the other member and anon
// (no session) each try to read, write, change and delete what is not theirs, through the
// RPCs and through direct table access under the API roles, exactly as a PostgREST request
// runs. Every attempt must be refused (an error) or see and touch nothing, and afterwards
// the admin connection must find everything exactly as it was. Positive controls make sure
// the members still reach their own data, so "deny everything" would fail here too.
// Covered: conversations, conversation_members, messages, user_blocks, message_reports,
// messaging_settings, messages_realtime_view, the event log (messaging_events and its counters),
// photos (attachments, pending and sent) and message_reactions, offers (and the columns of
// products saying who a listing is reserved for or sold to), every messaging RPC, and the
// private helpers behind them. On a second listing of the seller's, the buyer and another buyer
// each have an open offer: neither reaches the other's, and the outsider neither. Quick replies
// are their owner's alone, as is the text as written of a message shown masked to its recipient.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ERROR_SQLSTATE, type MessagingErrorCode } from '../../src/lib/messaging/errors.ts';
import { sqlAs, testPool } from '../support/database.ts';
import { createProduct } from '../support/factories.ts';
import { createActor, marketplace, send, type Actor } from '../support/messaging.ts';

const db = testPool();

type Who = 'outsider' | 'blocker' | 'buyer' | 'seller' | 'otherBuyer' | 'anon';
type Row = Record<string, unknown>;

interface Scene {
	buyer: Actor;
	seller: Actor;
	outsider: Actor;
	/** A third user who blocked the buyer; not in the buyer–seller conversation. */
	blocker: Actor;
	productId: string;
	/** A product of the seller's that is sold: products' RLS shows it to the seller only. */
	soldProductId: string;
	conversationId: string;
	buyerMessages: string[];
	sellerMessages: string[];
	/** The seller's report of the buyer's second message. */
	reportId: string;
	/** The outsider's own conversation (with the blocker) and its message. */
	outsiderConversationId: string;
	outsiderMessageId: string;
	/** The two photos of the buyer's first message, in order. */
	buyerPhotos: string[];
	/** A photo the seller uploaded and has not sent. */
	sellerPendingPhoto: string;
	/** The photo of the outsider's message. */
	outsiderPhoto: string;
	/** A second listing of the seller's, with two open offers on it. */
	dealProductId: string;
	/** The buyer's conversation about it, its open offer (awaiting the seller) and that offer's card. */
	dealConversationId: string;
	dealOfferId: string;
	dealCardId: string;
	/** Another buyer of the same listing, in its own conversation with the seller, with its own open offer. */
	otherBuyer: Actor;
	otherBuyerConversationId: string;
	otherBuyerOfferId: string;
	/** A quick reply the seller saved. */
	sellerQuickReplyId: string;
	/** The seller's message whose text as written (with a phone number) is kept for the seller alone. */
	maskedMessageId: string;
}

interface Query {
	sql: string;
	values: unknown[];
}

type Expectation =
	/** SQLSTATE 42501: no privilege on the table, view, function or schema. */
	| { denied: 'permission' }
	/** A write to the (joined, so read-only) view: 55000 before any privilege check, or 42501. */
	| { denied: 'read_only_view' }
	/** One of our user errors (SQLSTATE BZ001) with this kind in HINT. */
	| { denied: 'user_error'; kind: MessagingErrorCode }
	/** Runs, but sees (or returns) no rows. */
	| { rows: 0 }
	/** Runs; the result (and, through the admin pool, the database) is checked. */
	| { check: (rows: Row[], scene: Scene) => void | Promise<void> }
	/** Any one of these outcomes. */
	| { anyOf: Expectation[] };

interface Case {
	who: Who;
	what: string;
	run: (scene: Scene) => Query;
	expect: Expectation;
}

const q = (sql: string, ...values: unknown[]): Query => ({ sql, values });

let scene: Scene;
let before: Snapshot;
let attacksTried = 0;
let controlsTried = 0;

// ---------------------------------------------------------------------------------------------
// Direct table access. authenticated has select only (RLS narrows it) and no writes at all;
// anon has nothing. Messages sent as the buyer, into the buyer's own conversation, are refused
// too: direct inserts would skip the RPCs' membership, block and rate-limit checks.
// ---------------------------------------------------------------------------------------------

const tables = [
	'conversations',
	'conversation_members',
	'messages',
	'user_blocks',
	'message_reports',
	'messaging_settings',
	'messages_realtime_view',
	'messaging_events',
	'messaging_event_counters',
	'attachments',
	'message_reactions',
	'offers',
	'quick_replies',
	'message_originals',
	'messaging_preferences'
] as const;
type Table = (typeof tables)[number];

const scenePhotos = (s: Scene) => [...s.buyerPhotos, s.sellerPendingPhoto];
const sceneMessages = (s: Scene) => [...s.buyerMessages, ...s.sellerMessages];

/** A select narrowed to the scene's rows of each table. */
const sceneRows: Record<Table, (s: Scene) => Query> = {
	conversations: (s) => q('select * from public.conversations where id = $1', s.conversationId),
	conversation_members: (s) => q('select * from public.conversation_members where conversation_id = $1', s.conversationId),
	messages: (s) => q('select * from public.messages where conversation_id = $1', s.conversationId),
	user_blocks: (s) => q('select * from public.user_blocks where blocker_id = $1 or blocked_id = $1', s.buyer.id),
	message_reports: (s) => q('select * from public.message_reports where conversation_id = $1', s.conversationId),
	messaging_settings: () => q('select * from public.messaging_settings'),
	messages_realtime_view: (s) => q('select * from public.messages_realtime_view where conversation_id = $1', s.conversationId),
	messaging_events: (s) => q('select * from public.messaging_events where user_id = any($1) or conversation_id = $2', [s.buyer.id, s.seller.id], s.conversationId),
	messaging_event_counters: (s) => q('select * from public.messaging_event_counters where user_id = any($1)', [s.buyer.id, s.seller.id]),
	attachments: (s) => q('select * from public.attachments where id = any($1) or message_id = any($2)', scenePhotos(s), sceneMessages(s)),
	message_reactions: (s) => q('select * from public.message_reactions where message_id = any($1)', sceneMessages(s)),
	offers: (s) => q('select * from public.offers where product_id = $1', s.dealProductId),
	quick_replies: (s) => q('select * from public.quick_replies where user_id = $1', s.seller.id),
	message_originals: (s) => q('select * from public.message_originals where message_id = any($1)', sceneMessages(s)),
	messaging_preferences: (s) => q('select * from public.messaging_preferences where user_id = any($1)', [s.buyer.id, s.seller.id])
};

/** Well-typed inserts that would plant a row in the scene (so only a privilege check can stop them). */
const plantRow: Record<Table, (s: Scene, who: Who) => Query> = {
	conversations: (s, who) =>
		q(
			'insert into public.conversations (user_low, user_high) values (least($1::uuid, $2::uuid), greatest($1::uuid, $2::uuid)) returning id',
			who === 'anon' ? s.outsider.id : s[who].id,
			s.seller.id
		),
	conversation_members: (s, who) =>
		q(
			'insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id) values ($1, $2, $3, $4) returning *',
			s.conversationId,
			who === 'anon' ? s.outsider.id : s[who].id,
			s.seller.id,
			s.productId
		),
	messages: (s, who) =>
		q(
			`insert into public.messages (id, conversation_id, sender_id, body, expires_at) values ($1, $2, $3, 'planted', now() + interval '1 day') returning id`,
			randomUUID(),
			s.conversationId,
			who === 'anon' || who === 'outsider' || who === 'blocker' ? s.seller.id : s[who].id
		),
	user_blocks: (s) => q('insert into public.user_blocks (blocker_id, blocked_id) values ($1, $2) returning *', s.seller.id, s.buyer.id),
	message_reports: (s) =>
		q(
			`insert into public.message_reports (message_id, conversation_id, reporter_id, reported_user_id, reason, body_snapshot)
			 values ($1, $2, $3, $4, 'abuse', 'forged') returning id`,
			s.sellerMessages[0],
			s.conversationId,
			s.buyer.id,
			s.seller.id
		),
	messaging_settings: () => q('insert into public.messaging_settings (id) values (true) on conflict (id) do nothing returning *'),
	messages_realtime_view: (s) =>
		q(
			`insert into public.messages_realtime_view (id, conversation_id, sender_id, kind, body) values ($1, $2, $3, 'text', 'planted') returning id`,
			randomUUID(),
			s.conversationId,
			s.seller.id
		),
	messaging_events: (s) =>
		q(
			`insert into public.messaging_events (user_id, id, type, conversation_id, payload) values ($1, 1000000, 'message.created', $2, '{}') returning id`,
			s.buyer.id,
			s.conversationId
		),
	messaging_event_counters: (s) => q('insert into public.messaging_event_counters (user_id, last_id) values ($1, 0) on conflict (user_id) do update set last_id = 0 returning *', s.buyer.id),
	attachments: (s, who) =>
		q(
			`insert into public.attachments (uploader_id, message_id, position, width, height, thumb_width, thumb_height, bytes)
			 values ($1, $2, 2, 100, 100, 10, 10, 1000) returning id`,
			who === 'anon' ? s.outsider.id : s[who].id,
			s.buyerMessages[0]
		),
	message_reactions: (s, who) =>
		q(`insert into public.message_reactions (message_id, user_id, emoji) values ($1, $2, '🙏') returning *`, s.sellerMessages[1], who === 'anon' ? s.outsider.id : s[who].id),
	offers: (s, who) =>
		q(
			`insert into public.offers (conversation_id, product_id, buyer_id, seller_id, amount_cents, currency, status, awaiting)
			 values ($1, $2, $3, $4, 1, 'EUR', 'accepted', null) returning id`,
			s.dealConversationId,
			s.dealProductId,
			who === 'anon' || who === 'seller' ? s.outsider.id : s[who].id,
			s.seller.id
		),
	quick_replies: (s, who) =>
		q(`insert into public.quick_replies (id, user_id, body) values ($1, $2, 'planted') returning id`, randomUUID(), who === 'anon' ? s.seller.id : s[who].id),
	message_originals: (s, who) =>
		q(
			`insert into public.message_originals (message_id, sender_id, body) values ($1, $2, 'planted') returning message_id`,
			s.buyerMessages[1],
			who === 'anon' ? s.buyer.id : s[who].id
		),
	messaging_preferences: (s, who) =>
		q('insert into public.messaging_preferences (user_id, email_digests) values ($1, false) returning user_id', who === 'anon' ? s.outsider.id : s[who].id)
};

/** Updates aimed at the scene's rows. */
const changeRow: Record<Table, (s: Scene) => Query> = {
	conversations: (s) => q(`update public.conversations set last_message_preview = 'pwned' where id = $1 returning id`, s.conversationId),
	conversation_members: (s) =>
		q(
			'update public.conversation_members set unread_count = 0, last_read_at = now(), archived_at = now() where conversation_id = $1 returning user_id',
			s.conversationId
		),
	messages: (s) => q(`update public.messages set body = 'pwned', edited_at = null where conversation_id = $1 returning id`, s.conversationId),
	user_blocks: (s) => q('update public.user_blocks set blocked_id = blocker_id where blocked_id = $1 returning *', s.buyer.id),
	message_reports: (s) => q(`update public.message_reports set reason = 'other', details = 'withdrawn' where id = $1 returning id`, s.reportId),
	messaging_settings: () => q('update public.messaging_settings set rate_limit_per_minute = 1000000 returning *'),
	messages_realtime_view: (s) => q(`update public.messages_realtime_view set body = 'pwned' where conversation_id = $1 returning id`, s.conversationId),
	messaging_events: (s) => q(`update public.messaging_events set payload = '{}' where user_id = $1 returning id`, s.buyer.id),
	messaging_event_counters: (s) => q('update public.messaging_event_counters set last_id = 0, pruned_through = 0 where user_id = $1 returning *', s.buyer.id),
	attachments: (s) => q('update public.attachments set message_id = null, position = null where id = any($1) returning id', s.buyerPhotos),
	message_reactions: (s) => q(`update public.message_reactions set emoji = '😂' where message_id = any($1) returning *`, sceneMessages(s)),
	offers: (s) => q(`update public.offers set status = 'accepted', awaiting = null, amount_cents = 1 where product_id = $1 returning id`, s.dealProductId),
	quick_replies: (s) => q(`update public.quick_replies set body = 'pwned' where id = $1 returning id`, s.sellerQuickReplyId),
	message_originals: (s) => q(`update public.message_originals set body = 'pwned' where message_id = $1 returning message_id`, s.maskedMessageId),
	messaging_preferences: (s) => q('update public.messaging_preferences set email_digests = true where user_id = $1 returning user_id', s.buyer.id)
};

/** Deletes aimed at the scene's rows. */
const removeRow: Record<Table, (s: Scene) => Query> = {
	conversations: (s) => q('delete from public.conversations where id = $1 returning id', s.conversationId),
	conversation_members: (s) => q('delete from public.conversation_members where conversation_id = $1 returning user_id', s.conversationId),
	messages: (s) => q('delete from public.messages where conversation_id = $1 returning id', s.conversationId),
	user_blocks: (s) => q('delete from public.user_blocks where blocked_id = $1 returning *', s.buyer.id),
	message_reports: (s) => q('delete from public.message_reports where id = $1 returning id', s.reportId),
	messaging_settings: () => q('delete from public.messaging_settings returning *'),
	messages_realtime_view: (s) => q('delete from public.messages_realtime_view where conversation_id = $1 returning id', s.conversationId),
	messaging_events: (s) => q('delete from public.messaging_events where user_id = $1 returning id', s.buyer.id),
	messaging_event_counters: (s) => q('delete from public.messaging_event_counters where user_id = $1 returning *', s.buyer.id),
	attachments: (s) => q('delete from public.attachments where id = any($1) returning id', scenePhotos(s)),
	message_reactions: (s) => q('delete from public.message_reactions where message_id = any($1) returning *', sceneMessages(s)),
	offers: (s) => q('delete from public.offers where product_id = $1 returning id', s.dealProductId),
	quick_replies: (s) => q('delete from public.quick_replies where id = $1 returning id', s.sellerQuickReplyId),
	message_originals: (s) => q('delete from public.message_originals where message_id = $1 returning message_id', s.maskedMessageId),
	messaging_preferences: (s) => q('delete from public.messaging_preferences where user_id = $1 returning user_id', s.buyer.id)
};

const permission: Expectation = { denied: 'permission' };
const readOnlyView: Expectation = { denied: 'read_only_view' };
const nothing: Expectation = { rows: 0 };
const userError = (kind: MessagingErrorCode): Expectation => ({ denied: 'user_error', kind });


const tableCases: Case[] = tables.flatMap((table): Case[] => {
	// Operator knobs and event counters are for the RPCs and service_role only.
	const readable = table !== 'messaging_settings' && table !== 'messaging_event_counters';
	const cases: Case[] = [
		// Reading: authenticated outsiders see none of the scene's rows; anon may not even ask.
		{ who: 'outsider', what: `selects ${table}`, run: sceneRows[table], expect: readable ? nothing : permission },
		{
			who: 'blocker',
			what: `selects ${table}`,
			run: sceneRows[table],
			expect: table === 'user_blocks' ? { check: onlyOwnBlock } : readable ? nothing : permission
		},
		{ who: 'anon', what: `selects ${table}`, run: sceneRows[table], expect: permission },
		{ who: 'outsider', what: `counts every row of ${table}`, run: () => q(`select count(*)::int as n from public.${table}`), expect: readable ? { check: onlyOwnRows(table) } : permission },
		{ who: 'anon', what: `counts every row of ${table}`, run: () => q(`select count(*)::int as n from public.${table}`), expect: permission }
	];
	// Writing: nobody writes directly, not even a member into their own conversation.
	const refused = table === 'messages_realtime_view' ? readOnlyView : permission;
	for (const who of ['outsider', 'anon', 'buyer', 'seller'] as const) {
		cases.push(
			{ who, what: `inserts into ${table}`, run: (s) => plantRow[table](s, who), expect: refused },
			{ who, what: `updates ${table}`, run: changeRow[table], expect: refused },
			{ who, what: `deletes from ${table}`, run: removeRow[table], expect: refused }
		);
	}
	if (table !== 'messages_realtime_view') {
		cases.push(
			{ who: 'outsider', what: `truncates ${table}`, run: () => q(`truncate public.${table} cascade`), expect: permission },
			{ who: 'anon', what: `truncates ${table}`, run: () => q(`truncate public.${table} cascade`), expect: permission }
		);
	}
	return cases;
});

/** The blocker sees its own block of the buyer and nothing else of the scene. */
function onlyOwnBlock(rows: Row[]) {
	expect(rows.map((r) => [r.blocker_id, r.blocked_id])).toEqual([[scene.blocker.id, scene.buyer.id]]);
}

/** Counting a whole table, the outsider sees only rows of its own conversation with the blocker. */
function onlyOwnRows(table: Table) {
	const own: Record<Table, number> = {
		conversations: 1,
		conversation_members: 1,
		messages: 1,
		user_blocks: 0,
		message_reports: 0,
		messaging_settings: 0,
		messages_realtime_view: 1,
		// The outsider's own message produced one event for it (and one for the blocker), and
		// so did the blocker's reaction to it.
		messaging_events: 2,
		messaging_event_counters: 0,
		// The photo of the outsider's own message, and the blocker's reaction to it.
		attachments: 1,
		message_reactions: 1,
		offers: 0,
		quick_replies: 0,
		message_originals: 0,
		messaging_preferences: 0
	};
	return (rows: Row[]) => expect(rows).toEqual([{ n: own[table] }]);
}

const otherMemberTableCases: Case[] = [
	// Membership rows hold a member's private read state, archive and mute.
	{ who: 'seller', what: 'reads the buyer’s membership row', run: (s) => q('select * from public.conversation_members where user_id = $1', s.buyer.id), expect: nothing },
	{ who: 'buyer', what: 'reads the seller’s membership row', run: (s) => q('select * from public.conversation_members where user_id = $1', s.seller.id), expect: nothing },
	{
		who: 'buyer',
		what: 'sees only its own membership of the conversation',
		run: (s) => q('select user_id from public.conversation_members where conversation_id = $1', s.conversationId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ user_id: s.buyer.id }]) }
	},
	// Blocks: the blocked user may not see (or lift) the block against them.
	{ who: 'buyer', what: 'reads the block made against it', run: (s) => q('select * from public.user_blocks where blocked_id = $1', s.buyer.id), expect: nothing },
	{ who: 'seller', what: 'reads someone else’s blocks', run: (s) => q('select * from public.user_blocks where blocker_id = $1', s.blocker.id), expect: nothing },
	{ who: 'buyer', what: 'deletes the block made against it', run: (s) => q('delete from public.user_blocks where blocked_id = $1 returning *', s.buyer.id), expect: permission },
	// Reports: the reported member never sees who reported what.
	{ who: 'buyer', what: 'reads the report about its message', run: (s) => q('select * from public.message_reports where reported_user_id = $1', s.buyer.id), expect: nothing },
	{ who: 'buyer', what: 'reads a report by id', run: (s) => q('select * from public.message_reports where id = $1', s.reportId), expect: nothing },
	{ who: 'buyer', what: 'deletes the report about its message', run: (s) => q('delete from public.message_reports where id = $1 returning id', s.reportId), expect: permission },
	// Messages: a member changes the other's messages only through the RPCs, which refuse.
	{ who: 'seller', what: 'rewrites the buyer’s message directly', run: (s) => q(`update public.messages set body = 'pwned' where id = $1 returning id`, s.buyerMessages[0]), expect: permission },
	{ who: 'seller', what: 'locks the buyer’s message for update', run: (s) => q('select id from public.messages where id = $1 for update', s.buyerMessages[0]), expect: permission },
	{ who: 'seller', what: 'marks the buyer’s side read directly', run: (s) => q('update public.conversation_members set unread_count = 0 where user_id = $1 returning user_id', s.buyer.id), expect: permission },
	{ who: 'seller', what: 'inserts a message as the buyer', run: (s) => q(`insert into public.messages (id, conversation_id, sender_id, body, expires_at) values ($1, $2, $3, 'fake', now() + interval '1 day')`, randomUUID(), s.conversationId, s.buyer.id), expect: permission },
	// The outsider's messages stay out of the members' reach too (RLS is per conversation, not per pair of rows).
	{ who: 'buyer', what: 'reads the outsider’s conversation', run: (s) => q('select * from public.messages_realtime_view where conversation_id = $1', s.outsiderConversationId), expect: nothing },
	{ who: 'buyer', what: 'reads the outsider’s message by id', run: (s) => q('select * from public.messages where id = $1', s.outsiderMessageId), expect: nothing },
	{ who: 'buyer', what: 'reads the outsider’s conversation row', run: (s) => q('select * from public.conversations where id = $1', s.outsiderConversationId), expect: nothing },
	// Events carry each member's own preview (unread count, archive, mute): never the other's.
	{ who: 'seller', what: 'reads the buyer’s events', run: (s) => q('select * from public.messaging_events where user_id = $1', s.buyer.id), expect: nothing },
	{
		who: 'seller',
		what: 'sees only its own events of the conversation',
		run: (s) => q('select distinct user_id from public.messaging_events where conversation_id = $1', s.conversationId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ user_id: s.seller.id }]) }
	},
	// Photos: a pending photo is its uploader's alone; sent ones change only through the RPCs.
	{ who: 'buyer', what: 'reads the seller’s pending photo', run: (s) => q('select * from public.attachments where id = $1', s.sellerPendingPhoto), expect: nothing },
	{ who: 'buyer', what: 'reads every pending photo', run: () => q('select * from public.attachments where message_id is null'), expect: nothing },
	{ who: 'seller', what: 'deletes the buyer’s photos directly', run: (s) => q('delete from public.attachments where id = any($1) returning id', s.buyerPhotos), expect: permission },
	{
		who: 'seller',
		what: 'moves the buyer’s photo onto its own message',
		run: (s) => q('update public.attachments set message_id = $2 where id = $1 returning id', s.buyerPhotos[0], s.sellerMessages[0]),
		expect: permission
	},
	{ who: 'buyer', what: 'reads the outsider’s photo', run: (s) => q('select * from public.attachments where id = $1', s.outsiderPhoto), expect: nothing },
	{ who: 'buyer', what: 'reads the reactions of the outsider’s message', run: (s) => q('select * from public.message_reactions where message_id = $1', s.outsiderMessageId), expect: nothing },
	{
		who: 'buyer',
		what: 'reads the outsider’s photos and reactions through the view',
		run: (s) => q('select attachments, reactions from public.messages_realtime_view where id = $1', s.outsiderMessageId),
		expect: nothing
	},
	{
		who: 'buyer',
		what: 'adds a reaction as the seller',
		run: (s) => q(`insert into public.message_reactions (message_id, user_id, emoji) values ($1, $2, '😮')`, s.buyerMessages[1], s.seller.id),
		expect: permission
	},
	{ who: 'buyer', what: 'takes back the seller’s reaction directly', run: (s) => q('delete from public.message_reactions where user_id = $1 returning *', s.seller.id), expect: permission },
	{ who: 'outsider', what: 'reads the removal queue', run: () => q('select * from private.attachment_removals'), expect: permission },
	{ who: 'anon', what: 'reads the removal queue', run: () => q('select * from private.attachment_removals'), expect: permission },
	// Offers: each buyer reads its own offer of the listing, never the other buyer's.
	{ who: 'otherBuyer', what: 'reads the buyer’s offer by id', run: (s) => q('select * from public.offers where id = $1', s.dealOfferId), expect: nothing },
	{
		who: 'otherBuyer',
		what: 'sees only its own offer of the listing',
		run: (s) => q('select buyer_id from public.offers where product_id = $1', s.dealProductId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ buyer_id: s.otherBuyer.id }]) }
	},
	{
		who: 'buyer',
		what: 'sees only its own offer of the listing',
		run: (s) => q('select buyer_id from public.offers where product_id = $1', s.dealProductId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ buyer_id: s.buyer.id }]) }
	},
	{ who: 'buyer', what: 'reads the other buyer’s offer by id', run: (s) => q('select * from public.offers where id = $1', s.otherBuyerOfferId), expect: nothing },
	{ who: 'otherBuyer', what: 'reads the buyer’s offer card through the view', run: (s) => q('select offer, payload from public.messages_realtime_view where id = $1', s.dealCardId), expect: nothing },
	{ who: 'otherBuyer', what: 'reads the buyer’s conversation about the listing', run: (s) => q('select * from public.messages where conversation_id = $1', s.dealConversationId), expect: nothing },
	{ who: 'blocker', what: 'reads the offers of the listing', run: (s) => q('select * from public.offers where product_id = $1', s.dealProductId), expect: nothing },
	{ who: 'otherBuyer', what: 'accepts its own offer directly', run: (s) => q(`update public.offers set status = 'accepted', awaiting = null where id = $1 returning id`, s.otherBuyerOfferId), expect: permission },
	{ who: 'seller', what: 'accepts the buyer’s offer directly', run: (s) => q(`update public.offers set status = 'accepted', awaiting = null where id = $1 returning id`, s.dealOfferId), expect: permission },
	{ who: 'buyer', what: 'withdraws its offer directly', run: (s) => q('delete from public.offers where id = $1 returning id', s.dealOfferId), expect: permission },
	// Who a listing is reserved for or sold to is not for other users to read; its status changes only through the RPCs.
	...(['otherBuyer', 'outsider', 'buyer'] as const).map(
		(who): Case => ({ who, what: 'reads who the listing is reserved for or sold to', run: (s) => q('select reserved_for, sold_to from public.products where id = $1', s.dealProductId), expect: permission })
	),
	{ who: 'anon', what: 'reads who the listing is reserved for', run: (s) => q('select reserved_for from public.products where id = $1', s.dealProductId), expect: permission },
	{ who: 'seller', what: 'marks its listing sold directly', run: (s) => q(`update public.products set status = 'sold' where id = $1 returning id`, s.dealProductId), expect: permission },
	{ who: 'seller', what: 'reserves its listing for the buyer directly', run: (s) => q('update public.products set reserved_for = $2 where id = $1 returning id', s.dealProductId, s.buyer.id), expect: permission },
	{
		who: 'seller',
		what: 'lists a product as already reserved',
		run: () => q(`insert into public.products (seller_id, title, price_cents, status) select id, 'Planted', 1, 'reserved' from public.profiles where id = auth.uid() returning id`),
		expect: permission
	}
];

// ---------------------------------------------------------------------------------------------
// The RPCs. anon has no execute right on any of them; signed-in users are checked inside.
// ---------------------------------------------------------------------------------------------

const rpcCases: Case[] = [
	// open_conversation: naming the members gets the outsider its own (empty) conversation, never theirs.
	{
		who: 'outsider',
		what: 'opens the seller’s product conversation',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2) as r', s.seller.id, s.productId),
		expect: { check: (rows) => expect(rows[0].r).toMatchObject({ conversation_id: null, read_state: null, messages: [] }) }
	},
	{
		who: 'outsider',
		what: 'opens a general conversation with the buyer',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1) as r', s.buyer.id),
		expect: { check: (rows) => expect(rows[0].r).toMatchObject({ conversation_id: null, read_state: null, messages: [] }) }
	},
	{
		who: 'outsider',
		what: 'opens the product conversation naming the buyer',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2) as r', s.buyer.id, s.productId),
		expect: userError('product_seller_mismatch')
	},
	{
		who: 'blocker',
		what: 'opens the seller’s product conversation',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2) as r', s.seller.id, s.productId),
		expect: { check: (rows) => expect(rows[0].r).toMatchObject({ conversation_id: null, messages: [] }) }
	},
	{
		// products' RLS shows a sold product to its seller only; the definer RPC must not show it
		// to a caller who has no conversation about it either.
		who: 'outsider',
		what: 'opens a conversation about the seller’s sold product (hidden by products RLS)',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2) as r', s.seller.id, s.soldProductId),
		expect: { anyOf: [userError('not_found'), { check: (rows) => expect(rows[0].r).toMatchObject({ conversation_id: null, product: null, messages: [] }) }] }
	},
	{ who: 'anon', what: 'opens the conversation', run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2)', s.seller.id, s.productId), expect: permission },

	// send_message
	{
		who: 'outsider',
		what: 'sends into the conversation by id',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3)', randomUUID(), 'let me in', s.conversationId),
		expect: userError('not_member')
	},
	{
		who: 'outsider',
		what: 'sends into the conversation by id, also naming the seller and product',
		run: (s) =>
			q(
				'select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_other_user_id => $4, p_product_id => $5)',
				randomUUID(),
				'let me in',
				s.conversationId,
				s.seller.id,
				s.productId
			),
		expect: userError('not_member')
	},
	{
		who: 'outsider',
		what: 'resends the buyer’s message id (idempotency key) to read it',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3)', s.buyerMessages[0], 'x', s.seller.id),
		expect: userError('conflict')
	},
	{
		who: 'outsider',
		what: 'replies to the buyer’s message from a new conversation',
		run: (s) =>
			q(
				'select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3, p_product_id => $4, p_reply_to_id => $5)',
				randomUUID(),
				'quoting you',
				s.seller.id,
				s.productId,
				s.buyerMessages[0]
			),
		expect: userError('not_found')
	},
	{
		who: 'seller',
		what: 'resends the buyer’s message id in their conversation',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3)', s.buyerMessages[1], 'overwritten', s.conversationId),
		expect: userError('conflict')
	},
	{
		who: 'buyer',
		what: 'quotes the outsider’s message in its own conversation',
		run: (s) =>
			q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_reply_to_id => $4)', randomUUID(), 'leak it', s.conversationId, s.outsiderMessageId),
		expect: userError('not_found')
	},
	{
		who: 'buyer',
		what: 'messages the user who blocked it',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3)', randomUUID(), 'why?', s.blocker.id),
		expect: userError('blocked')
	},
	{ who: 'anon', what: 'sends into the conversation', run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3)', randomUUID(), 'hi', s.conversationId), expect: permission },
	{ who: 'anon', what: 'starts a conversation with the seller', run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3)', randomUUID(), 'hi', s.seller.id), expect: permission },

	// list_conversation_previews: only the caller's own inbox, under every filter.
	...(['all', 'unread', 'archived'] as const).map(
		(filter): Case => ({
			who: 'outsider',
			what: `lists previews (${filter})`,
			run: () => q('select * from public.list_conversation_previews(p_filter => $1)', filter),
			expect: {
				check: (rows, s) => {
					expect(rows.map((r) => r.conversation_id)).not.toContain(s.conversationId);
					expect(rows.every((r) => r.conversation_id === s.outsiderConversationId)).toBe(true);
				}
			}
		})
	),
	{
		who: 'blocker',
		what: 'lists previews',
		run: () => q('select * from public.list_conversation_previews()'),
		expect: { check: (rows, s) => expect(rows.map((r) => r.conversation_id)).toEqual([s.outsiderConversationId]) }
	},
	{ who: 'anon', what: 'lists previews', run: () => q('select * from public.list_conversation_previews()'), expect: permission },

	// list_messages
	{ who: 'outsider', what: 'lists the conversation’s messages', run: (s) => q('select * from public.list_messages(p_conversation_id => $1)', s.conversationId), expect: userError('not_member') },
	{
		who: 'outsider',
		what: 'lists the conversation’s messages with a cursor',
		run: (s) => q(`select * from public.list_messages(p_conversation_id => $1, p_before_at => 'infinity', p_before_id => $2, p_limit => 200)`, s.conversationId, s.buyerMessages[2]),
		expect: userError('not_member')
	},
	{ who: 'blocker', what: 'lists the conversation’s messages', run: (s) => q('select * from public.list_messages(p_conversation_id => $1)', s.conversationId), expect: userError('not_member') },
	{ who: 'buyer', what: 'lists the outsider’s conversation', run: (s) => q('select * from public.list_messages(p_conversation_id => $1)', s.outsiderConversationId), expect: userError('not_member') },
	{ who: 'anon', what: 'lists the conversation’s messages', run: (s) => q('select * from public.list_messages(p_conversation_id => $1)', s.conversationId), expect: permission },

	// mark_conversation_read
	{ who: 'outsider', what: 'marks the conversation read', run: (s) => q('select public.mark_conversation_read(p_conversation_id => $1)', s.conversationId), expect: userError('not_member') },
	{
		who: 'outsider',
		what: 'marks the conversation read up to a message',
		run: (s) => q('select public.mark_conversation_read(p_conversation_id => $1, p_up_to_message_id => $2)', s.conversationId, s.sellerMessages[2]),
		expect: userError('not_member')
	},
	{
		who: 'buyer',
		what: 'marks its conversation read up to the outsider’s message',
		run: (s) => q('select public.mark_conversation_read(p_conversation_id => $1, p_up_to_message_id => $2)', s.conversationId, s.outsiderMessageId),
		expect: userError('not_found')
	},
	{ who: 'anon', what: 'marks the conversation read', run: (s) => q('select public.mark_conversation_read(p_conversation_id => $1)', s.conversationId), expect: permission },

	// mark_conversation_unread
	{ who: 'outsider', what: 'marks the conversation unread', run: (s) => q('select public.mark_conversation_unread(p_conversation_id => $1)', s.conversationId), expect: userError('not_member') },
	{ who: 'anon', what: 'marks the conversation unread', run: (s) => q('select public.mark_conversation_unread(p_conversation_id => $1)', s.conversationId), expect: permission },

	// unread_total: the caller's own badge only.
	{ who: 'outsider', what: 'reads the unread total', run: () => q('select public.unread_total() as n'), expect: { check: (rows) => expect(rows).toEqual([{ n: 0 }]) } },
	{ who: 'blocker', what: 'reads the unread total', run: () => q('select public.unread_total() as n'), expect: { check: (rows) => expect(rows).toEqual([{ n: 1 }]) } },
	{ who: 'anon', what: 'reads the unread total', run: () => q('select public.unread_total()'), expect: permission },

	// edit_message / delete_message: only one's own messages, only as a member.
	...(['edit', 'delete'] as const).flatMap((verb): Case[] => {
		const call = (id: string): Query =>
			verb === 'edit' ? q('select public.edit_message(p_id => $1, p_body => $2)', id, 'pwned') : q('select public.delete_message(p_id => $1)', id);
		return [
			{ who: 'outsider', what: `${verb}s the buyer’s message`, run: (s) => call(s.buyerMessages[0]), expect: userError('not_found') },
			{ who: 'outsider', what: `${verb}s the seller’s message`, run: (s) => call(s.sellerMessages[2]), expect: userError('not_found') },
			{ who: 'blocker', what: `${verb}s the buyer’s message`, run: (s) => call(s.buyerMessages[1]), expect: userError('not_found') },
			{ who: 'seller', what: `${verb}s the buyer’s message`, run: (s) => call(s.buyerMessages[0]), expect: userError('not_allowed') },
			{ who: 'buyer', what: `${verb}s the seller’s message`, run: (s) => call(s.sellerMessages[1]), expect: userError('not_allowed') },
			{ who: 'buyer', what: `${verb}s the outsider’s message`, run: (s) => call(s.outsiderMessageId), expect: userError('not_found') },
			{ who: 'outsider', what: `${verb}s a message that does not exist`, run: () => call(randomUUID()), expect: userError('not_found') },
			{ who: 'anon', what: `${verb}s the buyer’s message`, run: (s) => call(s.buyerMessages[0]), expect: permission }
		];
	}),

	// set_archived / set_muted: members only, and only their own row (checked in a test below).
	{ who: 'outsider', what: 'archives the conversation', run: (s) => q('select public.set_archived(p_conversation_id => $1, p_archived => true)', s.conversationId), expect: userError('not_member') },
	{ who: 'outsider', what: 'unarchives the conversation', run: (s) => q('select public.set_archived(p_conversation_id => $1, p_archived => false)', s.conversationId), expect: userError('not_member') },
	{ who: 'anon', what: 'archives the conversation', run: (s) => q('select public.set_archived(p_conversation_id => $1, p_archived => true)', s.conversationId), expect: permission },
	{ who: 'outsider', what: 'mutes the conversation', run: (s) => q(`select public.set_muted(p_conversation_id => $1, p_until => 'infinity')`, s.conversationId), expect: userError('not_member') },
	{ who: 'outsider', what: 'unmutes the conversation', run: (s) => q('select public.set_muted(p_conversation_id => $1, p_until => null)', s.conversationId), expect: userError('not_member') },
	{ who: 'anon', what: 'mutes the conversation', run: (s) => q(`select public.set_muted(p_conversation_id => $1, p_until => 'infinity')`, s.conversationId), expect: permission },

	// block_user / unblock_user: a caller only ever touches its own blocks.
	{ who: 'anon', what: 'blocks the buyer', run: (s) => q('select public.block_user(p_user_id => $1)', s.buyer.id), expect: permission },
	{ who: 'anon', what: 'unblocks the buyer', run: (s) => q('select public.unblock_user(p_user_id => $1)', s.buyer.id), expect: permission },
	{ who: 'buyer', what: 'lifts the block made against it', run: (s) => q('select public.unblock_user(p_user_id => $1) as r', s.blocker.id), expect: { check: blockStillThere } },
	{ who: 'outsider', what: 'lifts the blocker’s block of the buyer', run: (s) => q('select public.unblock_user(p_user_id => $1) as r', s.buyer.id), expect: { check: blockStillThere } },
	{ who: 'seller', what: 'lifts the blocker’s block of the buyer', run: (s) => q('select public.unblock_user(p_user_id => $1) as r', s.buyer.id), expect: { check: blockStillThere } },
	{ who: 'outsider', what: 'blocks itself', run: (s) => q('select public.block_user(p_user_id => $1)', s.outsider.id), expect: userError('invalid_input') },
	// block_between: the caller's own blocks, each way, as the thread tells them; nobody else's.
	{ who: 'anon', what: 'asks for the blocks between the blocker and the buyer', run: (s) => q('select public.block_between(p_user_id => $1)', s.buyer.id), expect: permission },
	{
		who: 'buyer',
		what: 'asks for the blocks between it and the blocker',
		run: (s) => q('select public.block_between(p_user_id => $1) as r', s.blocker.id),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { user_id: s.blocker.id, blocked_by_me: false, blocked_me: true } }]) }
	},
	{
		who: 'blocker',
		what: 'asks for the blocks between it and the buyer',
		run: (s) => q('select public.block_between(p_user_id => $1) as r', s.buyer.id),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { user_id: s.buyer.id, blocked_by_me: true, blocked_me: false } }]) }
	},
	{
		who: 'outsider',
		what: 'asks for the blocks between it and the buyer (the blocker’s block of the buyer is none of its own)',
		run: (s) => q('select public.block_between(p_user_id => $1) as r', s.buyer.id),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { user_id: s.buyer.id, blocked_by_me: false, blocked_me: false } }]) }
	},

	// report_message: only the other member's messages of one's own conversations.
	{ who: 'outsider', what: 'reports the buyer’s message', run: (s) => q(`select public.report_message(p_message_id => $1, p_reason => 'spam')`, s.buyerMessages[0]), expect: userError('not_found') },
	{ who: 'blocker', what: 'reports the seller’s message', run: (s) => q(`select public.report_message(p_message_id => $1, p_reason => 'abuse')`, s.sellerMessages[0]), expect: userError('not_found') },
	{ who: 'buyer', what: 'reports its own message', run: (s) => q(`select public.report_message(p_message_id => $1, p_reason => 'other')`, s.buyerMessages[0]), expect: userError('not_allowed') },
	{ who: 'buyer', what: 'reports the outsider’s message', run: (s) => q(`select public.report_message(p_message_id => $1, p_reason => 'scam')`, s.outsiderMessageId), expect: userError('not_found') },
	{ who: 'anon', what: 'reports the buyer’s message', run: (s) => q(`select public.report_message(p_message_id => $1, p_reason => 'spam')`, s.buyerMessages[0]), expect: permission },

	// search_messages: only the caller's conversations.
	{ who: 'outsider', what: 'searches the conversation’s words', run: () => q('select * from public.search_messages(p_query => $1)', 'camera'), expect: nothing },
	{ who: 'outsider', what: 'searches the reported message’s words', run: () => q('select * from public.search_messages(p_query => $1)', 'lowball offer'), expect: nothing },
	{ who: 'blocker', what: 'searches the conversation’s words', run: () => q('select * from public.search_messages(p_query => $1, p_limit => 100)', 'saturday'), expect: nothing },
	{ who: 'buyer', what: 'searches the outsider’s words', run: () => q('select * from public.search_messages(p_query => $1)', 'zanzibar'), expect: nothing },
	{ who: 'anon', what: 'searches messages', run: () => q('select * from public.search_messages(p_query => $1)', 'camera'), expect: permission },

	// search_conversations: only the caller's conversations, whoever and whatever they name.
	{ who: 'outsider', what: 'searches for the buyer by username', run: (s) => q('select * from public.search_conversations(p_query => $1)', s.buyer.username), expect: nothing },
	{ who: 'outsider', what: 'searches for the seller’s listing', run: () => q('select * from public.search_conversations(p_query => $1, p_limit => 20)', 'tripod'), expect: nothing },
	{ who: 'blocker', what: 'searches for the seller by username', run: (s) => q('select * from public.search_conversations(p_query => $1)', s.seller.username), expect: nothing },
	{ who: 'anon', what: 'searches conversations', run: (s) => q('select * from public.search_conversations(p_query => $1)', s.buyer.username), expect: permission },

	// purge_expired_messages: the operator's (service_role) only.
	...(['outsider', 'buyer', 'seller', 'anon'] as const).map(
		(who): Case => ({ who, what: 'purges expired messages', run: () => q('select * from public.purge_expired_messages(p_batch => 1000000)'), expect: permission })
	),

	// The event log: sync_since and current_event_cursor serve the caller's own log; the
	// server's fetch-by-reference, pruning and publishing are service_role's.
	{
		who: 'outsider',
		what: 'catches up from cursor 0',
		run: () => q('select public.sync_since(p_cursor => 0) as r'),
		expect: {
			check: (rows, s) => {
				const { events } = rows[0].r as { events: { user_id: string; conversation_id: string }[] };
				expect(events.length).toBeGreaterThan(0);
				expect(events.every((e) => e.user_id === s.outsider.id && e.conversation_id === s.outsiderConversationId)).toBe(true);
			}
		}
	},
	{
		who: 'blocker',
		what: 'catches up from cursor 0',
		run: () => q('select public.sync_since(p_cursor => 0, p_limit => 1000) as r'),
		expect: { check: (rows, s) => expect((rows[0].r as { events: { conversation_id: string }[] }).events.map((e) => e.conversation_id)).not.toContain(s.conversationId) }
	},
	{ who: 'anon', what: 'catches up from cursor 0', run: () => q('select public.sync_since(p_cursor => 0)'), expect: permission },
	{ who: 'anon', what: 'reads its event cursor', run: () => q('select public.current_event_cursor()'), expect: permission },
	// messaging_session_start: the caller's own cursor, badge and preferences, the same as the RPCs it joins.
	...(['outsider', 'blocker'] as const).map(
		(who): Case => ({
			who,
			what: 'reads where its session starts',
			run: () => q('select public.messaging_session_start() as r, public.current_event_cursor() as cursor, public.unread_total() as n'),
			expect: {
				check: (rows) => {
					const { r, cursor, n } = rows[0] as { r: { cursor: number; unread_total: number }; cursor: string; n: number };
					expect(Number(cursor)).toBeGreaterThan(0);
					expect(r).toEqual({ cursor: Number(cursor), unread_total: n, preferences: { email_digests: true, browser_notifications: true } });
				}
			}
		})
	),
	{ who: 'anon', what: 'reads where its session starts', run: () => q('select public.messaging_session_start()'), expect: permission },
	...(['outsider', 'seller', 'anon'] as const).flatMap((who): Case[] => [
		{
			who,
			what: 'fetches the buyer’s events by reference',
			run: (s) => q('select * from public.messaging_events_by_ref($1::jsonb)', JSON.stringify([1, 2, 3, 4, 5, 6].map((id) => ({ user_id: s.buyer.id, id })))),
			expect: permission
		},
		{ who, what: 'prunes the event log', run: () => q(`select public.prune_messaging_events(p_keep => interval '0 seconds')`), expect: permission },
		{
			who,
			what: 'publishes a forged event to the buyer',
			run: (s) => q('select public.messaging_publish($1::jsonb)', JSON.stringify([{ user_id: s.buyer.id, id: 1, type: 'message.created', payload: {} }])),
			expect: permission
		}
	]),
	{ who: 'outsider', what: 'renders the buyer’s preview with private.preview_json', run: (s) => q('select private.preview_json($1, $2)', s.conversationId, s.buyer.id), expect: permission },
	{ who: 'outsider', what: 'reads private.conversation_preview_rows', run: (s) => q('select * from private.conversation_preview_rows where conversation_id = $1', s.conversationId), expect: permission },

	// The private helpers behind the RPCs are out of reach altogether.
	{ who: 'outsider', what: 'renders the buyer’s message with private.message_json', run: (s) => q('select private.message_json($1)', s.buyerMessages[0]), expect: permission },
	{ who: 'outsider', what: 'reads the buyer’s read state with private.read_state_json', run: (s) => q('select private.read_state_json($1, $2)', s.conversationId, s.buyer.id), expect: permission },
	{ who: 'outsider', what: 'reads the buyer’s membership with private.membership', run: (s) => q('select * from private.membership($1, $2)', s.conversationId, s.buyer.id), expect: permission },
	{ who: 'outsider', what: 'locates the conversation with private.locate_conversation', run: (s) => q('select * from private.locate_conversation($1, $2, $3)', s.buyer.id, s.seller.id, s.productId), expect: permission },
	{ who: 'anon', what: 'calls private.current_user_id', run: () => q('select private.current_user_id()'), expect: permission },
	{ who: 'outsider', what: 'reads the buyer’s photo with private.readable_attachment', run: (s) => q('select * from private.readable_attachment($1, $2)', s.buyerPhotos[0], s.buyer.id), expect: permission },

	// Photos. create_attachment makes only the caller's own pending photo (nothing of the scene).
	{ who: 'anon', what: 'creates a photo', run: () => q('select public.create_attachment(100, 100, 10, 10, 1000)'), expect: permission },
	// discard_attachment: only the caller's own pending photo; anything else is left alone silently.
	{ who: 'outsider', what: 'discards the seller’s pending photo', run: (s) => q('select public.discard_attachment($1)', s.sellerPendingPhoto), expect: { check: photoStillThere('sellerPendingPhoto') } },
	{ who: 'buyer', what: 'discards the seller’s pending photo', run: (s) => q('select public.discard_attachment($1)', s.sellerPendingPhoto), expect: { check: photoStillThere('sellerPendingPhoto') } },
	{ who: 'seller', what: 'discards the buyer’s sent photo', run: (s) => q('select public.discard_attachment($1)', s.buyerPhotos[0]), expect: { check: photoStillThere('buyerPhotos') } },
	{ who: 'buyer', what: 'discards its own sent photo', run: (s) => q('select public.discard_attachment($1)', s.buyerPhotos[1]), expect: { check: photoStillThere('buyerPhotos') } },
	{ who: 'anon', what: 'discards the seller’s pending photo', run: (s) => q('select public.discard_attachment($1)', s.sellerPendingPhoto), expect: permission },
	// attachment_for_reader: the same not_found for a photo that is not there and one that is not the caller's.
	...(['outsider', 'blocker'] as const).flatMap((who): Case[] => [
		{ who, what: 'asks for the buyer’s photo', run: (s) => q('select public.attachment_for_reader($1)', s.buyerPhotos[0]), expect: userError('not_found') },
		{ who, what: 'asks for the seller’s pending photo', run: (s) => q('select public.attachment_for_reader($1)', s.sellerPendingPhoto), expect: userError('not_found') }
	]),
	{ who: 'buyer', what: 'asks for the seller’s pending photo', run: (s) => q('select public.attachment_for_reader($1)', s.sellerPendingPhoto), expect: userError('not_found') },
	{ who: 'buyer', what: 'asks for the outsider’s photo', run: (s) => q('select public.attachment_for_reader($1)', s.outsiderPhoto), expect: userError('not_found') },
	{ who: 'anon', what: 'asks for the buyer’s photo', run: (s) => q('select public.attachment_for_reader($1)', s.buyerPhotos[0]), expect: permission },
	// Storage's checks answer for the caller only, and only false to everyone else.
	...(['outsider', 'blocker'] as const).flatMap((who): Case[] => [
		{
			who,
			what: 'asks Storage’s read check about the buyer’s photo',
			run: (s) => q('select private.attachment_object_readable($1) as ok', `${s.buyerPhotos[0]}/display.webp`),
			expect: { check: (rows) => expect(rows).toEqual([{ ok: false }]) }
		},
		{
			who,
			what: 'asks Storage’s upload check about the seller’s pending photo',
			run: (s) => q('select private.attachment_object_uploadable($1) as ok', `${s.sellerPendingPhoto}/thumb.webp`),
			expect: { check: (rows) => expect(rows).toEqual([{ ok: false }]) }
		}
	]),
	{
		who: 'buyer',
		what: 'asks Storage’s upload check about its own sent photo',
		run: (s) => q('select private.attachment_object_uploadable($1) as ok', `${s.buyerPhotos[0]}/thumb.webp`),
		expect: { check: (rows) => expect(rows).toEqual([{ ok: false }]) }
	},
	{ who: 'anon', what: 'asks Storage’s read check', run: (s) => q('select private.attachment_object_readable($1)', `${s.buyerPhotos[0]}/thumb.webp`), expect: permission },
	// send_message: only the caller's own pending photos, never one already sent.
	{
		who: 'outsider',
		what: 'sends the seller’s pending photo in its own conversation',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_attachment_ids => $4::uuid[])', randomUUID(), 'mine now', s.outsiderConversationId, [s.sellerPendingPhoto]),
		expect: userError('not_found')
	},
	{
		who: 'buyer',
		what: 'sends the seller’s pending photo in their conversation',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_attachment_ids => $4::uuid[])', randomUUID(), 'look', s.conversationId, [s.sellerPendingPhoto]),
		expect: userError('not_found')
	},
	{
		who: 'seller',
		what: 'resends the buyer’s photos as its own',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_attachment_ids => $4::uuid[])', randomUUID(), '', s.conversationId, s.buyerPhotos),
		expect: userError('not_found')
	},
	{
		who: 'buyer',
		what: 'moves its sent photos to a new message',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_conversation_id => $3, p_attachment_ids => $4::uuid[])', randomUUID(), 'again', s.conversationId, s.buyerPhotos),
		expect: userError('not_found')
	},
	{
		who: 'outsider',
		what: 'sends the buyer’s photo to the buyer',
		run: (s) => q('select public.send_message(p_id => $1, p_body => $2, p_other_user_id => $3, p_attachment_ids => $4::uuid[])', randomUUID(), 'yours?', s.buyer.id, [s.buyerPhotos[0]]),
		expect: userError('not_found')
	},
	// toggle_reaction: members of the message's conversation only.
	{ who: 'outsider', what: 'reacts to the buyer’s message', run: (s) => q(`select public.toggle_reaction($1, '👍')`, s.buyerMessages[0]), expect: userError('not_found') },
	{ who: 'blocker', what: 'reacts to the buyer’s message', run: (s) => q(`select public.toggle_reaction($1, '👍')`, s.buyerMessages[0]), expect: userError('not_found') },
	{ who: 'blocker', what: 'reacts to the seller’s message', run: (s) => q(`select public.toggle_reaction($1, '❤️')`, s.sellerMessages[0]), expect: userError('not_found') },
	{ who: 'buyer', what: 'reacts to the outsider’s message', run: (s) => q(`select public.toggle_reaction($1, '😂')`, s.outsiderMessageId), expect: userError('not_found') },
	{ who: 'anon', what: 'reacts to the buyer’s message', run: (s) => q(`select public.toggle_reaction($1, '👍')`, s.buyerMessages[0]), expect: permission },
	// make_offer: only as the buyer of one's own conversation about a listing.
	...(['outsider', 'otherBuyer', 'blocker'] as const).map(
		(who): Case => ({
			who,
			what: 'makes an offer in the buyer’s conversation',
			run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_conversation_id => $2)', randomUUID(), s.dealConversationId),
			expect: userError('not_member')
		})
	),
	{
		who: 'otherBuyer',
		what: 'resends the buyer’s offer card id (idempotency key) to read it',
		run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_other_user_id => $2, p_product_id => $3)', s.dealCardId, s.seller.id, s.dealProductId),
		expect: userError('conflict')
	},
	{
		who: 'outsider',
		what: 'makes an offer in the buyer’s name through the buyer as the other party',
		run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_other_user_id => $2, p_product_id => $3)', randomUUID(), s.buyer.id, s.dealProductId),
		expect: userError('product_seller_mismatch')
	},
	{
		who: 'seller',
		what: 'makes an offer on its own listing',
		run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_conversation_id => $2)', randomUUID(), s.dealConversationId),
		expect: userError('not_allowed')
	},
	{
		who: 'buyer',
		what: 'makes a second open offer on the listing',
		run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_conversation_id => $2)', randomUUID(), s.dealConversationId),
		expect: userError('conflict')
	},
	{ who: 'anon', what: 'makes an offer', run: (s) => q('select public.make_offer(p_id => $1, p_amount_cents => 100, p_other_user_id => $2, p_product_id => $3)', randomUUID(), s.seller.id, s.dealProductId), expect: permission },

	// respond_to_offer: only the offer's buyer and seller, and only in turn.
	...(['outsider', 'otherBuyer', 'blocker'] as const).flatMap((who) =>
		(['accept', 'decline', 'withdraw', 'counter'] as const).map(
			(action): Case => ({
				who,
				what: `${action}s the buyer’s offer`,
				run: (s) => q('select public.respond_to_offer(p_offer_id => $1, p_action => $2, p_amount_cents => 100, p_id => $3)', s.dealOfferId, action, randomUUID()),
				expect: userError('not_found')
			})
		)
	),
	...(['accept', 'decline', 'withdraw'] as const).map(
		(action): Case => ({
			who: 'buyer',
			what: `${action}s the other buyer’s offer`,
			run: (s) => q('select public.respond_to_offer(p_offer_id => $1, p_action => $2)', s.otherBuyerOfferId, action),
			expect: userError('not_found')
		})
	),
	{ who: 'buyer', what: 'accepts its own offer', run: (s) => q(`select public.respond_to_offer(p_offer_id => $1, p_action => 'accept')`, s.dealOfferId), expect: userError('not_allowed') },
	{ who: 'seller', what: 'withdraws the buyer’s offer', run: (s) => q(`select public.respond_to_offer(p_offer_id => $1, p_action => 'withdraw')`, s.dealOfferId), expect: userError('not_allowed') },
	{
		who: 'seller',
		what: 'counters with the buyer’s card id',
		run: (s) => q(`select public.respond_to_offer(p_offer_id => $1, p_action => 'counter', p_amount_cents => 100, p_id => $2)`, s.dealOfferId, s.dealCardId),
		expect: userError('conflict')
	},
	{ who: 'anon', what: 'accepts the buyer’s offer', run: (s) => q(`select public.respond_to_offer(p_offer_id => $1, p_action => 'accept')`, s.dealOfferId), expect: permission },

	// set_listing_status: the seller only, from a conversation about the listing.
	...(['outsider', 'otherBuyer', 'blocker'] as const).flatMap((who) =>
		(['sold', 'active'] as const).map(
			(status): Case => ({
				who,
				what: `marks the listing ${status} from the buyer’s conversation`,
				run: (s) => q('select public.set_listing_status(p_conversation_id => $1, p_status => $2)', s.dealConversationId, status),
				expect: userError('not_member')
			})
		)
	),
	{ who: 'otherBuyer', what: 'marks the listing sold to itself', run: (s) => q(`select public.set_listing_status($1, 'sold')`, s.otherBuyerConversationId), expect: userError('not_allowed') },
	{ who: 'buyer', what: 'marks the listing sold to itself', run: (s) => q(`select public.set_listing_status($1, 'sold')`, s.dealConversationId), expect: userError('not_allowed') },
	{ who: 'seller', what: 'marks its active listing available', run: (s) => q(`select public.set_listing_status($1, 'active')`, s.dealConversationId), expect: userError('not_allowed') },
	{ who: 'seller', what: 'marks the listing reserved without an offer', run: (s) => q(`select public.set_listing_status($1, 'reserved')`, s.dealConversationId), expect: userError('invalid_input') },
	{ who: 'anon', what: 'marks the listing sold', run: (s) => q(`select public.set_listing_status($1, 'sold')`, s.dealConversationId), expect: permission },
	// The helpers behind them.
	{ who: 'outsider', what: 'posts a system message with private.post_system_message', run: (s) => q(`select private.post_system_message($1, $2, 'Sold to you', null)`, s.dealConversationId, s.seller.id), expect: permission },
	{ who: 'buyer', what: 'reserves the listing with private.reserve_listing', run: (s) => q('select private.reserve_listing(o) from public.offers o where o.id = $1', s.dealOfferId), expect: permission },
	{ who: 'otherBuyer', what: 'declines the listing’s offers with private.decline_open_offers', run: (s) => q('select private.decline_open_offers($1, $2)', s.dealProductId, s.seller.id), expect: permission },
	{ who: 'outsider', what: 'formats money with private.format_money', run: () => q(`select private.format_money(100, 'EUR')`), expect: permission },

	// Housekeeping of photos is the operator's (service_role).
	...(['outsider', 'buyer', 'anon'] as const).flatMap((who): Case[] => [
		{ who, what: 'purges abandoned photos', run: () => q(`select public.purge_abandoned_attachments(interval '0 seconds')`), expect: permission },
		{ who, what: 'reads the photo removal queue', run: () => q('select * from public.take_attachment_removals(1000)'), expect: permission },
		{ who, what: 'empties the photo removal queue', run: (s) => q('select public.forget_attachment_removals($1::uuid[])', scenePhotos(s)), expect: permission }
	])
];

/** The photo (or photos) are still there, where they were. */
function photoStillThere(which: 'sellerPendingPhoto' | 'buyerPhotos') {
	return async (_rows: Row[], s: Scene) => {
		const photoIds = which === 'buyerPhotos' ? s.buyerPhotos : [s.sellerPendingPhoto];
		const { rows } = await db.query('select message_id from public.attachments where id = any($1)', [photoIds]);
		expect(rows).toHaveLength(photoIds.length);
		expect(rows.every((r) => r.message_id === (which === 'buyerPhotos' ? s.buyerMessages[0] : null))).toBe(true);
	};
}

/** unblock_user answers for the caller's own blocks; the blocker's block of the buyer survives. */
async function blockStillThere(rows: Row[], s: Scene) {
	expect(rows[0].r).toMatchObject({ blocked: false });
	const { rows: blocks } = await db.query('select 1 from public.user_blocks where blocker_id = $1 and blocked_id = $2', [s.blocker.id, s.buyer.id]);
	expect(blocks).toHaveLength(1);
}

// ---------------------------------------------------------------------------------------------
// Seller triage and contact masking: quick replies are their owner's alone, the text as written
// of a masked message its sender's alone, and the screening key the server's.
// ---------------------------------------------------------------------------------------------

const notTheSeller = ['buyer', 'otherBuyer', 'outsider'] as const;
const triageCases: Case[] = [
	...notTheSeller.flatMap((who): Case[] => [
		{ who, what: 'saves over the seller’s quick reply', run: (s) => q(`select public.save_quick_reply(p_id => $1, p_body => 'pwned')`, s.sellerQuickReplyId), expect: userError('not_found') },
		{ who, what: 'deletes the seller’s quick reply', run: (s) => q('select public.delete_quick_reply(p_id => $1)', s.sellerQuickReplyId), expect: userError('not_found') },
		{ who, what: 'lists quick replies', run: () => q('select public.list_quick_replies() as r'), expect: { check: (rows) => expect(rows).toEqual([{ r: [] }]) } },
		{ who, what: 'reads the seller’s quick reply by id', run: (s) => q('select * from public.quick_replies where id = $1', s.sellerQuickReplyId), expect: nothing },
		{ who, what: 'reads the text as written of the seller’s masked message', run: (s) => q('select * from public.message_originals where message_id = $1', s.maskedMessageId), expect: nothing },
		{ who, what: 'reads the screening key', run: () => q('select public.contact_screening()'), expect: permission },
		{ who, what: 'reads the screening key’s table', run: () => q('select * from private.contact_screening'), expect: permission }
	]),
	{
		who: 'buyer',
		what: 'reads the seller’s masked message through the view: the masked text only',
		run: (s) => q('select body, contact_hidden from public.messages_realtime_view where id = $1', s.maskedMessageId),
		expect: { check: (rows) => expect(rows).toEqual([{ body: 'Make it 90.', contact_hidden: true }]) }
	},
	{ who: 'anon', what: 'lists quick replies', run: () => q('select public.list_quick_replies()'), expect: permission },
	// Preferences and presence: one's own only; marking others seen is the server's (service_role).
	{ who: 'seller', what: 'reads the buyer’s preferences', run: (s) => q('select * from public.messaging_preferences where user_id = $1', s.buyer.id), expect: nothing },
	{ who: 'seller', what: 'turns the buyer’s digests back on', run: (s) => q('update public.messaging_preferences set email_digests = true where user_id = $1 returning user_id', s.buyer.id), expect: permission },
	{ who: 'seller', what: 'reads when the buyer was last online', run: () => q('select * from private.member_activity'), expect: permission },
	{ who: 'seller', what: 'marks the buyer seen', run: (s) => q('select public.mark_seen_members($1::uuid[])', [s.buyer.id]), expect: permission },
	{ who: 'anon', what: 'reads preferences', run: () => q('select public.get_messaging_preferences()'), expect: permission },
	{ who: 'anon', what: 'changes preferences', run: () => q('select public.set_messaging_preferences(p_email_digests => true)'), expect: permission },
	{ who: 'anon', what: 'marks itself seen', run: () => q('select public.mark_seen()'), expect: permission },
	{ who: 'anon', what: 'saves a quick reply', run: () => q(`select public.save_quick_reply(p_id => $1, p_body => 'hi')`, randomUUID()), expect: permission },
	{ who: 'anon', what: 'deletes the seller’s quick reply', run: (s) => q('select public.delete_quick_reply(p_id => $1)', s.sellerQuickReplyId), expect: permission },
	{ who: 'anon', what: 'reads the screening key', run: () => q('select public.contact_screening()'), expect: permission },
	{ who: 'seller', what: 'reads the screening key', run: () => q('select public.contact_screening()'), expect: permission },
	// Email digests: the worker's tables and functions are service_role's; the job queue's schema is nobody else's.
	...(['buyer', 'seller', 'anon'] as const).flatMap((who): Case[] => [
		{ who, what: 'reads the digests', run: () => q('select * from private.digests'), expect: permission },
		{ who, what: 'reads the digest cursors', run: () => q('select * from private.digest_cursors'), expect: permission },
		{ who, what: 'reads the unsubscribe signing key', run: () => q('select * from private.digest_signing'), expect: permission },
		{ who, what: 'claims digests', run: () => q(`select public.claim_digests(interval '0 seconds')`), expect: permission },
		{ who, what: 'reads a digest’s content', run: () => q('select public.digest_content($1)', randomUUID()), expect: permission },
		{ who, what: 'marks a digest sent', run: () => q('select public.finish_digest($1)', randomUUID()), expect: permission },
		{
			// graphile-worker makes its schema when a worker first starts; whether or not one has here, the API roles may not use it.
			who,
			what: 'may use the job queue’s schema',
			run: () => q(`select coalesce((select has_schema_privilege(current_user, n.oid, 'USAGE') from pg_namespace n where n.nspname = 'graphile_worker'), false) as usable`),
			expect: { check: (rows) => expect(rows).toEqual([{ usable: false }]) }
		}
	]),
	{ who: 'anon', what: 'unsubscribes the buyer with a forged link', run: (s) => q(`select public.unsubscribe_digests($1, 'forged')`, s.buyer.id), expect: userError('not_allowed') },
	// "About this listing" lists the caller's own conversations about it, nobody else's.
	{ who: 'outsider', what: 'lists the conversations about the seller’s listing', run: (s) => q(`select * from public.list_conversation_previews(p_filter => 'listing', p_product_id => $1)`, s.dealProductId), expect: nothing },
	{ who: 'blocker', what: 'lists the conversations about the seller’s listing', run: (s) => q(`select * from public.list_conversation_previews(p_filter => 'listing', p_product_id => $1)`, s.dealProductId), expect: nothing },
	{
		who: 'otherBuyer',
		what: 'lists the conversations about the listing: only its own',
		run: (s) => q(`select conversation_id from public.list_conversation_previews(p_filter => 'listing', p_product_id => $1)`, s.dealProductId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ conversation_id: s.otherBuyerConversationId }]) }
	},
	{
		who: 'buyer',
		what: 'lists who needs a reply: only its own conversations',
		run: () => q(`select conversation_id from public.list_conversation_previews(p_filter => 'needs_reply')`),
		expect: { check: (rows, s) => expect(rows.every((r) => [s.conversationId, s.dealConversationId].includes(r.conversation_id as string))).toBe(true) }
	}
];

const attacks: Case[] = [...tableCases, ...otherMemberTableCases, ...rpcCases, ...triageCases];

// ---------------------------------------------------------------------------------------------
// Positive controls: the same roles, asking for what is theirs, get it.
// ---------------------------------------------------------------------------------------------

const controls: Case[] = [
	{
		who: 'seller',
		what: 'lists its quick replies',
		run: () => q('select public.list_quick_replies() as r'),
		expect: { check: (rows, s) => expect((rows[0].r as { id: string }[]).map((r) => r.id)).toEqual([s.sellerQuickReplyId]) }
	},
	{
		who: 'seller',
		what: 'reads its masked message as it wrote it',
		run: (s) => q('select body from public.messages_realtime_view where id = $1', s.maskedMessageId),
		expect: { check: (rows) => expect(rows).toEqual([{ body: MASKED_ORIGINAL }]) }
	},
	{
		who: 'buyer',
		what: 'reads its own preferences',
		run: () => q('select public.get_messaging_preferences() as p'),
		expect: { check: (rows) => expect(rows).toEqual([{ p: { email_digests: false, browser_notifications: true } }]) }
	},
	{
		who: 'seller',
		what: 'reads its preferences: both on until changed',
		run: () => q('select public.get_messaging_preferences() as p'),
		expect: { check: (rows) => expect(rows).toEqual([{ p: { email_digests: true, browser_notifications: true } }]) }
	},
	{ who: 'anon', what: 'asks how fast the seller replies', run: (s) => q('select public.seller_response_time($1) as r', s.seller.id), expect: { check: (rows) => expect(rows).toEqual([{ r: null }]) } },
	{ who: 'buyer', what: 'reads its conversation', run: (s) => q('select id from public.conversations where id = $1', s.conversationId), expect: { check: (rows) => expect(rows).toHaveLength(1) } },
	{ who: 'seller', what: 'reads its conversation', run: (s) => q('select id from public.conversations where id = $1', s.conversationId), expect: { check: (rows) => expect(rows).toHaveLength(1) } },
	{
		who: 'buyer',
		what: 'reads its membership row',
		run: (s) => q('select user_id, other_user_id from public.conversation_members where conversation_id = $1 and user_id = $2', s.conversationId, s.buyer.id),
		expect: { check: (rows, s) => expect(rows).toEqual([{ user_id: s.buyer.id, other_user_id: s.seller.id }]) }
	},
	{ who: 'buyer', what: 'reads the messages', run: (s) => q('select id from public.messages where conversation_id = $1', s.conversationId), expect: { check: (rows) => expect(rows).toHaveLength(6) } },
	{
		who: 'seller',
		what: 'reads the messages through the view',
		run: (s) => q('select body, sender_username from public.messages_realtime_view where conversation_id = $1 order by created_at, id', s.conversationId),
		// Its second message (BODIES[3]) as it wrote it: the buyer sees that one masked.
		expect: { check: (rows) => expect(rows.map((r) => r.body)).toEqual(BODIES.map(([, body], i) => (i === 3 ? MASKED_ORIGINAL : body))) }
	},
	{ who: 'seller', what: 'reads its report', run: (s) => q('select reason, body_snapshot from public.message_reports where id = $1', s.reportId), expect: { check: (rows) => expect(rows).toEqual([{ reason: 'scam', body_snapshot: BODIES[2][1] }]) } },
	{ who: 'blocker', what: 'reads its block', run: (s) => q('select blocked_id from public.user_blocks where blocker_id = $1', s.blocker.id), expect: { check: (rows, s) => expect(rows).toEqual([{ blocked_id: s.buyer.id }]) } },
	{ who: 'outsider', what: 'reads its own conversation', run: (s) => q('select body from public.messages_realtime_view where conversation_id = $1', s.outsiderConversationId), expect: { check: (rows) => expect(rows).toEqual([{ body: OUTSIDER_BODY }]) } },
	{
		who: 'buyer',
		what: 'opens its conversation',
		run: (s) => q('select public.open_conversation(p_other_user_id => $1, p_product_id => $2) as r', s.seller.id, s.productId),
		expect: {
			check: (rows, s) => {
				const opened = rows[0].r as { conversation_id: string; messages: unknown[]; read_state: unknown };
				expect(opened.conversation_id).toBe(s.conversationId);
				expect(opened.messages).toHaveLength(6);
				expect(opened.read_state).not.toBeNull();
			}
		}
	},
	{ who: 'seller', what: 'lists the messages', run: (s) => q('select id from public.list_messages(p_conversation_id => $1)', s.conversationId), expect: { check: (rows) => expect(rows).toHaveLength(6) } },
	{
		who: 'seller',
		what: 'lists its previews',
		run: () => q('select conversation_id, product_status from public.list_conversation_previews()'),
		expect: {
			check: (rows, s) =>
				expect(rows).toEqual([
					{ conversation_id: s.otherBuyerConversationId, product_status: 'active' },
					{ conversation_id: s.dealConversationId, product_status: 'active' },
					{ conversation_id: s.conversationId, product_status: 'active' }
				])
		}
	},
	{
		who: 'seller',
		what: 'reads both offers on its listing',
		run: (s) => q('select buyer_id, status::text, awaiting from public.offers where product_id = $1 order by created_at', s.dealProductId),
		expect: {
			check: (rows, s) =>
				expect(rows).toEqual([
					{ buyer_id: s.buyer.id, status: 'open', awaiting: 'seller' },
					{ buyer_id: s.otherBuyer.id, status: 'open', awaiting: 'seller' }
				])
		}
	},
	{
		who: 'buyer',
		what: 'reads its offer card and its offer through the view',
		run: (s) => q('select kind::text, payload, offer from public.messages_realtime_view where id = $1', s.dealCardId),
		expect: {
			check: (rows, s) =>
				expect(rows).toEqual([
					{
						kind: 'offer',
						payload: { offer_id: s.dealOfferId, amount_cents: 20_000, currency: 'EUR' },
						offer: expect.objectContaining({ id: s.dealOfferId, status: 'open', awaiting: 'seller', buyer_id: s.buyer.id, current: true })
					}
				])
		}
	},
	{
		who: 'otherBuyer',
		what: 'reads its own offer',
		run: (s) => q('select id from public.offers where buyer_id = $1', s.otherBuyer.id),
		expect: { check: (rows, s) => expect(rows).toEqual([{ id: s.otherBuyerOfferId }]) }
	},
	{ who: 'buyer', what: 'searches its messages', run: () => q('select body from public.search_messages(p_query => $1)', 'camera'), expect: { check: (rows) => expect(rows).toHaveLength(2) } },
	{ who: 'outsider', what: 'searches its own messages', run: () => q('select body from public.search_messages(p_query => $1)', 'zanzibar'), expect: { check: (rows) => expect(rows).toEqual([{ body: OUTSIDER_BODY }]) } },
	{
		who: 'buyer',
		what: 'searches for the seller by username',
		run: (s) => q('select other_user_id, product_id from public.search_conversations(p_query => $1, p_limit => 20)', s.seller.username),
		expect: { check: (rows, s) => expect(rows).toContainEqual({ other_user_id: s.seller.id, product_id: s.productId }) }
	},
	{
		who: 'buyer',
		what: 'reads its own events',
		run: (s) => q('select distinct user_id from public.messaging_events where conversation_id = $1', s.conversationId),
		expect: { check: (rows, s) => expect(rows).toEqual([{ user_id: s.buyer.id }]) }
	},
	{ who: 'buyer', what: 'reads its unread total', run: () => q('select public.unread_total() as n'), expect: { check: (rows) => expect(rows).toEqual([{ n: 1 }]) } },
	{
		who: 'seller',
		what: 'reads the photos of the conversation',
		run: (s) => q('select id, position from public.attachments where message_id = any($1) order by position', sceneMessages(s)),
		expect: { check: (rows, s) => expect(rows).toEqual(s.buyerPhotos.map((id, position) => ({ id, position }))) }
	},
	{
		who: 'seller',
		what: 'reads its own pending photo',
		run: () => q('select id from public.attachments where message_id is null'),
		expect: { check: (rows, s) => expect(rows).toEqual([{ id: s.sellerPendingPhoto }]) }
	},
	{
		who: 'buyer',
		what: 'reads photos and reactions through the view',
		run: (s) => q('select attachments, reactions from public.messages_realtime_view where id = $1', s.buyerMessages[0]),
		expect: {
			check: (rows, s) =>
				expect(rows).toEqual([
					{
						attachments: s.buyerPhotos.map((id) => expect.objectContaining({ id })),
						reactions: [{ emoji: '👍', user_ids: [s.seller.id] }]
					}
				])
		}
	},
	{
		who: 'buyer',
		what: 'reads the reactions of the conversation',
		run: (s) => q('select user_id, emoji from public.message_reactions where message_id = any($1) order by created_at', sceneMessages(s)),
		expect: {
			check: (rows, s) =>
				expect(rows).toEqual([
					{ user_id: s.seller.id, emoji: '👍' },
					{ user_id: s.buyer.id, emoji: '❤️' }
				])
		}
	},
	{
		who: 'seller',
		what: 'asks for the buyer’s photo',
		run: (s) => q('select public.attachment_for_reader($1) as r', s.buyerPhotos[1]),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { id: s.buyerPhotos[1], message_id: s.buyerMessages[0] } }]) }
	},
	{
		who: 'seller',
		what: 'asks for its own pending photo',
		run: (s) => q('select public.attachment_for_reader($1) as r', s.sellerPendingPhoto),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { id: s.sellerPendingPhoto, message_id: null } }]) }
	},
	{
		who: 'seller',
		what: 'passes Storage’s checks for the buyer’s photo (read) and its own pending one (upload)',
		run: (s) =>
			q(
				'select private.attachment_object_readable($1) as read, private.attachment_object_uploadable($2) as upload',
				`${s.buyerPhotos[0]}/thumb.webp`,
				`${s.sellerPendingPhoto}/display.webp`
			),
		expect: { check: (rows) => expect(rows).toEqual([{ read: true, upload: true }]) }
	},
	{
		who: 'outsider',
		what: 'asks for the photo of its own message',
		run: (s) => q('select public.attachment_for_reader($1) as r', s.outsiderPhoto),
		expect: { check: (rows, s) => expect(rows).toEqual([{ r: { id: s.outsiderPhoto, message_id: s.outsiderMessageId } }]) }
	}
];

// ---------------------------------------------------------------------------------------------

/** The RPCs authenticated may run (purge_expired_messages is service_role's). */
const API = [
	'attachment_for_reader',
	'block_between',
	'block_user',
	'check_photo_room',
	'create_attachment',
	'delete_message',
	'delete_quick_reply',
	'discard_attachment',
	'edit_message',
	'erase_my_account',
	'export_conversations',
	'export_messages',
	'export_offers',
	'get_messaging_preferences',
	'list_conversation_previews',
	'list_messages',
	'list_quick_replies',
	'make_offer',
	'mark_conversation_read',
	'mark_conversation_unread',
	'mark_seen',
	'my_deal_on_listing',
	'open_conversation',
	'report_message',
	'respond_to_offer',
	'save_quick_reply',
	'search_conversations',
	'search_messages',
	'send_message',
	'set_archived',
	'set_listing_status',
	'set_messaging_preferences',
	'set_muted',
	'start_data_export',
	'toggle_reaction',
	'unblock_user',
	'unread_total',
	'unsubscribe_digests'
];

/** What the seller "wrote" in its second message, which the buyer sees masked as "Make it 90.". */
const MASKED_ORIGINAL = 'Make it 90. Call me: +44 7700 900123';

const BODIES: ['buyer' | 'seller', string][] = [
	['buyer', 'Is the camera still available?'],
	['seller', 'Yes, the camera is here.'],
	['buyer', 'Lowball offer: would you take 80?'],
	['seller', 'Make it 90.'],
	['buyer', 'Deal, see you Saturday.'],
	['seller', 'Great, bring cash.']
];
const OUTSIDER_BODY = 'Greetings from Zanzibar';

interface Snapshot {
	messages: unknown[];
	conversations: unknown[];
	members: unknown[];
	blocks: unknown[];
	reports: unknown[];
	settings: unknown[];
	events: unknown[];
	counters: unknown[];
	attachments: unknown[];
	reactions: unknown[];
	removals: unknown[];
	offers: unknown[];
	quickReplies: unknown[];
	originals: unknown[];
	preferences: unknown[];
	activity: unknown[];
	dealMessages: unknown[];
	dealProduct: unknown[];
	conversationsOfUsers: number;
}

/** Everything of the scene, read as the admin (RLS does not apply). */
async function snapshot(s: Scene): Promise<Snapshot> {
	const users = [s.buyer.id, s.seller.id, s.outsider.id, s.blocker.id, s.otherBuyer.id];
	const conversations = [s.conversationId, s.outsiderConversationId];
	const rows = async (sql: string, values: unknown[]) => (await db.query<{ row: unknown }>(sql, values)).rows.map((r) => r.row);
	return {
		messages: await rows('select to_jsonb(m) - $2::text as row from public.messages m where conversation_id = any($1) order by created_at, id', [conversations, 'search']),
		conversations: await rows('select to_jsonb(c) as row from public.conversations c where id = any($1) order by id', [conversations]),
		members: await rows('select to_jsonb(m) as row from public.conversation_members m where conversation_id = any($1) order by conversation_id, user_id', [conversations]),
		blocks: await rows('select to_jsonb(b) as row from public.user_blocks b where blocker_id = any($1) or blocked_id = any($1) order by blocker_id, blocked_id', [users]),
		reports: await rows('select to_jsonb(r) as row from public.message_reports r where reporter_id = any($1) or reported_user_id = any($1) order by id', [users]),
		settings: await rows('select to_jsonb(s) as row from public.messaging_settings s', []),
		events: await rows('select to_jsonb(e) as row from public.messaging_events e where user_id = any($1) order by user_id, id', [users]),
		counters: await rows('select to_jsonb(c) as row from public.messaging_event_counters c where user_id = any($1) order by user_id', [users]),
		attachments: await rows('select to_jsonb(a) as row from public.attachments a where uploader_id = any($1) order by id', [users]),
		reactions: await rows('select to_jsonb(r) as row from public.message_reactions r where user_id = any($1) order by message_id, emoji, user_id', [users]),
		removals: await rows('select to_jsonb(r) as row from private.attachment_removals r where attachment_id = any($1) order by 1', [
			[...scenePhotos(s), s.outsiderPhoto]
		]),
		offers: await rows('select to_jsonb(o) as row from public.offers o where product_id = $1 order by id', [s.dealProductId]),
		quickReplies: await rows('select to_jsonb(r) as row from public.quick_replies r where user_id = any($1) order by id', [users]),
		originals: await rows('select to_jsonb(o) as row from public.message_originals o where sender_id = any($1) order by message_id', [users]),
		preferences: await rows('select to_jsonb(p) as row from public.messaging_preferences p where user_id = any($1) order by user_id', [users]),
		// The buyer's and seller's only: starting a session records the outsider and blocker as seen, which is theirs to do.
		activity: await rows('select to_jsonb(a) as row from private.member_activity a where user_id = any($1) order by user_id', [[s.buyer.id, s.seller.id]]),
		dealMessages: await rows('select to_jsonb(m) - $2::text as row from public.messages m where conversation_id = any($1) order by created_at, id', [
			[s.dealConversationId, s.otherBuyerConversationId],
			'search'
		]),
		dealProduct: await rows('select to_jsonb(p) as row from public.products p where id = $1', [s.dealProductId]),
		conversationsOfUsers: (
			await db.query<{ n: number }>('select count(*)::int as n from public.conversations where user_low = any($1) or user_high = any($1)', [users])
		).rows[0].n
	};
}

async function photo(actor: Actor): Promise<string> {
	return (await actor.api.createAttachment({ width: 1200, height: 900, thumbWidth: 320, thumbHeight: 240, bytes: 150_000 })).id;
}

/** Sends with photos through SQL, as PostgREST calls the RPC (named arguments, a uuid[]). */
async function sendWithPhotos(from: Actor, target: Record<string, string>, photoIds: string[]): Promise<{ id: string; conversation_id: string }> {
	const names = Object.keys(target);
	const [row] = await sqlAs<{ m: { id: string; conversation_id: string } }>(
		db,
		from.id,
		`select public.send_message(p_id => $1, ${names.map((name, i) => `${name} => $${i + 2}`).join(', ')}, p_attachment_ids => $${names.length + 2}::uuid[]) as m`,
		[randomUUID(), ...Object.values(target), photoIds]
	);
	return row.m;
}

function userOf(s: Scene, who: Who): string | null {
	return who === 'anon' ? null : s[who].id;
}

/** Runs a case as its user; returns its rows or the database error. */
async function attempt(c: Case): Promise<{ rows: Row[] } | { error: pg.DatabaseError }> {
	const { sql, values } = c.run(scene);
	try {
		return { rows: await sqlAs(db, userOf(scene, c.who), sql, values) };
	} catch (error) {
		return { error: error as pg.DatabaseError };
	}
}

async function verify(c: Case) {
	await judge(c, await attempt(c), c.expect);
}

async function judge(c: Case, outcome: { rows: Row[] } | { error: pg.DatabaseError }, expectation: Expectation): Promise<void> {
	if ('anyOf' in expectation) {
		const misses: unknown[] = [];
		for (const option of expectation.anyOf) {
			try {
				return await judge(c, outcome, option);
			} catch (miss) {
				misses.push(miss);
			}
		}
		throw new Error(`${c.who} ${c.what}: none of the accepted outcomes happened:\n${misses.map((miss) => (miss as Error).message).join('\n')}`);
	}
	if ('denied' in expectation) {
		expect('error' in outcome, `${c.who} ${c.what} should be refused, but it ran and returned ${JSON.stringify('rows' in outcome && outcome.rows)}`).toBe(true);
		const { error } = outcome as { error: pg.DatabaseError };
		if (expectation.denied === 'permission') {
			expect({ code: error.code, message: error.message }).toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied for /) });
		} else if (expectation.denied === 'read_only_view') {
			expect([
				{ code: '42501', message: 'permission denied for view messages_realtime_view' },
				{ code: '55000', message: expect.stringMatching(/^cannot (insert into|update|delete from) view "messages_realtime_view"$/) }
			]).toContainEqual({ code: error.code, message: error.message });
		} else {
			expect({ code: error.code, hint: error.hint }).toEqual({ code: USER_ERROR_SQLSTATE, hint: expectation.kind });
		}
		return;
	}
	if ('error' in outcome) throw outcome.error;
	if ('rows' in expectation) expect(outcome.rows).toEqual([]);
	else await expectation.check(outcome.rows, scene);
}

describe('messaging row-level security: the attack matrix', () => {
	beforeAll(async () => {
		const { buyer, seller, product } = await marketplace(db);
		const outsider = await createActor(db);
		const blocker = await createActor(db);
		const buyerMessages: string[] = [];
		const sellerMessages: string[] = [];
		let conversationId = '';
		const buyerPhotos = [await photo(buyer), await photo(buyer)];
		for (const [from, body] of BODIES) {
			const m =
				buyerMessages.length === 0 && from === 'buyer'
					? await sendWithPhotos(buyer, { p_body: body, p_other_user_id: seller.id, p_product_id: product.id }, buyerPhotos)
					: from === 'buyer'
						? await send(buyer, seller, body, product.id)
						: await send(seller, buyer, body, product.id);
			(from === 'buyer' ? buyerMessages : sellerMessages).push(m.id);
			conversationId = m.conversation_id;
		}
		await seller.api.toggleReaction({ messageId: buyerMessages[0], emoji: '👍' });
		await buyer.api.toggleReaction({ messageId: sellerMessages[0], emoji: '❤️' });
		const sellerPendingPhoto = await photo(seller);
		const report = await seller.api.reportMessage({ messageId: buyerMessages[1], reason: 'scam', details: 'lowball' });
		const outsiderPhoto = await photo(outsider);
		const outsiderMessage = await sendWithPhotos(outsider, { p_body: OUTSIDER_BODY, p_other_user_id: blocker.id }, [outsiderPhoto]);
		await blocker.api.toggleReaction({ messageId: outsiderMessage.id, emoji: '😂' });
		await blocker.api.blockUser({ userId: buyer.id });
		// A second listing: the buyer and another buyer each make an offer on it (awaiting the seller).
		const otherBuyer = await createActor(db);
		const dealProductId = (await createProduct(db, seller.id, { title: 'Tripod', price_cents: 25_000 })).id;
		const dealCard = await buyer.api.makeOffer({ id: randomUUID(), amountCents: 20_000, to: { otherUserId: seller.id, productId: dealProductId } });
		const otherCard = await otherBuyer.api.makeOffer({ id: randomUUID(), amountCents: 21_000, to: { otherUserId: seller.id, productId: dealProductId } });
		const sellerQuickReply = await seller.api.saveQuickReply({ id: randomUUID(), body: 'Yes, it is still available.' });
		// The buyer turned digests off, and was online a moment ago.
		await buyer.api.setPreferences({ emailDigests: false });
		await buyer.api.markSeen();
		// As send_message stores a masked text: the masked text in the message, the text as written kept aside.
		await db.query('insert into public.message_originals (message_id, sender_id, body) values ($1, $2, $3)', [sellerMessages[1], seller.id, MASKED_ORIGINAL]);
		await db.query('update public.messages set contact_hidden = true where id = $1', [sellerMessages[1]]);
		scene = {
			buyer,
			seller,
			outsider,
			blocker,
			productId: product.id,
			soldProductId: (await createProduct(db, seller.id, { status: 'sold', title: 'Sold camera, hidden by RLS' })).id,
			conversationId,
			buyerMessages,
			sellerMessages,
			reportId: report.id,
			outsiderConversationId: outsiderMessage.conversation_id,
			outsiderMessageId: outsiderMessage.id,
			buyerPhotos,
			sellerPendingPhoto,
			outsiderPhoto,
			dealProductId,
			dealConversationId: dealCard.conversation_id,
			dealOfferId: dealCard.offer!.id,
			dealCardId: dealCard.id,
			otherBuyer,
			otherBuyerConversationId: otherCard.conversation_id,
			otherBuyerOfferId: otherCard.offer!.id,
			sellerQuickReplyId: sellerQuickReply.id,
			maskedMessageId: sellerMessages[1]
		};
		before = await snapshot(scene);
		// The scene is what the cases assume.
		expect(before.messages).toHaveLength(7);
		expect(before.members).toHaveLength(4);
		expect(before.blocks).toHaveLength(1);
		expect(before.reports).toHaveLength(1);
		expect(before.attachments).toHaveLength(4);
		expect(before.reactions).toHaveLength(3);
		expect(before.removals).toEqual([]);
		expect(before.offers).toHaveLength(2);
		expect(before.quickReplies).toHaveLength(1);
		expect(before.originals).toHaveLength(1);
		expect(before.preferences).toEqual([expect.objectContaining({ user_id: buyer.id, email_digests: false, browser_notifications: true })]);
		expect(before.activity).toEqual([expect.objectContaining({ user_id: buyer.id })]);
		expect(before.dealMessages).toHaveLength(2);
	});

	afterAll(() => {
		console.log(`RLS attack matrix: ${attacksTried} cases (plus ${controlsTried} positive controls)`);
	});

	describe('members still reach their own data', () => {
		for (const c of controls) {
			it(`${c.who} ${c.what}`, async () => {
				controlsTried++;
				await verify(c);
			});
		}
	});

	describe('every attempt on what is not one’s own is refused or sees nothing', () => {
		for (const c of attacks) {
			it(`${c.who} ${c.what}`, async () => {
				attacksTried++;
				await verify(c);
			});
		}
	});

	it('the matrix tried every case, and at least 80', () => {
		expect(attacksTried).toBe(attacks.length);
		expect(attacksTried).toBeGreaterThanOrEqual(80);
		expect(controlsTried).toBe(controls.length);
	});

	it('nothing changed: bodies, read states, blocks, reports, settings and conversations are as before', async () => {
		const after = await snapshot(scene);
		expect(after).toEqual(before);
	});

	it('a member’s own archive, mute and read position leave the other member’s row alone', async () => {
		const { buyer, seller, conversationId } = scene;
		const buyerRow = async () => (await db.query('select to_jsonb(m) as row from public.conversation_members m where conversation_id = $1 and user_id = $2', [conversationId, buyer.id])).rows[0].row;
		const untouched = await buyerRow();
		const eventsOfBuyer = async () =>
			(await db.query<{ type: string; payload: unknown }>('select type, payload from public.messaging_events where user_id = $1 order by id', [buyer.id])).rows;
		const buyerEventsBefore = (await eventsOfBuyer()).length;
		await seller.api.setArchived({ conversationId, archived: true });
		await seller.api.setMuted({ conversationId, until: 'infinity' });
		await seller.api.markConversationRead({ conversationId });
		expect(await buyerRow()).toEqual(untouched);
		// The seller's archive and mute are pushed to the seller alone.
		expect((await eventsOfBuyer()).slice(buyerEventsBefore)).toEqual([]);
		const { rows } = await db.query('select archived_at is not null as archived, muted_until from public.conversation_members where conversation_id = $1 and user_id = $2', [conversationId, seller.id]);
		expect(rows).toEqual([{ archived: true, muted_until: Infinity }]);
		await seller.api.setArchived({ conversationId, archived: false });
		await seller.api.setMuted({ conversationId, until: null });
	});

	it('a deleted message’s text is gone for the other member: tables, view, RPCs and the event log', async () => {
		const { buyer, seller } = await marketplace(db);
		const secret = 'call me on 0612 345 678 tonight';
		await send(buyer, seller, 'Hello there');
		const oops = await send(buyer, seller, secret);
		await send(seller, buyer, 'Sure');
		await buyer.api.deleteMessage({ id: oops.id });
		const conversationId = oops.conversation_id;
		const sources: [string, string, unknown[]][] = [
			['messages', 'select body from public.messages where conversation_id = $1', [conversationId]],
			['messages_realtime_view', 'select body, reply_to_preview from public.messages_realtime_view where conversation_id = $1', [conversationId]],
			['list_messages', 'select body from public.list_messages(p_conversation_id => $1)', [conversationId]],
			['open_conversation', 'select public.open_conversation(p_other_user_id => $1) as r', [buyer.id]],
			['search_messages', 'select * from public.search_messages(p_query => $1)', ['0612']],
			['list_conversation_previews', 'select * from public.list_conversation_previews()', []],
			['messaging_events', 'select payload from public.messaging_events where user_id = $1', [seller.id]],
			['sync_since', 'select public.sync_since(p_cursor => 0, p_limit => 1000) as r', []]
		];
		let everything = '';
		for (const [source, sql, values] of sources) {
			const seen = JSON.stringify(await sqlAs(db, seller.id, sql, values));
			everything += seen;
			expect.soft(seen, `${source} still shows the deleted text`).not.toContain('0612');
		}
		expect(everything).toContain('Hello there');
		// Nor does it linger anywhere of the conversation for the admin to find (no report was made).
		const { rows } = await db.query(
			`select (select count(*) from public.messages m where m.conversation_id = $1 and m.body like '%0612%')
			      + (select count(*) from public.conversations c where c.id = $1 and c.last_message_preview like '%0612%')
			      + (select count(*) from public.messaging_events e where e.conversation_id = $1 and e.payload::text like '%0612%') as n`,
			[conversationId]
		);
		expect(rows).toEqual([{ n: '0' }]);
	});

	it('after a block either way, the other member of the conversation loses its photos and cannot react', async () => {
		const { buyer, seller, product } = await marketplace(db);
		const photoId = await photo(buyer);
		const sent = await sendWithPhotos(buyer, { p_body: 'The scratch', p_other_user_id: seller.id, p_product_id: product.id }, [photoId]);
		const outcome = (userId: string, sql: string, values: unknown[]) =>
			sqlAs(db, userId, sql, values).then(
				(rows) => rows,
				(error: pg.DatabaseError) => error.hint
			);
		for (const [blocker, blocked] of [
			[seller, buyer],
			[buyer, seller]
		]) {
			await blocker.api.blockUser({ userId: blocked.id });
			expect(await outcome(seller.id, 'select public.attachment_for_reader($1)', [photoId])).toBe('not_found');
			expect(await outcome(seller.id, 'select private.attachment_object_readable($1) as ok', [`${photoId}/display.webp`])).toEqual([{ ok: false }]);
			// The uploader keeps its own photo.
			expect(await outcome(buyer.id, 'select public.attachment_for_reader($1) as r', [photoId])).toEqual([{ r: { id: photoId, message_id: sent.id } }]);
			expect(await outcome(blocked.id, `select public.toggle_reaction($1, '👍')`, [sent.id])).toBe('blocked');
			expect(await outcome(blocker.id, `select public.toggle_reaction($1, '👍')`, [sent.id])).toBe('you_blocked');
			await blocker.api.unblockUser({ userId: blocked.id });
		}
		expect(await outcome(seller.id, 'select public.attachment_for_reader($1) as r', [photoId])).toEqual([{ r: { id: photoId, message_id: sent.id } }]);
		const { rows } = await db.query('select count(*)::int as n from public.message_reactions where message_id = $1', [sent.id]);
		expect(rows).toEqual([{ n: 0 }]);
	});

	it('grants: anon can use no messaging object, authenticated only reads tables and runs the API', async () => {
		const { rows } = await db.query<{ object: string; role: string; privilege: string }>(
			`select t.object, r.role, p.privilege
			   from unnest($1::text[]) t(object)
			  cross join (values ('anon'), ('authenticated')) r(role)
			  cross join (values ('select'), ('insert'), ('update'), ('delete'), ('truncate'), ('references'), ('trigger')) p(privilege)
			  where has_table_privilege(r.role, t.object, p.privilege)
			  order by 1, 2, 3`,
			[tables.map((table) => `public.${table}`)]
		);
		expect(rows).toEqual(
			tables
				.filter((table) => table !== 'messaging_settings' && table !== 'messaging_event_counters')
				.map((table) => ({ object: `public.${table}`, role: 'authenticated', privilege: 'select' }))
				.sort((a, b) => a.object.localeCompare(b.object))
		);
		// Every function of the public and private schemas (the marketplace's and the messaging's):
		// anon runs none, authenticated exactly the messaging API and the Realtime policies' check. PUBLIC's default execute right
		// must be revoked from private helpers too, not only left behind the schema's usage right.
		const { rows: functions } = await db.query<{ name: string; anon: boolean; authenticated: boolean }>(`
			select n.nspname || '.' || p.proname as name,
			       has_function_privilege('anon', p.oid, 'execute') as anon,
			       has_function_privilege('authenticated', p.oid, 'execute') as authenticated
			  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
			 where n.nspname in ('public', 'private')
			   and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
			 order by 1`);
		// seller_response_time: product pages show it to visitors too; unsubscribe_digests and
		// digests_on_for_link: the signed link in an email works without a session.
		expect.soft(functions.filter((f) => f.anon).map((f) => f.name)).toEqual([
			'public.digests_on_for_link',
			'public.seller_response_time',
			'public.unsubscribe_digests'
		]);
		// private.may_signal: the Realtime policies run it as the joining user (messaging_realtime_parity);
		// the two attachment_object_ checks: the Storage policies (messaging_attachments);
		// private.payload_seen_by: the messages view runs it as its reader (messaging_seller_sees_who_got_it).
		expect(functions.filter((f) => f.authenticated).map((f) => f.name).sort()).toEqual(
			[
				...[...API, 'current_event_cursor', 'messaging_session_start', 'sync_since', 'seller_response_time', 'digests_on_for_link'].map((name) => `public.${name}`),
				'private.may_signal',
				'private.payload_seen_by',
				'private.attachment_object_readable',
				'private.attachment_object_uploadable'
			].sort()
		);
		const { rows: views } = await db.query<{ invoker: boolean }>(
			`select coalesce('security_invoker=true' = any(reloptions), false) as invoker from pg_class where oid = 'public.messages_realtime_view'::regclass`
		);
		expect(views).toEqual([{ invoker: true }]);
	});
});
