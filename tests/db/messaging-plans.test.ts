import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../bench/dataset.ts';
import type { MessagingBackend } from '../../src/lib/server/messaging/backend/messaging-backend.ts';
import { postgresMessaging } from '../../src/lib/server/messaging/backend/postgres.ts';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { claimsFor, migratedScratchDatabase, sqlAs, testPool } from '../support/database.ts';

/*
 * The plans the hot RPCs really run, on a data set big enough that a sequential scan or a
 * sort of a whole history would be chosen if the schema let it: 300 users, a seller in 2,000
 * conversations holding 60,000 messages (one of them 20,000 long), 200,000 messages in all,
 * one in three with 1 to 6 photos and one in four with reactions (about 230,000 photos and
 * 200,000 reactions), and one in 25 of the product conversations' messages an offer card (about
 * 8,000 offers). Each message carries its rendered photos and reactions, so reading a page
 * must not touch the attachment and reaction tables at all; a reaction rewrites one message;
 * an offer card reads its offer by primary key.
 *
 * Every call goes through the real Postgres adapter on a pool of one connection that has
 * auto_explain loaded (nested statements, ANALYZE, JSON), so each statement the functions
 * run is reported with its plan and actual row counts as a NOTICE. Each case is called 8
 * times on that one backend, and every call's plans are checked: PL/pgSQL caches plans
 * per backend and switches to a generic plan after five calls, so calls 6 to 8 run
 * whatever plan the cache settled on.
 */

const CALLS = 8;

interface PlanNode {
	'Node Type': string;
	'Relation Name'?: string;
	Alias?: string;
	'Index Name'?: string;
	'Index Cond'?: string;
	Filter?: string;
	'Sort Key'?: string[];
	'Plan Rows'?: number;
	'Actual Rows'?: number;
	'Actual Loops'?: number;
	'Rows Removed by Filter'?: number;
	'Rows Removed by Index Recheck'?: number;
	'Parent Relationship'?: string;
	'Subplan Name'?: string;
	Plans?: PlanNode[];
}

interface StatementPlan {
	query: string;
	plan: PlanNode;
}

/** The plans of every statement one RPC call executed, the outer one included. */
interface CallPlans {
	call: number;
	statements: StatementPlan[];
}

const BIG_TABLES = ['messages', 'conversation_members', 'conversations', 'attachments', 'message_reactions', 'offers'];

/** The most photos and reactions a message of the data set has (reactions: two emoji from each member). */
const PHOTOS_PER_MESSAGE = 6;
const REACTIONS_PER_MESSAGE = 4;
const INDEX_SCANS = ['Index Scan', 'Index Only Scan'];
const SCANS = ['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Tid Scan', 'Tid Range Scan'];

