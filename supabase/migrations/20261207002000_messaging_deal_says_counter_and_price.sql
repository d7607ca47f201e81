-- A deal is worded as it was made, and its sale at its price. Depends on
-- messaging_counter_asks_for_more (respond_to_offer), messaging_block_closes_offers (block_user),
-- messaging_sale_closes_buyers_offer (set_listing_status), messaging_sale_withdraws_sellers_counter
-- (system_body) and messaging_deal_says_who_acted (my_deal_on_listing).
--
-- Ana accepted Sam's counter of €85.00, and Sam read "Ana Buyer accepted your offer of €85.00":
-- he had made none, the amount was his counter. The buyer answers only the seller's counter, so
-- an answer of the buyer's (and a counter a seller's block withdraws) now names a counter-offer,
-- as the listing's page did ("Sam Seller's counter"). And once Sam sold it to her, her listing's
-- page said "Sam Seller marked this as sold to you" beside the listed €89.00: the sale of a
-- listing reserved for its buyer now records the price their accepted offer agreed, in its
-- sentence ("Sold to Ana Buyer for €85.00") and payload, and the buyer's deal gives it
-- (sold_for). The app words both for each reader from the payloads, old messages included.

-- messaging_counter_asks_for_more's respond_to_offer, a buyer's accept or decline naming the
-- seller's counter-offer; otherwise unchanged, grants included:
--
-- Answers an open offer as its buyer or seller, and returns the offer's newest card as it is now.
-- p_action, by whose turn it is (offers.awaiting):
--   awaiting the seller: the seller accepts, declines or counters; the buyer withdraws
--   awaiting the buyer:  the buyer accepts or declines the seller's counter
-- Accept reserves the listing (messaging_listing_status); counter puts p_amount_cents on the table
-- as a new card with message id p_id (the idempotency key: countering with the same id again
-- returns that card) and awaits the buyer; the card says it is a counter. Every other answer posts
-- a system message in the offer's conversation, and every card of the offer reaches both members again as message.updated.
-- Refuses anyone but the offer's buyer and seller (not_found), answers out of turn or to a
-- closed offer (not_allowed, with a sentence saying why), accepting on a listing no longer active,
-- blocked pairs and callers over the per-minute limit.
create or replace function public.respond_to_offer(p_offer_id uuid, p_action text, p_amount_cents integer default null, p_id uuid default null, p_currency text default null)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  offer public.offers;
  listing public.products;
  existing public.messages;
  other uuid;
  about text;
  terms jsonb;
