import type pg from 'pg';

// Typing and presence go to conversation partners only, and never across a block in either
// direction. These run as the server (they need both sides' blocks, which RLS hides from each
// user) with the user id from the verified session.
const NOT_BLOCKED = `not exists (
	select from public.user_blocks b
	 where (b.blocker_id = m.user_id and b.blocked_id = m.other_user_id)
	    or (b.blocker_id = m.other_user_id and b.blocked_id = m.user_id))`;

/** The other member of a conversation of `userId`, if they may see that `userId` is typing. */
export async function typingRecipient(pool: pg.Pool, userId: string, conversationId: string): Promise<string | null> {
	const { rows } = await pool.query<{ other_user_id: string }>(
		`select m.other_user_id from public.conversation_members m
		  where m.conversation_id = $1 and m.user_id = $2 and ${NOT_BLOCKED}`,
		[conversationId, userId]
	);
	return rows[0]?.other_user_id ?? null;
}

/** Everyone who may see whether `userId` is online. */
export async function presenceWatchers(pool: pg.Pool, userId: string): Promise<string[]> {
	const { rows } = await pool.query<{ other_user_id: string }>(
		`select distinct m.other_user_id from public.conversation_members m where m.user_id = $1 and ${NOT_BLOCKED}`,
		[userId]
	);
	return rows.map((row) => row.other_user_id);
}
