import type pg from 'pg';
import { compareMessages, timeKey } from '../../src/lib/messaging/timeline.ts';
import type { MemberStream } from './member-stream.ts';
import type { ViewedMessage } from './member-view.ts';
import { MARKER, type Outbox } from './outbox.ts';

export interface Verdict {
	stored: number;
	/** Acknowledged but not stored. */
	lostAcknowledged: number;
	/** (member, message) pairs stored but missing from the member's view. */
	lostInViews: number;
	/** Logical sends stored more than once (by body marker). */
	storedTwice: number;
	/** The same logical send twice in one view (by body marker). */
	twiceInViews: number;
	/** View messages in the wrong place after the client's ordering rule, or with another time than stored. */
	misplacedInViews: number;
	/** Messages in a view that are not in the member's conversations (or not stored at all). */
	foreign: number;
	/** Messages in a view whose text differs from the stored one. */
	altered: number;
	/** Members whose last event id never reached their counter in the database. */
	behind: number;
	problems: string[];
}

/** Waits (bounded) until every member has received up to its event counter; returns how many did not. */
export async function waitForCounters(client: pg.ClientBase, streams: MemberStream[], timeoutMs: number): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const counters = await counterOf(client, streams);
		const behind = streams.filter((s) => s.view.highest < (counters.get(s.member.id) ?? 0)).length;
		if (behind === 0 || Date.now() > deadline) return behind;
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function counterOf(client: pg.ClientBase, streams: MemberStream[]): Promise<Map<string, number>> {
	const { rows } = await client.query<{ user_id: string; last_id: string }>(
		'select user_id::text, last_id::text from public.messaging_event_counters where user_id = any($1::uuid[])',
		[streams.map((s) => s.member.id)]
	);
	return new Map(rows.map((r) => [r.user_id, Number(r.last_id)]));
}

interface StoredMessage {
	id: string;
	conversation_id: string;
	body: string;
	micros: string;
}

/** Compares what was sent, what was stored and what each member saw. */
export async function verify(client: pg.ClientBase, outbox: Outbox, streams: MemberStream[]): Promise<Verdict> {
	const problems: string[] = [];
	const problem = (line: string) => problems.length < 40 && problems.push(line);
	const memberIds = streams.map((s) => s.member.id);

	const { rows: storedRows } = await client.query<{ id: string }>('select id::text from public.messages where id = any($1::uuid[])', [outbox.sentIds]);
	const storedIds = new Set(storedRows.map((r) => r.id));
	let lostAcknowledged = 0;
	for (const id of outbox.acknowledged) {
		if (!storedIds.has(id)) {
			lostAcknowledged++;
			problem(`acknowledged but not stored: ${id}`);
		}
	}
	const { rows: twice } = await client.query<{ marker: string; copies: number }>(
		`select substring(body from $1) as marker, count(*)::int as copies from public.messages
		  where body ~ $1 group by 1 having count(*) > 1`,
		[MARKER]
	);
	for (const row of twice) problem(`stored ${row.copies} times: ${row.marker}`);

	const { rows: memberships } = await client.query<{ user_id: string; conversation_id: string }>(
		'select user_id::text, conversation_id::text from public.conversation_members where user_id = any($1::uuid[])',
		[memberIds]
	);
	const { rows: messages } = await client.query<StoredMessage>(
		`select m.id::text, m.conversation_id::text, m.body, (extract(epoch from m.created_at) * 1000000)::bigint::text as micros
		   from public.messages m
		  where m.conversation_id in (select conversation_id from public.conversation_members where user_id = any($1::uuid[]))
		  order by m.conversation_id, m.created_at, m.id`,
		[memberIds]
	);
	const threads = new Map<string, StoredMessage[]>();
	for (const m of messages) {
		let thread = threads.get(m.conversation_id);
		if (!thread) threads.set(m.conversation_id, (thread = []));
		thread.push(m);
	}
	const conversationsOf = new Map<string, Set<string>>();
	for (const row of memberships) {
		let set = conversationsOf.get(row.user_id);
		if (!set) conversationsOf.set(row.user_id, (set = new Set()));
		set.add(row.conversation_id);
	}

	const verdict: Verdict = {
		stored: storedIds.size,
		lostAcknowledged,
		lostInViews: 0,
		storedTwice: twice.reduce((sum, row) => sum + row.copies - 1, 0),
		twiceInViews: 0,
		misplacedInViews: 0,
		foreign: 0,
		altered: 0,
		behind: 0,
		problems
	};
	const marker = new RegExp(MARKER);
	for (const stream of streams) {
		const who = stream.member.email;
		const mine = conversationsOf.get(stream.member.id) ?? new Set<string>();
		for (const [conversationId, thread] of stream.view.messages) {
			if (!mine.has(conversationId)) {
				verdict.foreign += thread.size;
				problem(`${who} sees ${thread.size} messages of conversation ${conversationId}, not theirs`);
			}
		}
		for (const conversationId of mine) {
			const stored = threads.get(conversationId) ?? [];
			const seen = stream.view.messages.get(conversationId) ?? new Map<string, ViewedMessage>();
			const storedById = new Map(stored.map((m) => [m.id, m]));
			for (const m of stored) {
				const copy = seen.get(m.id);
				if (!copy) {
					verdict.lostInViews++;
					problem(`${who} never got ${m.id} in ${conversationId}`);
				} else if (copy.body !== m.body) {
					verdict.altered++;
					problem(`${who} shows ${m.id} as "${copy.body.slice(0, 60)}"`);
				} else if (timeKey(copy.created_at) !== Number(m.micros)) {
					verdict.misplacedInViews++;
					problem(`${who} shows ${m.id} at ${copy.created_at}, stored at ${m.micros} µs`);
				}
			}
			for (const id of seen.keys()) {
				if (!storedById.has(id)) {
					verdict.foreign++;
					problem(`${who} shows ${id}, which is not stored in ${conversationId}`);
				}
			}
			// The thread as the client orders it (created_at to the microsecond, then id) against the database's order.
			const shown = [...seen.values()].filter((m) => storedById.has(m.id)).sort(compareMessages).map((m) => m.id);
			const expected = stored.filter((m) => seen.has(m.id)).map((m) => m.id);
			const misplaced = shown.filter((id, i) => id !== expected[i]).length;
			if (misplaced > 0) problem(`${who}: ${misplaced} messages out of place in ${conversationId}`);
			verdict.misplacedInViews += misplaced;
			const markers = new Map<string, number>();
			for (const copy of seen.values()) {
				const key = marker.exec(copy.body)?.[1];
				if (key) markers.set(key, (markers.get(key) ?? 0) + 1);
			}
			for (const copies of markers.values()) if (copies > 1) verdict.twiceInViews += copies - 1;
		}
	}
	const counters = await counterOf(client, streams);
	for (const stream of streams) {
		const counter = counters.get(stream.member.id) ?? 0;
		if (stream.view.highest < counter) {
			verdict.behind++;
			problem(`${stream.member.email} reached event ${stream.view.highest} of ${counter}`);
		}
	}
	return verdict;
}