function nodes(node: PlanNode): PlanNode[] {
	return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

const loops = (node: PlanNode) => node['Actual Loops'] ?? 0;

/** Rows a scan node read over all its loops: returned plus discarded by its filter or recheck. */
function rowsRead(node: PlanNode): number {
	const perLoop = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
	return Math.round(perLoop * loops(node));
}

/** Rows a node returned over all its loops. */
const rowsOut = (node: PlanNode) => Math.round((node['Actual Rows'] ?? 0) * loops(node));

function label(node: PlanNode): string {
	const parts = [node['Node Type']];
	if (node['Index Name']) parts.push(`using ${node['Index Name']}`);
	if (node['Relation Name']) parts.push(`on ${node['Relation Name']} ${node.Alias ?? ''}`.trimEnd());
	if (node['Subplan Name']) parts.push(`[${node['Subplan Name']}]`);
	let text = `${parts.join(' ')} (estimated rows=${node['Plan Rows'] ?? '?'}, rows=${node['Actual Rows'] ?? '?'} loops=${loops(node)}`;
	if (node['Rows Removed by Filter']) text += ` removed by filter=${node['Rows Removed by Filter']}`;
	text += ')';
	if (node['Index Cond']) text += ` cond: ${node['Index Cond']}`;
	if (node.Filter) text += ` filter: ${node.Filter}`;
	if (node['Sort Key']) text += ` key: ${node['Sort Key'].join(', ')}`;
	return text;
}

function render(node: PlanNode, depth = 0): string {
	return [`${'  '.repeat(depth)}-> ${label(node)}`, ...(node.Plans ?? []).map((child) => render(child, depth + 1))].join('\n');
}

const oneLine = (query: string) => query.replace(/\s+/g, ' ').trim().slice(0, 160);

function renderCall(plans: CallPlans): string {
	return plans.statements.map((s) => `# ${oneLine(s.query)}\n${render(s.plan)}`).join('\n');
}

/**
 * Whether a statement's plan has a value of this call written into it: a custom plan, made for
 * these values, where the cached generic plan reads them as parameters ($1). A statement whose
 * generic plan looks dearer than its custom ones is planned afresh on every call.
 */
const planCarries = (statement: StatementPlan, value: string) => JSON.stringify(statement.plan).includes(value);

/** A membership check reads one member row, by primary key or by the per-user index. */
const MEMBERSHIP = 'conversation_members_pkey|conversation_members_user_idx';

interface Expectations {
	/** Indexes the call must read (Index Scan, Index Only Scan or Bitmap Index Scan); 'a|b' accepts either. */
	indexes: string[];
	/** Indexes that must be read in index order (Index Scan or Index Only Scan), so a Limit stops the scan. */
	orderedIndexes?: string[];
	/** The most rows any one scan of these tables may read (returned plus filtered out, over all its loops). */
	maxRowsRead: Partial<Record<'messages' | 'conversation_members' | 'conversations' | 'profiles' | 'attachments' | 'message_reactions' | 'offers', number>>;
	/** The most rows any one index scan (or index-only scan) through these indexes may read. */
	maxRowsReadByIndex?: Record<string, number>;
	/** The most rows a Sort node may take in per execution: the page, never the history. */
	maxSortInput: number;
	/** Tables whose every scan must be an index scan in index order (no bitmap heap scans, which lose it). */
	indexScansOnly?: string[];
	/** Tables the call must read through its indexes alone (Index Only Scan): what it needs is in the index. */
	indexOnly?: string[];
	/** Tables the call must not read at all. */
	untouched?: string[];
}

/** Everything wrong with one call's plans, each problem with the plan it was seen in. */
function problemsOf(plans: CallPlans, expected: Expectations): string[] {
	const problems: string[] = [];
	const where = (statement: StatementPlan) => `call ${plans.call}, statement "${oneLine(statement.query)}":\n${render(statement.plan)}`;
	const used = new Set<string>();
	const ordered = new Set<string>();
	for (const statement of plans.statements) {
		for (const node of nodes(statement.plan)) {
			const relation = node['Relation Name'];
			const index = node['Index Name'];
			if (index) {
				used.add(index);
				if (INDEX_SCANS.includes(node['Node Type'])) ordered.add(index);
				// Index scans only: a bitmap index scan also counts entries of dead row versions,
				// and the rows its heap scan reads are bounded per table below.
				const bound = INDEX_SCANS.includes(node['Node Type']) ? expected.maxRowsReadByIndex?.[index] : undefined;
				if (bound !== undefined && rowsRead(node) > bound) {
					problems.push(`${label(node)} read ${rowsRead(node)} rows through ${index}, more than ${bound}, in ${where(statement)}`);
				}
			}
			if (relation && BIG_TABLES.includes(relation) && node['Node Type'] === 'Seq Scan') {
				problems.push(`Seq Scan on ${relation} in ${where(statement)}`);
			}
			if (relation && expected.untouched?.includes(relation)) {
				problems.push(`${label(node)} reads ${relation}, which this call must not touch, in ${where(statement)}`);
			}
			if (relation && SCANS.includes(node['Node Type'])) {
				if (expected.indexOnly?.includes(relation) && node['Node Type'] !== 'Index Only Scan') {
					problems.push(`${node['Node Type']} on ${relation} (not an index-only scan) in ${where(statement)}`);
				}
				if (expected.indexScansOnly?.includes(relation) && !INDEX_SCANS.includes(node['Node Type'])) {
					problems.push(`${node['Node Type']} on ${relation} (not an index scan in index order) in ${where(statement)}`);
				}
				const bound = expected.maxRowsRead[relation as keyof Expectations['maxRowsRead']];
				if (bound !== undefined && rowsRead(node) > bound) {
					problems.push(`${label(node)} read ${rowsRead(node)} rows of ${relation}, more than ${bound}, in ${where(statement)}`);
				}
			}
			if (node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort') {
				const input = node.Plans?.[0];
				const perExecution = input && loops(node) > 0 ? rowsOut(input) / loops(node) : 0;
				if (!input || perExecution > expected.maxSortInput) {
					problems.push(
						`${label(node)} sorts ${perExecution} rows per execution, more than the page (${expected.maxSortInput}), in ${where(statement)}`
					);
				}
			}
		}
	}
	for (const index of expected.indexes) {
		if (!index.split('|').some((name) => used.has(name))) problems.push(`call ${plans.call} never reads ${index}:\n${renderCall(plans)}`);
	}
	for (const index of expected.orderedIndexes ?? []) {
		if (!ordered.has(index)) problems.push(`call ${plans.call} never reads ${index} in index order:\n${renderCall(plans)}`);
	}
	return problems;
}

/** The index scan node of `index` in a call (the first one found). */
function scanOf(plans: CallPlans, index: string): PlanNode | undefined {
	return plans.statements.flatMap((s) => nodes(s.plan)).find((n) => n['Index Name'] === index && INDEX_SCANS.includes(n['Node Type']));
}

describe('hot RPC plans on a scale data set (auto_explain, 8 calls each)', () => {
	const admin = testPool();
	let scratchName = '';
	let drop: () => Promise<void> = async () => {};
	let db: pg.Pool;
	let explainPool: pg.Pool;
	let connections = 0;
	let notices: string[] = [];
	let data: Dataset;
	let seller: MessagingBackend;
	let unreadRows: number;

	beforeAll(async () => {
		const scratch = await migratedScratchDatabase(admin);
		drop = scratch.drop;
		scratchName = new URL(scratch.url).pathname.slice(1);
		db = createPool(scratch.url, { max: 3 });
		const setup = await db.connect();
		try {
			data = await loadDataset(setup, {
				users: 300,
				sellerProducts: 7,
				sellerConversations: 2_000,
				busyMessages: 20_000,
				sellerMessages: 60_000,
				otherConversations: 8_000,
				totalMessages: 200_000
			});
			// Photos and reactions, spread by a hash of the message id over every conversation. Photos
			// are linked only by send_message, which stores them on the message: here the messages get
			// theirs as it would render them. Reactions rewrite their messages through their triggers.
			await setup.query(`
				insert into public.attachments (uploader_id, message_id, position, width, height, thumb_width, thumb_height, bytes, created_at)
				select m.sender_id, m.id, p.position, 1600, 1200, 320, 240, 400000, m.created_at
				  from public.messages m
				 cross join lateral generate_series(0, abs(hashtext(m.id::text)) % ${PHOTOS_PER_MESSAGE}) as p(position)
				 where abs(hashtext(m.id::text)) % 3 = 0`);
			await setup.query(`
				update public.messages m set attachments = p.photos
				  from (select a.message_id, jsonb_agg(private.attachment_json(a) order by a.position) as photos
				          from public.attachments a group by a.message_id) p
				 where m.id = p.message_id`);
			await setup.query(`
				insert into public.message_reactions (message_id, user_id, emoji, created_at)
				select m.id, u.user_id, e.emoji, m.created_at + interval '1 minute'
				  from public.messages m
				 cross join lateral unnest(m.members) as u(user_id)
				 cross join (values ('👍'), ('❤️')) as e(emoji)
				 where abs(hashtext(m.id::text || 'reactions')) % 4 = 0`);
			// Offers: one message in 25 of each product conversation becomes an offer card of its
			// conversation's buyer (closed, so any number per buyer), as make_offer would write it.
			await setup.query(
				`
				with cards as (
				  select m.id, m.conversation_id, c.product_id, c.seller_id, m.created_at,
				         case when c.user_low = c.seller_id then c.user_high else c.user_low end as buyer_id
				    from public.messages m join public.conversations c on c.id = m.conversation_id
				   where c.product_id is not null
				     and (abs(hashtext(m.id::text || 'offer')) % 25 = 0
				          -- Every page of the busy conversation has cards: every 10th message.
				          or m.id in (select x.id from (select b.id, row_number() over (order by b.created_at desc, b.id desc) as n
				                                          from public.messages b where b.conversation_id = $1) x
				                       where x.n % 10 = 3))
				), made as (
				  insert into public.offers (conversation_id, product_id, buyer_id, seller_id, amount_cents, currency, status, awaiting, card_message_id, created_at)
				  select k.conversation_id, k.product_id, k.buyer_id, k.seller_id, 1000, 'EUR', 'declined', null, k.id, k.created_at from cards k
				  returning id, card_message_id
				)
				update public.messages m
				   set kind = 'offer', payload = jsonb_build_object('offer_id', made.id, 'amount_cents', 1000, 'currency', 'EUR')
				  from made where m.id = made.card_message_id`,
				[data.busyConversationId]
			);
			await setup.query('vacuum analyze public.messages, public.attachments, public.message_reactions, public.offers');
		} finally {
			setup.release();
		}

		// One connection, kept for the whole file, so the plan cache of its backend carries from call to call.
		explainPool = createPool(scratch.url, { max: 1, idleTimeoutMillis: 0 });
		explainPool.on('connect', () => connections++);
		const client = await explainPool.connect();
		try {
			client.on('notice', (notice) => notices.push(notice.message ?? ''));
			await client.query(`load 'auto_explain'`);
			await client.query(`set auto_explain.log_min_duration = 0`);
			await client.query(`set auto_explain.log_nested_statements = on`);
			await client.query(`set auto_explain.log_analyze = on`);
			await client.query(`set auto_explain.log_timing = off`);
			await client.query(`set auto_explain.log_format = 'json'`);
			await client.query(`set auto_explain.log_level = 'notice'`);
			await client.query(`set client_min_messages = 'notice'`);
		} finally {
			client.release();
		}
		seller = postgresMessaging({ pool: explainPool, claims: claimsFor(data.sellerId) });
		const { rows } = await db.query(
			`select count(*)::int as n from public.conversation_members
			  where user_id = $1 and unread_count > 0 and archived_at is null`,
			[data.sellerId]
		);
		unreadRows = rows[0].n;
	}, 240_000);

	afterAll(async () => {
		await explainPool?.end();
		await db?.end();
		// pool.end() resolves before the server has seen the connections go; dropping the
		// database under them would make them fail loudly.
		for (let i = 0; i < 50; i++) {
			const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [scratchName]);
			if (rows[0].n === 0) break;
			await new Promise((done) => setTimeout(done, 100));
		}
		await drop();
	});

	/** Runs one RPC call and returns the plans auto_explain reported for it. */
	async function explained<T>(call: number, run: () => Promise<T>): Promise<{ result: T; plans: CallPlans }> {
		notices = [];
		const result = await run();
		const statements = notices
			.filter((message) => message.includes('plan:'))
			.map((message) => {
				const logged = JSON.parse(message.slice(message.indexOf('{'))) as { 'Query Text': string; Plan: PlanNode };
				return { query: logged['Query Text'], plan: logged.Plan };
			});
		return { result, plans: { call, statements } };
	}

	/** Calls `run` CALLS times and checks the plans of every call. */
	async function checkCalls<T>(
		run: (call: number) => Promise<T>,
		expected: Expectations,
		after?: (result: T, plans: CallPlans) => void
	): Promise<CallPlans[]> {
		const all: CallPlans[] = [];
		for (let call = 1; call <= CALLS; call++) {
			const { result, plans } = await explained(call, () => run(call));
			expect(plans.statements.length, `auto_explain reported nothing for call ${call}`).toBeGreaterThan(1);
			expect(problemsOf(plans, expected)).toEqual([]);
			after?.(result, plans);
			all.push(plans);
		}
		return all;
	}

	it('loads a consistent data set, big enough that a filter on messages is a sequential scan', async () => {
		expect(data.counts).toMatchObject({ users: 300, conversations: 10_000, messages: 200_000, sellerMessages: 60_000, busyMessages: 20_000 });
		const { rows } = await db.query(
			`select (select count(*) from public.messages)::int as messages,
			        (select count(*) from public.messages where conversation_id = $1)::int as busy,
			        (select count(*) from public.conversation_members where user_id = $2)::int as seller_conversations,
			        (select c.last_message_id = (select m.id from public.messages m where m.conversation_id = $1
			                                      order by m.created_at desc, m.id desc limit 1)
			           from public.conversations c where c.id = $1) as preview_is_newest`,
			[data.busyConversationId, data.sellerId]
		);
		expect(rows[0]).toEqual({ messages: 200_000, busy: 20_000, seller_conversations: 2_000, preview_is_newest: true });
		// Big enough that a plain filter on the tables would be a sequential scan.
		const plan = await db.query(`explain (format json) select * from public.messages where body <> ''`);
		expect(JSON.stringify(plan.rows[0])).toContain('Seq Scan');
		expect(unreadRows).toBeGreaterThan(1_000);
	});

	describe('list_conversation_previews', () => {
		const cases = [
			{ filter: 'all', index: 'conversation_members_inbox_idx' },
			{ filter: 'unread', index: 'conversation_members_unread_idx' },
			{ filter: 'needs_reply', index: 'conversation_members_needs_reply_idx' },
			{ filter: 'archived', index: 'conversation_members_archived_idx' },
			{ filter: 'listing', index: 'conversation_members_listing_idx' }
		] as const;
		const limit = 30;

		for (const { filter: only, index } of cases) {
			it(`${only}: first page and the next page read the page from ${index}`, async () => {
				// The listing filter shows the busy conversation's product, one of the seller's seven.
				const filter = only === 'listing' ? { filter: only, productId: data.busyProductId } : { filter: only };
				const expected: Expectations = {
					indexes: [index, MEMBERSHIP, 'conversations_pkey'],
					orderedIndexes: [index],
					// The page (the adapter asks for limit + 1 to know whether there is a next one)
					// from the filter's index, then per previewed conversation its row, both members and
					// the other member's profile.
					maxRowsReadByIndex: { [index]: limit + 1 },
					maxRowsRead: { conversation_members: 2 * (limit + 1), conversations: limit + 1, profiles: limit + 1, messages: 0 },
					maxSortInput: limit + 1
				};
				await checkCalls(
					() => seller.listConversationPreviews({ ...filter, limit }),
					expected,
					(page) => {
						expect(page.previews).toHaveLength(limit);
						expect(page.next).not.toBeNull();
					}
				);

				const page1 = await seller.listConversationPreviews({ ...filter, limit });
				const page2 = await seller.listConversationPreviews({ ...filter, limit, before: page1.next });
				await checkCalls(
					() => seller.listConversationPreviews({ ...filter, limit, before: page2.next }),
					expected,
					(page) => {
						expect(page.previews).toHaveLength(limit);
						const seen = new Set([...page1.previews, ...page2.previews].map((p) => p.conversation_id));
						expect(page.previews.filter((p) => seen.has(p.conversation_id))).toEqual([]);
						expect(page.previews[0].last_message_at <= page2.previews[limit - 1].last_message_at).toBe(true);
					}
				);
			});
		}
		it("all: the page's rows are looked up by key even when the statistics promise tiny inboxes", async () => {
			// A marketplace of many small inboxes: the cached plan, which cannot know whose inbox it
			// reads, expects two memberships per caller. It must still look each previewed row up by
			// its key, never read the seller's 2,000 memberships to match them against the page.
			await db.query('alter table public.conversation_members alter column user_id set (n_distinct = -0.5)');
			await db.query('analyze public.conversation_members');
			try {
				await checkCalls(() => seller.listConversationPreviews({ limit }), {
					indexes: ['conversation_members_inbox_idx', MEMBERSHIP, 'conversations_pkey'],
					orderedIndexes: ['conversation_members_inbox_idx'],
					maxRowsReadByIndex: { conversation_members_inbox_idx: limit + 1 },
					maxRowsRead: { conversation_members: 2 * (limit + 1), conversations: limit + 1, profiles: limit + 1, messages: 0 },
					maxSortInput: limit + 1
				});
			} finally {
				await db.query('alter table public.conversation_members alter column user_id reset (n_distinct)');
				await db.query('analyze public.conversation_members');
			}
		});
	});

	describe('list_messages on the 20,000-message conversation', () => {
		const limit = 50;
		const expected: Expectations = {
			indexes: ['messages_thread_idx', MEMBERSHIP, 'offers_pkey'],
			orderedIndexes: ['messages_thread_idx'],
			// The adapter asks for limit + 1 rows to know whether there is a next page; the
			// membership check reads the conversation's two members at most; each message of the
			// page carries its photos and reactions, so neither table is read; an offer card's
			// offer is one primary-key probe.
			maxRowsRead: {
				messages: limit + 1,
				conversation_members: 2,
				conversations: limit + 1,
				offers: limit + 1
			},
			maxSortInput: limit + 1,
			indexScansOnly: ['messages', 'offers'],
			untouched: ['attachments', 'message_reactions']
		};

		it('newest page reads one page from messages_thread_idx', async () => {
			const { rows: newest } = await db.query(
				`select id from public.messages where conversation_id = $1 order by created_at desc, id desc limit $2`,
				[data.busyConversationId, limit]
			);
			await checkCalls(
				() => seller.listMessages({ conversationId: data.busyConversationId, limit }),
				expected,
				(page) => {
					expect(page.messages.map((m) => m.id)).toEqual(newest.map((r) => r.id));
					// The page really has photos, reactions and offer cards to render.
					expect(page.messages.some((m) => m.attachments.length > 1)).toBe(true);
					expect(page.messages.some((m) => m.reactions.length === 2)).toBe(true);
					expect(page.messages.filter((m) => m.kind === 'offer').every((m) => m.offer?.status === 'declined' && m.offer.current)).toBe(true);
					expect(page.messages.some((m) => m.kind === 'offer')).toBe(true);
				}
			);
		});

		it('a page 10,000 messages deep (keyset cursor) still reads one page', async () => {
			const { rows } = await db.query(
				`select created_at::text as at, id from public.messages where conversation_id = $1
				  order by created_at desc, id desc offset 9999 limit $2 + 1`,
				[data.busyConversationId, limit]
			);
			const before = { at: rows[0].at as string, id: rows[0].id as string };
			const calls = await checkCalls(
				() => seller.listMessages({ conversationId: data.busyConversationId, limit, before }),
				expected,
				(page) => expect(page.messages.map((m) => m.id)).toEqual(rows.slice(1).map((r) => r.id))
			);
			// The cursor is an index condition (a range start), not a filter over the rows before it.
			for (const plans of calls) expect(scanOf(plans, 'messages_thread_idx')?.['Index Cond']).toMatch(/ROW\(created_at, id\) < ROW\(/);
		});
	});

	it('open_conversation of the 20,000-message conversation reads its newest page only', async () => {
		const limit = 50;
		await checkCalls(
			() => seller.openConversation({ otherUserId: data.busyBuyerId, productId: data.busyProductId, limit }),
			{
				indexes: ['messages_thread_idx', MEMBERSHIP, 'conversations_pair_product_key', 'offers_pkey'],
				orderedIndexes: ['messages_thread_idx'],
				// The pair lookup reads the pair's conversations (one per product they talked about),
				// the read state the conversation's two members; the page's messages carry their
				// photos and reactions.
				maxRowsRead: {
					messages: limit + 1,
					conversation_members: 2,
					conversations: limit + 1,
					offers: limit + 1
				},
				maxSortInput: limit + 1,
				indexScansOnly: ['messages', 'offers'],
				untouched: ['attachments', 'message_reactions']
			},
			(opened) => {
				expect(opened.conversation_id).toBe(data.busyConversationId);
				expect(opened.page.messages).toHaveLength(limit);
				expect(opened.page.next).not.toBeNull();
			}
		);
	});

	/** Rows of messages read by every scan of a call, over all its statements. */
	const messagesRead = (plans: CallPlans) =>
		plans.statements
			.flatMap((statement) => nodes(statement.plan))
			.filter((node) => node['Relation Name'] === 'messages' && SCANS.includes(node['Node Type']))
			.reduce((sum, node) => sum + rowsRead(node), 0);

	it("searching a common word reads the caller's newest messages in time order until a page of hits, never the word's GIN posting list", async () => {
		const query = `select count(*)::int as n from public.messages where members @> array[$1::uuid] and search @@ to_tsquery('simple', $2)`;
		const mine = (await db.query(query, [data.sellerId, 'camera:*'])).rows[0].n as number;
		expect(mine).toBeGreaterThan(5_000);
		await checkCalls(
			() => seller.searchMessages({ query: 'camera' }),
			{
				indexes: [],
				orderedIndexes: ['messages_low_member_time_idx', 'messages_high_member_time_idx'],
				maxRowsRead: { messages: 1_000 },
				// The page asked for (20 and one more, to know there is a next page), to show it in order.
				maxSortInput: 21
			},
			(page, plans) => {
				expect(page.hits).toHaveLength(20);
				const used = new Set(plans.statements.flatMap((s) => nodes(s.plan)).map((n) => n['Index Name']));
				expect(used.has('messages_member_search_idx')).toBe(false);
				// One message in eight holds the word: about 160 of the caller's newest, from both
				// merged streams, and the page's 20 rows again to show them.
				expect(messagesRead(plans)).toBeLessThan(450);
			}
		);
	});

	it("searching a rare word reads at most 1,000 of the caller's newest messages, then only its matches from messages_member_search_idx", async () => {
		const query = `select count(*)::int as n from public.messages where members @> array[$1::uuid] and search @@ to_tsquery('simple', '9999:*')`;
		const mine = (await db.query(query, [data.sellerId])).rows[0].n as number;
		expect(mine).toBeGreaterThan(0);
		await checkCalls(
			() => seller.searchMessages({ query: '9999' }),
			{
				indexes: ['messages_member_search_idx'],
				orderedIndexes: ['messages_low_member_time_idx', 'messages_high_member_time_idx'],
				maxRowsRead: { messages: 1_000 + mine, conversation_members: mine },
				maxSortInput: 1_000
			},
			(page, plans) => {
				expect(page.hits.length).toBe(Math.min(mine, 20));
				expect(messagesRead(plans)).toBeLessThanOrEqual(1_002 + 2 * mine);
			}
		);
	});

	it('search pages are exactly the newest matches, page after page, archived conversations included, deleted messages never', async () => {
		// Some of the newest matches deleted: they must be skipped, not end a page early.
		await db.query(
			`update public.messages set deleted_at = now(), body = '' where id in (
			   select id from public.messages where members @> array[$1::uuid] and search @@ to_tsquery('simple', 'camera:*')
			    order by created_at desc, id desc limit 7 offset 3)`,
			[data.sellerId]
		);
		for (const word of ['camera', 'downtown saturday', '999', 'scratches bike']) {
			const tsquery = word.split(' ').map((w) => `${w}:*`).join(' & ');
			const { rows: expected } = await db.query<{ id: string }>(
				`select id from public.messages where members @> array[$1::uuid] and search @@ to_tsquery('simple', $2) and deleted_at is null
				  order by created_at desc, id desc limit 60`,
				[data.sellerId, tsquery]
			);
			const got: string[] = [];
			let before: { at: string; id: string } | null = null;
			for (let page = 0; page < 3; page++) {
				const result = await seller.searchMessages({ query: word, before });
				got.push(...result.hits.map((hit) => hit.message_id));
				if (!result.next) break;
				before = result.next;
			}
			expect(got, word).toEqual(expected.map((row) => row.id));
		}
	});

	it('unread_total sums the unread partial index alone, nothing else', async () => {
		const { rows } = await db.query(
			`select coalesce(sum(unread_count), 0)::int as total from public.conversation_members
			  where user_id = $1 and unread_count > 0 and archived_at is null`,
			[data.sellerId]
		);
		await checkCalls(
			() => seller.unreadTotal(),
			{
				// A sum over the caller's entries in the unread index, which carries the counts and
				// mutes: its cost is the unread conversations, never the inbox, the history or the heap.
				indexes: ['conversation_members_unread_idx'],
				maxRowsReadByIndex: { conversation_members_unread_idx: unreadRows },
				maxRowsRead: { conversation_members: unreadRows, messages: 0 },
				indexOnly: ['conversation_members'],
				maxSortInput: 0
			},
			(total) => expect(total).toBe(rows[0].total)
		);
	});

	it("the session start of every signed-in page reads the caller's rows by key and the unread index, and records them seen on a cached plan", async () => {
		await checkCalls(
			() => seller.sessionStart(),
			{
				// The caller's event counter, profile, activity and preferences by key, and the badge
				// total from the unread index alone; recording them seen reads their activity row first
				// and writes only when it is older than 30 seconds.
				indexes: ['messaging_event_counters_pkey', 'profiles_pkey', 'member_activity_pkey', 'conversation_members_unread_idx'],
				maxRowsReadByIndex: { conversation_members_unread_idx: unreadRows },
				maxRowsRead: { conversation_members: unreadRows, profiles: 1, messages: 0, conversations: 0 },
				indexOnly: ['conversation_members'],
				maxSortInput: 0
			},
			(session, plans) => {
				expect(session.unread_total).toBeGreaterThan(0);
				const seen = plans.statements.filter((s) => /insert into private\.member_activity/i.test(s.query));
				expect(seen, `call ${plans.call} did not record the caller as seen`).toHaveLength(1);
				expect(planCarries(seen[0], data.sellerId), `call ${plans.call} re-planned record_seen for its values`).toBe(false);
			}
		);
	});

	it("send_message writes the message and both members by key, and reads the recipient's unread entries only", async () => {
		const buyer = postgresMessaging({ pool: explainPool, claims: claimsFor(data.busyBuyerId) });
		await checkCalls(
			() => buyer.sendMessage({ id: randomUUID(), body: 'Is it still available?', conversationId: data.busyConversationId }),
			{
				// The sender's membership, the conversation's row and its two members by key (their
				// previews and unread counts), the sender's new read position (nothing from the other
				// side after their own message to recount), and per recipient the badge total from
				// the unread index: never the 20,000-message history or the seller's inbox. The rate
				// limit counts the sender's messages of the last minute: the ones sent here.
				indexes: [MEMBERSHIP, 'conversations_pkey', 'messages_pkey'],
				maxRowsReadByIndex: { conversation_members_pkey: 2, conversation_members_user_idx: 2, conversation_members_unread_idx: unreadRows + 1 },
				maxRowsRead: { messages: CALLS, conversation_members: unreadRows + 1, conversations: 1 },
				maxSortInput: 2
			},
			(message, plans) => {
				expect(message.sender_id).toBe(data.busyBuyerId);
				const updates = plans.statements.filter((s) => /^\s*update public\.conversation_members m\s+set last_message_at/i.test(s.query));
				expect(updates, `call ${plans.call} did not move both members`).toHaveLength(1);
				expect(planCarries(updates[0], data.busyConversationId), `call ${plans.call} re-planned the members' update for its values`).toBe(false);
			}
		);
	});

	it('mark_conversation_read finds the newest message and recounts from the read position only', async () => {
		await checkCalls(
			async () => {
				// Something new to read each time, so every call moves the read position and runs the update.
				await db.query(
					`insert into public.messages (id, conversation_id, sender_id, body, expires_at)
					 values (gen_random_uuid(), $1, $2, 'Still there?', now() + interval '30 days')`,
					[data.busyConversationId, data.busyBuyerId]
				);
				return seller.markConversationRead({ conversationId: data.busyConversationId });
			},
			{
				// The newest message (one row), the unread recount after it (none), the caller's
				// member row; the read event then reads and sorts the conversation's two members and
				// carries each one's badge total, a sum over their entries in the unread index (as
				// unread_total: the unread conversations, never the history). The recount may read
				// through a bitmap: it counts, so it needs no order, only the rows after the position.
				indexes: ['messages_thread_idx', MEMBERSHIP],
				orderedIndexes: ['messages_thread_idx'],
				maxRowsReadByIndex: { conversation_members_pkey: 2, conversation_members_user_idx: 2, conversation_members_unread_idx: unreadRows },
				maxRowsRead: { messages: 1, conversation_members: unreadRows },
				maxSortInput: 2
			},
			(state, plans) => {
				expect(state.unread_count).toBe(0);
				const updates = plans.statements.filter((s) => /update public\.conversation_members/i.test(s.query));
				expect(updates, `the read position did not move in call ${plans.call}`).toHaveLength(1);
				expect(planCarries(updates[0], data.busyConversationId), `call ${plans.call} re-planned the reader's update for its values`).toBe(false);
			}
		);
	});

	it('sync_since renders each event from its message, photos and reactions included, by index', async () => {
		const cursor = await seller.currentEventCursor();
		const asBuyer = <T extends pg.QueryResultRow>(sql: string, values: unknown[]) => sqlAs<T>(db, data.busyBuyerId, sql, values);
		// Events for the seller: the buyer reacts to the 20 newest messages and sends 4 messages of 3 photos.
		const { rows: newest } = await db.query<{ id: string }>(
			"select id from public.messages where conversation_id = $1 and kind = 'text' order by created_at desc, id desc limit 20",
			[data.busyConversationId]
		);
		for (const { id } of newest) await asBuyer(`select public.toggle_reaction($1, '😮')`, [id]);
		for (let i = 0; i < 4; i++) {
			const photos: string[] = [];
			for (let j = 0; j < 3; j++) {
				photos.push((await asBuyer<{ id: string }>(`select public.create_attachment(1600, 1200, 320, 240, 1000) ->> 'id' as id`, []))[0].id);
			}
			await asBuyer('select public.send_message(p_id => gen_random_uuid(), p_body => $1, p_conversation_id => $2, p_attachment_ids => $3::uuid[])', [
				'',
				data.busyConversationId,
				photos
			]);
		}
		const events = 24;
		await checkCalls(
			() => seller.syncSince({ cursor, limit: 100 }),
			{
				// The caller's events after the cursor from the log's primary key; per event its message
				// (by id, carrying its photos and reactions) and the caller's preview; the badge total
				// from the caller's unread conversations (as unread_total).
				indexes: ['messaging_events_pkey', 'messages_pkey', 'conversation_members_unread_idx'],
				maxRowsReadByIndex: { messaging_events_pkey: events },
				maxRowsRead: {
					messages: events,
					conversations: events,
					conversation_members: unreadRows
				},
				maxSortInput: events,
				indexScansOnly: ['messages'],
				untouched: ['attachments', 'message_reactions']
			},
			(result) => {
				expect(result.events).toHaveLength(events);
				const messages = result.events.flatMap((event) => (event.type === 'message.created' || event.type === 'message.updated' ? [event.payload.message] : []));
				expect(messages.filter((m) => m.attachments.length === 3)).toHaveLength(4);
				expect(messages.filter((m) => m.reactions.some((r) => r.emoji === '😮'))).toHaveLength(20);
			}
		);
	});

	it('toggle_reaction rewrites the one message it changes: its reactions by primary key, its row by id', async () => {
		const { rows } = await db.query<{ id: string }>(
			"select id from public.messages where conversation_id = $1 and kind = 'text' order by created_at desc, id desc limit 1",
			[data.busyConversationId]
		);
		const messageId = rows[0].id;
		const { rows: before } = await db.query('select reactions from public.messages where id = $1', [messageId]);
		await checkCalls(
			() => seller.toggleReaction({ messageId, emoji: '🙏' }),
			{
				// The message (locked, then rewritten and rendered, by primary key), its reactions (the
				// toggled one, then all of them, at most two emoji from each member plus this one), the
				// two members for the check and the event, and each member's badge total from their
				// unread conversations (as unread_total). No photo is read.
				indexes: ['messages_pkey', 'message_reactions_pkey'],
				maxRowsReadByIndex: { messages_pkey: 1, message_reactions_pkey: REACTIONS_PER_MESSAGE + 1 },
				maxRowsRead: { messages: 1, message_reactions: REACTIONS_PER_MESSAGE + 1, conversation_members: unreadRows, conversations: 1 },
				maxSortInput: REACTIONS_PER_MESSAGE + 1,
				untouched: ['attachments']
			},
			(message, plans) => {
				expect(message.reactions.some((r) => r.emoji === '🙏' && r.user_ids.includes(data.sellerId))).toBe(plans.call % 2 === 1);
				const rewrites = plans.statements.filter((s) => /update public\.messages/i.test(s.query));
				expect(rewrites, `call ${plans.call} rewrote messages ${rewrites.length} times`).toHaveLength(1);
			}
		);
		// Eight toggles: back where it started.
		expect((await db.query('select reactions from public.messages where id = $1', [messageId])).rows).toEqual(before);
	});

	// Last but one: it adds profiles, which no case above expects.
	it("searching conversations reads the caller's member rows by the per-user index and each one's profile by key, never anyone else's", async () => {
		// A marketplace has many more members than any one member talks to. With the data set's 300,
		// reading every profile is rightly cheaper than the seller's 2,000 probes; with 20,300 it is not.
		await db.query(
			`insert into auth.users (id, email, raw_user_meta_data)
			 select gen_random_uuid(), 'plans_extra_' || g || '@example.test',
			        jsonb_build_object('username', 'plans_extra_' || g, 'display_name', 'Extra member ' || g)
			   from generate_series(1, 20000) g`
		);
		await db.query('analyze public.profiles');
		const { rows } = await db.query<{ n: number }>('select count(*)::int as n from public.conversation_members where user_id = $1', [data.sellerId]);
		const conversations = rows[0].n;
		const limit = 20;
		// Users 12 and 120 to 129, each in several of the seller's conversations; and a word nobody's name has.
		const cases = [
			{ query: 'bench USER 12', match: '^Bench user 12' },
			{ query: 'zzz', match: '^zzz' }
		];
		for (const { query, match } of cases) {
			const { rows: expected } = await db.query<{ id: string }>(
				`select m.conversation_id as id from public.conversation_members m join public.profiles o on o.id = m.other_user_id
				  where m.user_id = $1 and o.display_name ~ $2 order by m.last_message_at desc, m.conversation_id desc limit $3`,
				[data.sellerId, match, limit]
			);
			await checkCalls(
				() => seller.searchConversations({ query, limit }),
				{
					// Every member row of the caller's from the per-user index, its other member's profile by
					// key, the listings (a table of the seller's and 2 per member) any way the planner likes;
					// then the page's preview rows by key, as the inbox reads them.
					indexes: ['conversation_members_user_idx', 'profiles_pkey'],
					maxRowsReadByIndex: { conversation_members_user_idx: conversations + limit, profiles_pkey: conversations + limit },
					maxRowsRead: { conversation_members: conversations + 2 * limit, profiles: conversations + limit, conversations: limit, messages: 0 },
					// The matches, to put the newest first: never more than the caller's conversations.
					maxSortInput: conversations,
					indexScansOnly: ['profiles'],
					untouched: ['messages', 'attachments', 'message_reactions', 'offers']
				},
				(found) => {
					expect(found.map((preview) => preview.conversation_id)).toEqual(expected.map((row) => row.id));
					if (query !== 'zzz') expect(found).toHaveLength(limit);
				}
			);
		}
	});

	it('all calls ran on one connection, so the cached-plan behaviour was exercised', () => {
		expect(connections).toBe(1);
	});
});