begin
  if p_action is null or p_action not in ('accept', 'decline', 'counter', 'withdraw') then
    perform private.fail('invalid_input', 'Choose to accept, decline, counter or withdraw the offer.');
  end if;
  select * into offer from public.offers o where o.id = p_offer_id;
  if offer.id is null or me not in (offer.buyer_id, offer.seller_id) then
    perform private.fail('not_found', 'This offer does not exist.');
  end if;
  if p_action = 'counter' and p_id is null then
    perform private.fail('invalid_input', 'A counteroffer needs an id.');
  end if;

  -- The listing first, then the offer, as every writer of offers locks them. Accepting changes
  -- the listing: for update, so of two accepts on one listing the second waits and then finds it
  -- reserved. The other answers only need it to stay as it is.
  if p_action = 'accept' then
    select * into listing from public.products p where p.id = offer.product_id for update;
  else
    select * into listing from public.products p where p.id = offer.product_id for key share;
  end if;
  select * into offer from public.offers o where o.id = p_offer_id for update;

  if p_action = 'counter' then
    select * into existing from public.messages m where m.id = p_id;
    if found then
      if existing.sender_id = me and existing.kind = 'offer' and existing.payload ->> 'offer_id' = offer.id::text
         and (existing.payload ->> 'amount_cents')::integer = p_amount_cents then
        return private.message_json(coalesce(offer.card_message_id, p_id))::json;
      end if;
      perform private.fail('conflict', 'This message id is already taken: a different offer or message was sent with it. Send yours again.');
    end if;
    perform private.check_offer_currency(p_currency, offer.currency);
  end if;

  other := case when me = offer.buyer_id then offer.seller_id else offer.buyer_id end;
  perform private.check_not_blocked(me, other);
  if offer.status <> 'open' then
    perform private.fail('not_allowed', 'This offer is no longer open.');
  end if;
  if offer.awaiting = 'seller' then
    if me = offer.buyer_id and p_action <> 'withdraw' then
      perform private.fail('not_allowed', 'The seller has not answered your offer yet. You can withdraw it.');
    elsif me = offer.seller_id and p_action = 'withdraw' then
      perform private.fail('not_allowed', 'Only the buyer can withdraw an offer. You can decline it.');
    end if;
  else
    if me = offer.seller_id then
      perform private.fail('not_allowed', 'Your counteroffer is waiting for the buyer’s answer.');
    elsif p_action not in ('accept', 'decline') then
      perform private.fail('not_allowed', 'Accept or decline the seller’s counteroffer. To offer another amount, decline it and make a new offer.');
    end if;
  end if;
  if p_action = 'accept' and listing.status = 'reserved' then
    perform private.fail('not_allowed', 'This listing is reserved.');
  elsif p_action = 'accept' and listing.status = 'sold' then
    perform private.fail('not_allowed', 'This listing is sold.');
  end if;
  if p_action = 'counter' then
    perform private.check_offer_amount(p_amount_cents, offer.currency);
    -- A counter asks for more: the same amount is the buyer's offer, to accept; a lower one is
    -- nearly always a slip that would cost the seller what the buyer already offered.
    if p_amount_cents = offer.amount_cents then
      perform private.fail('invalid_input', format('%s is %s''s offer already: accept it instead.',
        private.format_money(offer.amount_cents, offer.currency), private.display_name(other)));
    elsif p_amount_cents < offer.amount_cents then
      perform private.fail('invalid_input', format('A counteroffer asks for more than %s''s offer of %s. To take %s, accept it.',
        private.display_name(other), private.format_money(offer.amount_cents, offer.currency), private.format_money(offer.amount_cents, offer.currency)));
    end if;
    perform private.check_send_rate(me);
  end if;
  perform private.check_deal_rate(me);

  -- "<other>'s offer of <amount>": the amount on the table is the other side's newest card. The
  -- buyer accepts or declines only the seller's counter, and says so: "Ana accepted Sam's
  -- counter-offer", not "Sam's offer", which read to Sam as though he had made none.
  about := format(case when me = offer.buyer_id then '%s''s counter-offer of %s' else '%s''s offer of %s' end,
                  private.display_name(other), private.format_money(offer.amount_cents, offer.currency));
  terms := jsonb_build_object('actor_id', me, 'buyer_id', offer.buyer_id, 'amount_cents', offer.amount_cents, 'currency', offer.currency);

  if p_action = 'accept' then
    -- Everything the listing's change writes is locked before anything is written.
    perform private.lock_listing_conversations(offer.product_id);
    update public.offers o set status = 'accepted', awaiting = null, updated_at = now() where o.id = offer.id;
    perform private.reserve_listing(offer);
    perform private.post_system_message(offer.conversation_id, me, format('%s accepted %s', private.display_name(me), about),
      terms || jsonb_build_object('event', 'offer.accepted'));
    perform private.publish_offer_cards(offer.id);
  elsif p_action = 'decline' then
    update public.offers o set status = 'declined', awaiting = null, updated_at = now() where o.id = offer.id;
    perform private.post_system_message(offer.conversation_id, me, format('%s declined %s', private.display_name(me), about),
      terms || jsonb_build_object('event', 'offer.declined'));
    perform private.publish_offer_cards(offer.id);
  elsif p_action = 'withdraw' then
    update public.offers o set status = 'withdrawn', awaiting = null, updated_at = now() where o.id = offer.id;
    perform private.post_system_message(offer.conversation_id, me,
      format('%s withdrew their offer of %s', private.display_name(me), private.format_money(offer.amount_cents, offer.currency)),
      terms || jsonb_build_object('event', 'offer.withdrawn'));
    perform private.publish_offer_cards(offer.id);
  else
    update public.offers o
       set amount_cents = p_amount_cents, awaiting = 'buyer', card_message_id = p_id, updated_at = now()
     where o.id = offer.id
    returning * into offer;
    perform private.post_offer_card(p_id, offer, me);
    perform private.publish_offer_cards(offer.id, p_id);
  end if;
  return private.message_json((select o.card_message_id from public.offers o where o.id = p_offer_id))::json;
