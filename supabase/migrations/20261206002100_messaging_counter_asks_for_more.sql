-- A counteroffer asks for more than the buyer's offer. Depends on messaging_counter_is_one_message
-- (respond_to_offer).
--
-- A seller could counter €35.00 with €35.00 (the buyer then "declined" their own price) or with
-- €20.00, a slip that sold the listing below what the buyer had offered once accepted. Both are
-- refused now (invalid_input), each with the sentence that says what to do instead.

-- messaging_counter_is_one_message's respond_to_offer, a counter refused unless above the offer;
-- otherwise unchanged.
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

  -- "<other>'s offer of <amount>": the amount on the table is the other side's newest card.
  about := format('%s''s offer of %s', private.display_name(other), private.format_money(offer.amount_cents, offer.currency));
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
