import type pg from 'pg';

/**
 * A scale data set for plan tests and the benchmark, loaded with set-based SQL as the
 * superuser. One seller (user 1) talks with buyers about their products; one of those
 * conversations is busy (many messages); the other users talk with each other in
 * general conversations. Message ids, senders, bodies and times follow from a formula,
 * so the previews, read positions and unread counts the triggers would keep are written
 * with the conversations, and the messages are then inserted in bulk without the per-row
 * triggers (session_replication_role = replica, for this session only). As the triggers
 * leave it, a member's read position is their own last message and their unread count is
 * the other side's messages after it.
 */
export interface DatasetOptions {
	/** Users, the seller included. */
	users: number;
	/** The seller's products; the seller's conversations are (buyer, product) pairs. */
	sellerProducts: number;
	/** Conversations of the seller, the busy one included. */
	sellerConversations: number;
	/** Messages in the busy conversation (the seller's first conversation). */
	busyMessages: number;
	/** Messages in all of the seller's conversations, the busy one included. */
	sellerMessages: number;
	/** General conversations between other users. */
	otherConversations: number;
	/** Messages in the whole data set. */
	totalMessages: number;
	/** In every tenth conversation the member with the unread message has archived it. */
	archiveEveryTenth?: boolean;
	/** Messages are inserted in batches of about this many (progress is reported per batch). */
	batchSize?: number;
	log?: (line: string) => void;
}

export interface Dataset {
	sellerId: string;
	busyBuyerId: string;
	busyProductId: string;
	busyConversationId: string;
	counts: { users: number; conversations: number; members: number; messages: number; sellerMessages: number; busyMessages: number };
}

/** Message texts; "camera" is in one message of eight, for search. */
const BODIES = [
	'Is this still available?',
	'Can you do 20 percent off?',
	'I can ship the camera tomorrow morning',
	'What lens comes with it?',
	'The price is firm, sorry',
	'Could we meet downtown on Saturday?',
	'Thanks, payment sent',
	'Does the bike have any scratches?'
];

