-- A block closes the pair's open offers. Depends on messaging_moderation (block_user) and
-- messaging_offers (post_system_message, publish_offer_cards).
--
-- An offer left open across a block could be answered by neither member while the block lasted,
-- and held the buyer's one open offer on that listing: the listing's page kept saying "Your offer
-- of €70.00 is waiting for Lee" and offered no new one, even after an unblock. The block is the
-- blocker's last word on every deal between them, so it answers each open offer as they could
-- have in the thread, and an unblock starts from nothing open.

-- messaging_moderation's block_user, which now also closes the pair's open offers; otherwise
-- unchanged.
-- Blocks a user for the signed-in caller: neither can send to the other while it lasts, in any
-- of their conversations. Every offer open between the two is closed first, as the blocker: the
-- one the blocker was to answer is declined, their own (an offer, or a seller's counter) withdrawn,
-- each with the system message and card update the thread shows for that answer. Blocking again
-- changes nothing. Callable by signed-in users.
create or replace function public.block_user(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  open_offer public.offers;
  amount text;
begin
  if p_user_id is null or p_user_id = me then
    perform private.fail('invalid_input', 'You can’t block yourself.');
  end if;
  if not exists (select from public.profiles p where p.id = p_user_id) then
    perform private.fail('not_found', 'This user does not exist.');
  end if;
  if exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_user_id) then
    return jsonb_build_object('user_id', p_user_id, 'blocked', true);
  end if;

  -- Before the block's own row: its events lock both members' event counters, which a send in one
  -- of these conversations takes only after the conversation's rows, as the system messages do.
  -- Each listing, then its offer, as every writer of offers locks them; listings in id order.
  for open_offer in
    select o.* from public.offers o
     where o.status = 'open'
       and ((o.buyer_id = me and o.seller_id = p_user_id) or (o.buyer_id = p_user_id and o.seller_id = me))
     order by o.product_id
  loop
    perform from public.products p where p.id = open_offer.product_id for key share;
    select * into open_offer from public.offers o where o.id = open_offer.id for update;
    continue when open_offer.status <> 'open';
    amount := private.format_money(open_offer.amount_cents, open_offer.currency);
    if (open_offer.awaiting = 'seller') = (me = open_offer.seller_id) then
      update public.offers o set status = 'declined', awaiting = null, updated_at = now() where o.id = open_offer.id;
      perform private.post_system_message(open_offer.conversation_id, me,
        format('%s declined %s''s offer of %s', private.display_name(me), private.display_name(p_user_id), amount),
        jsonb_build_object('event', 'offer.declined', 'actor_id', me, 'buyer_id', open_offer.buyer_id,
                           'amount_cents', open_offer.amount_cents, 'currency', open_offer.currency));
    else
      update public.offers o set status = 'withdrawn', awaiting = null, updated_at = now() where o.id = open_offer.id;
      perform private.post_system_message(open_offer.conversation_id, me,
        format('%s withdrew their offer of %s', private.display_name(me), amount),
        jsonb_build_object('event', 'offer.withdrawn', 'actor_id', me, 'buyer_id', open_offer.buyer_id,
                           'amount_cents', open_offer.amount_cents, 'currency', open_offer.currency));
    end if;
    perform private.publish_offer_cards(open_offer.id);
  end loop;

  insert into public.user_blocks (blocker_id, blocked_id) values (me, p_user_id) on conflict do nothing;
  return jsonb_build_object('user_id', p_user_id, 'blocked', true);
end;
$$;
revoke all on function public.block_user(uuid) from public, anon, authenticated;
grant execute on function public.block_user(uuid) to authenticated;
