-- Messaging offer RPCs: the buyer's offer (make_offer) and every answer to it (respond_to_offer:
-- accept, decline, counter, withdraw). Depends on messaging_offers (the table, cards, system
-- messages, limits, start_conversation) and messaging_listing_status (what accepting does to the
-- listing and its other conversations). The states, transitions and locking are described there.

-- An amount an offer may be: above zero, at most 100,000,000 minor units.
create function private.check_offer_amount(amount_cents integer, currency text) returns void
language plpgsql
set search_path = ''
as $$
begin
  if amount_cents is null or amount_cents < 1 then
    perform private.fail('invalid_input', 'An offer must be more than zero.');
  end if;
  if amount_cents > 100000000 then
    perform private.fail('invalid_input', format('Offers can be at most %s.', private.format_money(100000000, currency)));
  end if;
end;
$$;
revoke all on function private.check_offer_amount(integer, text) from public, anon, authenticated;

-- The signed-in buyer offers p_amount_cents (minor units of the listing's currency) for the
-- listing of p_conversation_id, or of the conversation with p_other_user_id (the seller) about
-- p_product_id, which the offer creates on first contact as a first message would. Returns the
-- offer card (the messages view's row, its offer open and awaiting the seller); both members get
-- it as message.created. p_id is the card's message id and the idempotency key: offering with
-- the same id again returns the stored card and writes nothing. Refuses non-members, a
-- conversation about no listing, the listing's seller, blocked pairs, a reserved or sold listing,
-- amounts outside 1 to 100,000,000, a second open offer of the buyer on the listing (conflict),
-- and senders over the per-minute limit (cards count as messages).
create function public.make_offer(
  p_id uuid,
  p_amount_cents integer,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null
)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  existing public.messages;
  conversation uuid := p_conversation_id;
  other uuid := p_other_user_id;
  product uuid := p_product_id;
  place record;
  listing public.products;
  offer public.offers;
begin
  if p_id is null then
    perform private.fail('invalid_input', 'An offer needs an id.');
  end if;
  select * into existing from public.messages m where m.id = p_id;
  if found then
    if existing.sender_id <> me or existing.kind <> 'offer' then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
    return private.message_json(p_id)::json;
  end if;

  if conversation is not null then
    select m.other_user_id, m.product_id into other, product
      from private.membership(conversation, me) m;
  else
    select * into place from private.locate_conversation(me, other, product);
    conversation := place.conversation;
  end if;
  if product is null then
    perform private.fail('not_allowed', 'Offers are made in a conversation about a listing.');
  end if;
  -- Key share: a change of the listing in progress (accept, sale, release: for update) is waited
  -- for and then seen, so no offer opens on a listing that was just reserved or sold.
  select * into listing from public.products p where p.id = product for key share;
  if listing.seller_id = me then
    perform private.fail('not_allowed', 'You can’t make an offer on your own listing.');
  end if;
  perform private.check_not_blocked(me, other);
  if listing.status = 'reserved' then
    perform private.fail('not_allowed', 'This listing is reserved.');
  elsif listing.status = 'sold' then
    perform private.fail('not_allowed', 'This listing is sold.');
  end if;
  perform private.check_offer_amount(p_amount_cents, listing.currency);
  perform private.check_send_rate(me);

  if conversation is null then
    conversation := private.start_conversation(me, other, product, listing.seller_id);
  end if;
  begin
    insert into public.offers (conversation_id, product_id, buyer_id, seller_id, amount_cents, currency, awaiting, card_message_id)
    values (conversation, product, me, listing.seller_id, p_amount_cents, listing.currency, 'seller', p_id)
    returning * into offer;
  exception when unique_violation then
    -- A retry of this very offer that waited for the first attempt's commit: that one stored it.
    select * into existing from public.messages m where m.id = p_id;
    if found and existing.sender_id = me and existing.kind = 'offer' then
      return private.message_json(p_id)::json;
    end if;
    perform private.fail('conflict', 'You already have an open offer on this listing. Withdraw or answer it before making a new one.');
  end;
  perform private.post_offer_card(p_id, offer, me);
  return private.message_json(p_id)::json;
end;
$$;
revoke all on function public.make_offer(uuid, integer, uuid, uuid, uuid) from public, anon, authenticated;
grant execute on function public.make_offer(uuid, integer, uuid, uuid, uuid) to authenticated;

-- Answers an open offer as its buyer or seller, and returns the offer's newest card as it is now.
-- p_action, by whose turn it is (offers.awaiting):
--   awaiting the seller: the seller accepts, declines or counters; the buyer withdraws
--   awaiting the buyer:  the buyer accepts or declines the seller's counter
-- Accept reserves the listing (messaging_listing_status); counter puts p_amount_cents on the table
-- as a new card with message id p_id (the idempotency key: countering with the same id again
-- returns that card) and awaits the buyer. Each answer posts a system message in the offer's
-- conversation, and every card of the offer reaches both members again as message.updated.
-- Refuses anyone but the offer's buyer and seller (not_found), answers out of turn or to a
-- closed offer (not_allowed, with a sentence saying why), accepting on a listing no longer active,
-- blocked pairs and callers over the per-minute limit.
create function public.respond_to_offer(p_offer_id uuid, p_action text, p_amount_cents integer default null, p_id uuid default null)
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
      if existing.sender_id = me and existing.kind = 'offer' and existing.payload ->> 'offer_id' = offer.id::text then
        return private.message_json(coalesce(offer.card_message_id, p_id))::json;
      end if;
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
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
    perform private.post_system_message(offer.conversation_id, me,
      format('%s countered with %s', private.display_name(me), private.format_money(p_amount_cents, offer.currency)),
      jsonb_build_object('event', 'offer.countered', 'actor_id', me, 'buyer_id', offer.buyer_id,
                         'amount_cents', p_amount_cents, 'currency', offer.currency));
    perform private.post_offer_card(p_id, offer, me);
    perform private.publish_offer_cards(offer.id, p_id);
  end if;
  return private.message_json((select o.card_message_id from public.offers o where o.id = p_offer_id))::json;
end;
$$;
revoke all on function public.respond_to_offer(uuid, text, integer, uuid) from public, anon, authenticated;
grant execute on function public.respond_to_offer(uuid, text, integer, uuid) to authenticated;
