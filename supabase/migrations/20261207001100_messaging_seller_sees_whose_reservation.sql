-- A seller selling a reserved listing to another buyer is told whose deal that ends. Depends on
-- messaging_deleted_member_in_thread (open_conversation) and marketplace_listing_reserved
-- (products.reserved_for).
--
-- A seller may mark a listing reserved for one buyer (their offer accepted) as sold to another,
-- from the other buyer's conversation; the question before it said only "Open offers from other
-- buyers will be declined", not that the reservation, and the accepted buyer's deal, ends. The
-- listing open_conversation returns now names who it is reserved for (reserved_for: id and
-- name), to its seller alone: the other buyers must not learn who got it, as
-- messaging_seller_sees_who_got_it keeps from them too.

-- messaging_deleted_member_in_thread's open_conversation, its product with reserved_for for the
-- listing's seller (null for anyone else, and when it is not reserved); otherwise unchanged.
-- Opens the conversation with another user about a product (or none) without creating it.
-- Returns the other user (`deleted`: their account was erased), the product, the caller's read
-- state and the newest page of messages (newest first); conversation and read_state are null
-- when it was never started.
-- Signed-in users; refuses unknown users and products, the caller themself, a product
-- conversation without its seller, and a new one about a product no longer for sale (except
-- to its seller). json, not jsonb: the page is built once and sent, and building jsonb (parsing,
-- sorting keys) cost more than the reads.
create or replace function public.open_conversation(p_other_user_id uuid, p_product_id uuid default null, p_limit integer default 50)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  place record;
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  select * into place from private.locate_conversation(me, p_other_user_id, p_product_id);
  return json_build_object(
    'conversation_id', place.conversation,
    'other_user', (select json_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name, 'avatar_url', p.avatar_url,
                                         'deleted', exists (select from private.erased_accounts e where e.user_id = p.id))
                     from public.profiles p where p.id = p_other_user_id),
    'product', (select json_build_object('id', p.id, 'title', p.title, 'price_cents', p.price_cents, 'currency', p.currency::text,
                                          'image_url', p.image_url, 'status', p.status, 'seller_id', p.seller_id,
                                          'reserved_for', (select json_build_object('id', r.id, 'display_name', r.display_name)
                                                             from public.profiles r
                                                            where r.id = p.reserved_for and p.status = 'reserved' and p.seller_id = me))
                  from public.products p where p.id = p_product_id),
    'read_state', case when place.conversation is not null then private.read_state_json(place.conversation, me) end,
    'blocked_by_me', exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_other_user_id),
    'blocked_me', exists (select from public.user_blocks b where b.blocker_id = p_other_user_id and b.blocked_id = me),
    'messages', case when place.conversation is null then '[]'::json else coalesce((
      select json_agg(v order by page.position)
        from unnest(private.thread_page_ids(place.conversation, 'infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff', page_size))
             with ordinality as page(id, position)
        join public.messages_realtime_view v on v.id = page.id
    ), '[]'::json) end
  );
end;
$$;
revoke all on function public.open_conversation(uuid, uuid, integer) from public, anon, authenticated;
grant execute on function public.open_conversation(uuid, uuid, integer) to authenticated;
alter function public.open_conversation(uuid, uuid, integer) set plan_cache_mode = force_generic_plan;