export async function loadDataset(client: pg.ClientBase, options: DatasetOptions): Promise<Dataset> {
	const log = options.log ?? (() => {});
	const o = { archiveEveryTenth: true, batchSize: 100_000, ...options };
	const others = o.users - 1;
	if (o.sellerConversations > others * o.sellerProducts) throw new Error('Not enough (buyer, product) pairs for the seller conversations');
	if (o.otherConversations > others * Math.floor((others - 1) / 2)) throw new Error('Not enough user pairs for the other conversations');
	if (o.busyMessages > o.sellerMessages || o.sellerMessages > o.totalMessages) throw new Error('Inconsistent message counts');
	if (o.sellerMessages - o.busyMessages < o.sellerConversations - 1) throw new Error('Every seller conversation needs a message');
	if (o.totalMessages - o.sellerMessages < o.otherConversations) throw new Error('Every other conversation needs a message');
	const prefix = `ds${Math.random().toString(36).slice(2, 8)}`;
	const started = Date.now();
	await client.query('set synchronous_commit = on');
	const step = (what: string) => log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

	await client.query(`create temp table ds_users on commit preserve rows as
		select i as n, gen_random_uuid() as id from generate_series(1, $1::int) i`, [o.users]);
	await client.query(
		`insert into auth.users (id, email, raw_user_meta_data)
		 select u.id, $1 || '_' || u.n || '@example.test',
		        jsonb_build_object('username', $1 || '_' || u.n, 'display_name', 'Bench user ' || u.n)
		   from ds_users u order by u.n`,
		[prefix]
	);
	await client.query(`create temp table ds_products as select i as n, gen_random_uuid() as id from generate_series(1, $1::int) i`, [
		o.sellerProducts
	]);
	await client.query(
		`insert into public.products (id, seller_id, title, price_cents, image_url)
		 select p.id, (select id from ds_users where n = 1), 'Bench product ' || p.n, 1000 + p.n * 100, '/products/camera.svg'
		   from ds_products p order by p.n`
	);
	// Everyone else sells a couple of things too, so products is a table of realistic size.
	await client.query(
		`insert into public.products (seller_id, title, price_cents, image_url)
		 select u.id, 'Bench item ' || u.n || '.' || k, 500 + k * 250, '/products/camera.svg'
		   from ds_users u cross join generate_series(1, 2) k where u.n > 1 order by u.n, k`
	);
	step(`${o.users} users, ${o.sellerProducts + 2 * others} products`);

	// Conversations with their message counts and the time of their last message.
	// Seller conversation k: buyer 2 + k mod (users - 1), product 1 + k div (users - 1); k = 0 is busy.
	// Other conversation j: users x and x + d (mod users - 1, offset by 2), a distinct pair for d < (users - 1) / 2.
	await client.query(
		`create temp table ds_conversations as
		 with seller_side as (
		   select k as ord, s.id as a, b.id as b, p.id as product, s.id as seller,
		          case when k = 0 then $3::int
		               else (floor(($4::bigint - $3::int) * k / ($2::int - 1)) - floor(($4::bigint - $3::int) * (k - 1) / ($2::int - 1)))::int end as n
		     from generate_series(0, $2::int - 1) k
		     join ds_users s on s.n = 1
		     join ds_users b on b.n = 2 + k % ($1::int - 1)
		     join ds_products p on p.n = 1 + k / ($1::int - 1)
		 ), other_side as (
		   select $2::int + j as ord, x.id as a, y.id as b, null::uuid as product, null::uuid as seller,
		          (floor(($6::bigint - $4) * (j + 1) / $5::int) - floor(($6::bigint - $4) * j / $5::int))::int as n
		     from generate_series(0, $5::int - 1) j
		     join ds_users x on x.n = 2 + j % ($1::int - 1)
		     join ds_users y on y.n = 2 + (j % ($1::int - 1) + 1 + j / ($1::int - 1)) % ($1::int - 1)
		 ), all_sides as (select * from seller_side union all select * from other_side)
		 select ord, gen_random_uuid() as id, a, b, product, seller, n,
		        case when ord % 3 = 1 then a else b end as last_sender,
		        case when ord % 3 = 1 then b else a end as last_reader,
		        case when ord = 0 then now() - interval '1 minute'
		             else now() - interval '2 minutes' - make_interval(secs => (abs(hashint4(ord)) % 7776000)::double precision + ord / 1000.0) end as end_at,
		        least(interval '60 days' / greatest(n, 1), interval '2 hours') as spacing
		   from all_sides`,
		[o.users, o.sellerConversations, o.busyMessages, o.sellerMessages, o.otherConversations, o.totalMessages]
	);
	await client.query('create unique index on ds_conversations (ord)');
	await client.query('analyze ds_conversations');

	// Message i (1..n) of a conversation: a deterministic id (a valid version-4 uuid), senders
	// alternating so that the last message is last_sender's, a body from BODIES and a time
	// spacing apart, ending at end_at. The previews and read state below follow from these.
	const id = (i: string) => `overlay(overlay(md5(c.id::text || ':' || ${i}) placing '4' from 13) placing '8' from 17)::uuid`;
	const body = (i: string) => `($1::text[])[1 + (${i} * 7 + c.ord) % 8] || ' #' || ${i}`;
	const at = (i: string) => `c.end_at - c.spacing * (c.n - ${i})`;

	await client.query(
		`insert into public.conversations (id, user_low, user_high, product_id, seller_id, created_at,
		   last_message_id, last_message_at, last_message_preview, last_message_sender_id, last_message_deleted)
		 select c.id, least(c.a, c.b), greatest(c.a, c.b), c.product, c.seller, ${at('0')},
		        ${id('c.n')}, c.end_at, left(${body('c.n')}, 200), c.last_sender, false
		   from ds_conversations c order by c.ord`,
		[BODIES]
	);
	// The last sender has read everything; the other member last wrote message n - 1, has one
	// unread message (a conversation of one message: nothing read, one unread) and owes a reply.
	await client.query(
		`insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id, last_message_at,
		   last_read_at, last_read_message_id, unread_count, archived_at, awaiting_reply_since)
		 select c.id, c.last_sender, c.last_reader, c.product, c.end_at, c.end_at, ${id('c.n')}, 0, null, null
		   from ds_conversations c
		 union all
		 select c.id, c.last_reader, c.last_sender, c.product, c.end_at,
		        case when c.n > 1 then ${at('(c.n - 1)')} end, case when c.n > 1 then ${id('(c.n - 1)')} end, 1,
		        case when $1 and c.ord % 10 = 5 then c.end_at + interval '1 minute' end, c.end_at
		   from ds_conversations c`,
		[o.archiveEveryTenth]
	);
	step(`${o.sellerConversations + o.otherConversations} conversations`);

	// Messages, in batches of whole conversations, without the per-row triggers: the previews
	// and read state they would have kept are already in place, and the members the insert
	// trigger would copy are written here.
	const { rows: batches } = await client.query<{ first: number; last: number; messages: string }>(
		`select min(ord) as first, max(ord) as last, sum(n) as messages
		   from (select ord, n, (sum(n) over (order by ord) - n) / $1::int as batch from ds_conversations) c
		  group by batch order by batch`,
		[o.batchSize]
	);
	await client.query('set session_replication_role = replica');
	try {
		let done = 0;
		for (const batch of batches) {
			await client.query(
				`insert into public.messages (id, conversation_id, sender_id, body, created_at, expires_at, members)
				 select ${id('i')}, c.id, case when (c.n - i) % 2 = 0 then c.last_sender else c.last_reader end,
				        ${body('i')}, ${at('i')}, ${at('i')} + interval '365 days',
				        array[least(c.last_sender, c.last_reader), greatest(c.last_sender, c.last_reader)]
				   from ds_conversations c cross join lateral generate_series(1, c.n) i
				  where c.ord between $2 and $3`,
				[BODIES, batch.first, batch.last]
			);
			done += Number(batch.messages);
			step(`${done} messages`);
		}
	} finally {
		await client.query('reset session_replication_role');
	}
	// Every last message is a text; the conversations' trigger read it as missing at insert.
	await client.query(`update public.conversations set last_message_kind = 'text'`);

	// Vacuum marks a page all-visible (for index-only scans, as in a steady state) only once
	// the commits that wrote it are flushed, and the ephemeral cluster commits asynchronously:
	// flush with a checkpoint and vacuum before analyze commits anything more.
	const tables = 'public.messages, public.conversations, public.conversation_members, public.profiles, public.products, auth.users';
	await client.query('checkpoint');
	await client.query(`vacuum ${tables}`);
	await client.query(`analyze ${tables}`);
	step('vacuum analyze');

	const { rows } = await client.query(
		`select (select id from ds_users where n = 1) as seller_id,
		        (select id from ds_users where n = 2) as busy_buyer_id,
		        (select id from ds_products where n = 1) as busy_product_id,
		        (select id from ds_conversations where ord = 0) as busy_conversation_id,
		        (select count(*) from ds_conversations)::int as conversations,
		        (select count(*) * 2 from ds_conversations)::int as members,
		        (select sum(n) from ds_conversations)::int as messages,
		        (select sum(n) from ds_conversations where ord < $1)::int as seller_messages`,
		[o.sellerConversations]
	);
	const row = rows[0];
	await client.query('drop table ds_users, ds_products, ds_conversations');
	await client.query('reset synchronous_commit');
	return {
		sellerId: row.seller_id,
		busyBuyerId: row.busy_buyer_id,
		busyProductId: row.busy_product_id,
		busyConversationId: row.busy_conversation_id,
		counts: {
			users: o.users,
			conversations: row.conversations,
			members: row.members,
			messages: row.messages,
			sellerMessages: row.seller_messages,
			busyMessages: o.busyMessages
		}
	};
}