end;
$$;
revoke all on function public.respond_to_offer(uuid, text, integer, uuid, text) from public, anon, authenticated;
grant execute on function public.respond_to_offer(uuid, text, integer, uuid, text) to authenticated;

-- messaging_block_closes_offers' block_user, a counter declined by its buyer or withdrawn by its
-- seller named as a counter-offer; otherwise unchanged, grants included:
--
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
        format(case when me = open_offer.buyer_id then '%s declined %s''s counter-offer of %s' else '%s declined %s''s offer of %s' end,
               private.display_name(me), private.display_name(p_user_id), amount),
        jsonb_build_object('event', 'offer.declined', 'actor_id', me, 'buyer_id', open_offer.buyer_id,
                           'amount_cents', open_offer.amount_cents, 'currency', open_offer.currency));
    else
      update public.offers o set status = 'withdrawn', awaiting = null, updated_at = now() where o.id = open_offer.id;
      perform private.post_system_message(open_offer.conversation_id, me,
        format(case when me = open_offer.seller_id then '%s withdrew their counter-offer of %s' else '%s withdrew their offer of %s' end,
               private.display_name(me), amount),
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

-- messaging_sale_closes_buyers_offer's set_listing_status, a sale to the buyer the listing is
-- reserved for saying the price their accepted offer agreed; otherwise unchanged, grants included:
--
-- The seller of the listing a conversation is about marks it sold to that conversation's buyer
-- (p_status 'sold', from active or reserved) or available again (p_status 'active', from
-- reserved or sold), and every conversation about it is told (see messaging_listing_status); on a
-- sale the buyer's own open offer is closed and the other buyers' are declined, and a sale to the
-- buyer the listing is reserved for says the price their accepted offer agreed ("Sold to Ana for
-- €85.00", amount_cents and currency in the payload). Returns the listing as open_conversation does (ProductSummary).
-- Members of the conversation only (not_member); then only its seller (not_allowed), not between
-- blocked members, within the per-minute limit, and only a change (marking a sold listing sold,
-- or an active one available, is not_allowed).
create or replace function public.set_listing_status(p_conversation_id uuid, p_status text)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members;
  listing public.products;
  agreed public.offers;
begin
  if p_status is null or p_status not in ('sold', 'active') then
    perform private.fail('invalid_input', 'A listing can be marked sold or available again.');
  end if;
  member := private.membership(p_conversation_id, me);
  if member.product_id is null then
    perform private.fail('not_allowed', 'This conversation is not about a listing.');
  end if;
  -- First lock, held until commit: changes of one listing happen one at a time.
  select * into listing from public.products p where p.id = member.product_id for update;
  if listing.seller_id <> me then
    perform private.fail('not_allowed', 'Only the seller can change this listing.');
  end if;
  perform private.check_not_blocked(me, member.other_user_id);
  if p_status = 'sold' and listing.status = 'sold' then
    perform private.fail('not_allowed', 'This listing is already sold.');
  elsif p_status = 'active' and listing.status = 'active' then
    perform private.fail('not_allowed', 'This listing is already available.');
  end if;
  perform private.check_deal_rate(me);
  perform private.lock_listing_conversations(listing.id);

  if p_status = 'sold' then
    -- Reserved for this buyer, the price is the one their accepted offer agreed (the reservation's
    -- offer: a listing takes no accept while reserved); otherwise the sale names no price.
    if listing.status = 'reserved' and listing.reserved_for = member.other_user_id then
      select * into agreed from public.offers o
       where o.product_id = listing.id and o.buyer_id = member.other_user_id and o.status = 'accepted'
       order by o.updated_at desc, o.id desc
       limit 1;
    end if;
    update public.products p set status = 'sold', sold_to = member.other_user_id, reserved_for = null where p.id = listing.id;
    perform private.close_offers_of(listing.id, member.other_user_id);
    perform private.decline_open_offers(listing.id, me);
    perform private.post_system_message(p_conversation_id, me,
      format('Sold to %s', private.display_name(member.other_user_id))
        || case when agreed.id is not null then format(' for %s', private.format_money(agreed.amount_cents, agreed.currency)) else '' end,
      jsonb_build_object('event', 'listing.sold', 'actor_id', me, 'buyer_id', member.other_user_id)
        || case when agreed.id is not null
                then jsonb_build_object('amount_cents', agreed.amount_cents, 'currency', agreed.currency)
                else '{}'::jsonb end);
    perform private.announce_to_listing(listing.id, me, p_conversation_id, 'Sold to another buyer',
      jsonb_build_object('event', 'listing.sold_elsewhere', 'actor_id', me, 'deal_conversation_id', p_conversation_id));
  else
    update public.products p set status = 'active', reserved_for = null, sold_to = null where p.id = listing.id;
    perform private.post_system_message(p_conversation_id, me, 'Available again',
      jsonb_build_object('event', 'listing.available', 'actor_id', me));
    perform private.announce_to_listing(listing.id, me, p_conversation_id, 'Available again',
      jsonb_build_object('event', 'listing.available', 'actor_id', me));
  end if;
  return private.product_summary_json(listing.id);
end;
$$;
revoke all on function public.set_listing_status(uuid, text) from public, anon, authenticated;
grant execute on function public.set_listing_status(uuid, text) to authenticated;

-- messaging_sale_withdraws_sellers_counter's system_body, naming counter-offers and a sale's price
-- as the sentences above do; otherwise unchanged:
--
-- The neutral sentence a system message or an offer card stores, written again from what it
-- records (its payload, its sender and the conversation's two members) with the names as they are
-- now, in the words its writers post it with; the stored body for anything else. For the account
-- erasure, which names a deleted member anew; no role may call it.
create or replace function private.system_body(message public.messages) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  p jsonb := message.payload;
  actor uuid;
  buyer uuid;
  other uuid;
  money text;
begin
  if p is null or message.kind = 'text' then
    return message.body;
  end if;
  if p ? 'amount_cents' and p ? 'currency' then
    money := private.format_money((p ->> 'amount_cents')::bigint, p ->> 'currency');
  end if;
  if message.kind = 'offer' then
    return case when money is null then message.body
                else btrim(format('%s %s %s', private.display_name(message.sender_id),
                                  private.offer_card_verb(message.sender_id, (p ->> 'offer_id')::uuid), money)) end;
  end if;
  actor := (p ->> 'actor_id')::uuid;
  buyer := (p ->> 'buyer_id')::uuid;
  select case when c.user_low = actor then c.user_high else c.user_low end into other
    from public.conversations c where c.id = message.conversation_id;
  return coalesce(btrim(case p ->> 'event'
    when 'offer.accepted' then
      case when money is not null then format('%s accepted %s''s %s of %s', private.display_name(actor), private.display_name(other),
                                              case when actor = buyer then 'counter-offer' else 'offer' end, money) end
    when 'offer.declined' then
      case when money is not null then format('%s declined %s''s %s of %s', private.display_name(actor), private.display_name(other),
                                              case when actor = buyer then 'counter-offer' else 'offer' end, money) end
    when 'offer.withdrawn' then
      case when money is not null then format('%s withdrew their %s of %s', private.display_name(actor),
                                              case when actor <> buyer then 'counter-offer' else 'offer' end, money) end
    when 'offer.countered' then
      case when money is not null then format('%s countered with %s', private.display_name(actor), money) end
    when 'offer.auto_declined' then
      case when money is null then null
           when (p ->> 'countered')::boolean then format('%s''s counter-offer of %s was withdrawn automatically', private.display_name(actor), money)
           when buyer is not null then format('%s''s offer of %s was declined automatically', private.display_name(buyer), money) end
    when 'listing.sold' then
      case when buyer is not null then format('Sold to %s', private.display_name(buyer)) || case when money is not null then format(' for %s', money) else '' end end
  end), message.body);
end;
$$;
revoke all on function private.system_body(public.messages) from public, anon, authenticated;

-- messaging_deal_says_who_acted's my_deal_on_listing, with sold_for; otherwise unchanged, grants
-- included:
--
-- The caller's deal with a listing: {offer, card_message_id, countered, closed_by,
-- reserved_for_you, sold_to_you, sold_for}. offer is their newest offer on it in any state (an Offer,
-- current: it is the offer itself) with its newest card's message id, or null. countered: the
-- amount on the table is the seller's counter (the newest card is the seller's), not the buyer's
-- own offer. closed_by, for a closed offer, who closed it as its conversation records it: 'buyer'
-- or 'seller' (an answer, or a block), 'listing' (declined because the listing went to another
-- buyer), or null (open, or retention purged the record). sold_for, when sold to them, the price
-- their accepted offer agreed ({amount_cents, currency}, as the sale's message in their
-- conversation records it), else null: sold without an offer accepted, or the record purged.
-- Null altogether when they have made no offer and the listing is neither reserved for them nor
-- sold to them. Signed-in users, their own deal only. Security definer: who a listing is reserved
-- for or sold to is no column users may read (marketplace_listing_reserved), and this compares
-- them with the caller; the rest is the caller's own offer and the messages of their own
-- conversation. One lookup of the product's key and one of offers_product_idx; for a closed
-- offer, its card by key and a short range of messages_thread_idx, and for a sale the newest end
-- of that range.
create or replace function public.my_deal_on_listing(p_product_id uuid) returns json
language sql
stable
security definer
set search_path = ''
as $$
  select json_build_object(
    'offer', case when o.id is not null then
      json_build_object('id', o.id, 'amount_cents', o.amount_cents, 'currency', o.currency::text, 'status', o.status,
                        'awaiting', o.awaiting, 'buyer_id', o.buyer_id, 'seller_id', o.seller_id, 'current', true) end,
    'card_message_id', o.card_message_id,
    'countered', coalesce(card.sender_id = o.seller_id, false),
    'closed_by', case when closing.payload ->> 'event' = 'offer.auto_declined' then 'listing'
                      when closing.payload ->> 'actor_id' = o.buyer_id::text then 'buyer'
                      when closing.payload ->> 'actor_id' = o.seller_id::text then 'seller' end,
    'reserved_for_you', coalesce(p.reserved_for = me.id, false),
    'sold_to_you', coalesce(p.sold_to = me.id, false),
    'sold_for', case when sale.payload ? 'amount_cents' and sale.payload ? 'currency' then
      json_build_object('amount_cents', (sale.payload ->> 'amount_cents')::integer, 'currency', sale.payload ->> 'currency') end)
    from (select private.current_user_id() as id) me
    left join public.products p on p.id = p_product_id
    left join lateral (
      select * from public.offers o
       where o.product_id = p_product_id and o.buyer_id = me.id
       order by o.created_at desc, o.id desc
       limit 1
    ) o on true
    left join public.messages card on card.id = o.card_message_id
    -- Whatever closes an offer sets its updated_at to now() and posts its system message in the
    -- same transaction, stamped later (clock_timestamp); the conversation's earlier offers were
    -- closed before this one was made. So the first offer event from updated_at on is this one's.
    left join lateral (
      select m.payload from public.messages m
       where m.conversation_id = o.conversation_id and m.created_at >= o.updated_at and m.kind = 'system'
         and m.payload ->> 'event' in ('offer.accepted', 'offer.declined', 'offer.withdrawn', 'offer.auto_declined')
       order by m.created_at, m.id
       limit 1
    ) closing on o.status <> 'open'
    -- A price is agreed only by an accepted offer, whose conversation this is; the newest sale
    -- here is the one that stands.
    left join lateral (
      select m.payload from public.messages m
       where m.conversation_id = o.conversation_id and m.kind = 'system' and m.payload ->> 'event' = 'listing.sold'
       order by m.created_at desc, m.id desc
       limit 1
    ) sale on p.sold_to = me.id
   where o.id is not null or p.reserved_for = me.id or p.sold_to = me.id
$$;
revoke all on function public.my_deal_on_listing(uuid) from public, anon, authenticated;
grant execute on function public.my_deal_on_listing(uuid) to authenticated;
