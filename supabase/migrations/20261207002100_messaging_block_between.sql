-- Whether the caller and another member blocked one another, for a page that offers a way to
-- write to them. Depends on messaging_schema (user_blocks) and messaging_rpc_helpers.
--
-- A buyer who had blocked a listing's seller was still offered "Message seller" and "Make an
-- offer" on the listing's page; both led to a thread saying "You blocked Sam Seller. Unblock them
-- to send messages." The page asks this first now, and says so instead of offering them.

-- The blocks between the caller and p_user_id, each way: {user_id, blocked_by_me, blocked_me},
-- as open_conversation tells them of the pair (no more: not when, nor anyone else's blocks).
-- Signed-in users, about themselves only. Security definer: a block made of the caller is no row
-- they may read (users read the blocks they made), and the thread says it anyway ("Sam is not
-- accepting messages from you"); this says whether there is one, as that does. Two lookups of
-- user_blocks' primary key.
create function public.block_between(p_user_id uuid) returns json
language sql
stable
security definer
set search_path = ''
as $$
  select json_build_object(
    'user_id', p_user_id,
    'blocked_by_me', exists (select from public.user_blocks b where b.blocker_id = me.id and b.blocked_id = p_user_id),
    'blocked_me', exists (select from public.user_blocks b where b.blocker_id = p_user_id and b.blocked_id = me.id))
    from (select private.current_user_id() as id) me
$$;
revoke all on function public.block_between(uuid) from public, anon, authenticated;
grant execute on function public.block_between(uuid) to authenticated;
