import type pg from 'pg';
import type { Random } from './options.ts';

export const SOAK_PASSWORD = 'soak-password-1';

export interface SoakMember {
	index: number;
	id: string;
	email: string;
	/** Indexes of the conversations this member is in (none for a bystander). */
	conversations: number[];
}

export interface SoakConversation {
	index: number;
	seller: SoakMember;
	buyer: SoakMember;
	productId: string;
}

export interface Marketplace {
	members: SoakMember[];
	conversations: SoakConversation[];
}

/**
 * Members, products and the plan of who talks to whom, arranged in SQL (only the sends must go
 * through the app). Each conversation is a buyer and a seller about a product of the seller's.
 * Members in conversations are in 1 to 3 of them; 100 conversations have 200 seats, so with
 * 200 members some hold a stream in no conversation at all, and must receive nothing.
 * The per-minute send limit is raised so the load is not refused.
 */
export async function arrangeMarketplace(
	client: pg.ClientBase,
	random: Random,
	options: { members: number; conversations: number }
): Promise<Marketplace> {
	const members: SoakMember[] = Array.from({ length: options.members }, (_, index) => ({
		index,
		id: random.uuid(),
		email: `soak-${index}@example.test`,
		conversations: []
	}));
	const conversations = plan(random, members, options.conversations);

	await client.query(
		`with pw as (select extensions.crypt($3, extensions.gen_salt('bf', 4)) as hash)
		 insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_user_meta_data)
		 select u.id, u.email, (select hash from pw), now(),
		        jsonb_build_object('username', 'soak_' || u.n, 'display_name', 'Soak member ' || u.n)
		   from unnest($1::uuid[], $2::text[]) with ordinality as u(id, email, n)`,
		[members.map((m) => m.id), members.map((m) => m.email), SOAK_PASSWORD]
	);
	await client.query(
		`insert into public.products (id, seller_id, title, price_cents, image_url)
		 select p.id, p.seller, 'Soak item ' || p.n, 1000 + p.n::int * 10, '/products/camera.svg'
		   from unnest($1::uuid[], $2::uuid[]) with ordinality as p(id, seller, n)`,
		[conversations.map((c) => c.productId), conversations.map((c) => c.seller.id)]
	);
	await client.query('update public.messaging_settings set rate_limit_per_minute = 1000000');
	return { members, conversations };
}

/** Seats: about 70% of members in one conversation, the rest in two or three, summing to 2 × conversations. */
function plan(random: Random, members: SoakMember[], count: number): SoakConversation[] {
	const seats = 2 * count;
	const seated = Math.min(members.length, Math.max(Math.ceil(seats / 3), Math.round(seats / 1.45)));
	const degree = new Array<number>(seated).fill(1);
	for (let extra = seats - seated, guard = 0; extra > 0 && guard < 100_000; guard++) {
		const i = random.int(seated);
		if (degree[i] < 3) {
			degree[i]++;
			extra--;
		}
	}
	if (degree.reduce((a, b) => a + b, 0) !== seats) throw new Error(`Cannot seat ${count} conversations on ${members.length} members`);
	const slots = degree.flatMap((d, i) => new Array<number>(d).fill(i));
	for (let i = slots.length - 1; i > 0; i--) {
		const j = random.int(i + 1);
		[slots[i], slots[j]] = [slots[j], slots[i]];
	}
	// Nobody talks to themselves: swap a seat with one of another pair until every pair has two people.
	for (let attempt = 0; attempt < 10_000; attempt++) {
		const bad = findSelfPair(slots);
		if (bad === -1) break;
		const other = random.int(slots.length);
		if (Math.floor(other / 2) !== bad / 2) [slots[bad], slots[other]] = [slots[other], slots[bad]];
	}
	if (findSelfPair(slots) !== -1) throw new Error('Could not pair the conversation seats');
	return Array.from({ length: count }, (_, index) => {
		const [a, b] = [members[slots[2 * index]], members[slots[2 * index + 1]]];
		const [seller, buyer] = random.next() < 0.5 ? [a, b] : [b, a];
		seller.conversations.push(index);
		buyer.conversations.push(index);
		return { index, seller, buyer, productId: random.uuid() };
	});
}

function findSelfPair(slots: number[]): number {
	for (let i = 0; i < slots.length; i += 2) if (slots[i] === slots[i + 1]) return i;
	return -1;
}
