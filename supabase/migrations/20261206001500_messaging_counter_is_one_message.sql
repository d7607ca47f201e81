-- A counter-offer is one message, not two. Depends on messaging_offers (post_offer_card),
-- messaging_account_data (system_body) and messaging_one_send_per_id (respond_to_offer).
--
-- A counter posted a system message ("Lee countered with €85.00") and then the new card, whose
-- stored sentence said "Lee offered €85.00": one move counted 2 unread, and the card's own words
-- (for search, email digests and notifications) were wrong. The card now says "countered with"
-- itself, and the system message is no longer posted. Counters made before keep both.

-- How an offer card's stored sentence names its move: the listing's seller counters, the buyer
-- offers. Internal: post_offer_card and system_body.
create function private.offer_card_verb(author uuid, offer uuid) returns text
language sql
stable
set search_path = ''
as $$
  select case when exists (select from public.offers o where o.id = offer and o.seller_id = author)
              then 'countered with' else 'offered' end
$$;
revoke all on function private.offer_card_verb(uuid, uuid) from public, anon, authenticated;

-- messaging_offers' post_offer_card, its sentence from offer_card_verb; otherwise unchanged.
-- Posts the card of an offer's new amount (message id card, the client's idempotency key) as
-- the member who put it on the table. The offer row already names it as its newest card, so the
-- card's message.created event renders it current. Refuses an id taken by another message.
create or replace function private.post_offer_card(card uuid, offer public.offers, author uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
  values (card, offer.conversation_id, author, 'offer',
          format('%s %s %s', private.display_name(author), private.offer_card_verb(author, offer.id),
                 private.format_money(offer.amount_cents, offer.currency)),
          jsonb_build_object('offer_id', offer.id, 'amount_cents', offer.amount_cents, 'currency', offer.currency),
          now() + private.retention_of(author))
  on conflict (id) do nothing;
  if not found then
    perform private.fail('conflict', 'This message id is already taken.');
  end if;
end;
$$;
revoke all on function private.post_offer_card(uuid, public.offers, uuid) from public, anon, authenticated;

-- messaging_account_data's system_body, a counter card named as post_offer_card now names it;
-- otherwise unchanged.
-- The neutral sentence a system message or an offer card stores, written again from what it
-- records (its payload, its sender and the conversation's two members) with the names as they
-- are now, in the words messaging_offers, messaging_offer_rpcs and messaging_listing_status
-- post them with. The stored body for anything else (text, a sentence naming nobody, an event
-- or payload it does not know).
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
      case when money is not null then format('%s accepted %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.declined' then
      case when money is not null then format('%s declined %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.withdrawn' then
      case when money is not null then format('%s withdrew their offer of %s', private.display_name(actor), money) end
    when 'offer.countered' then
      case when money is not null then format('%s countered with %s', private.display_name(actor), money) end
    when 'offer.auto_declined' then
      case when money is not null and buyer is not null then format('%s''s offer of %s was declined automatically', private.display_name(buyer), money) end
    when 'listing.sold' then
      case when buyer is not null then format('Sold to %s', private.display_name(buyer)) end
  end), message.body);
end;
$$;
revoke all on function private.system_body(public.messages) from public, anon, authenticated;

-- messaging_one_send_per_id's respond_to_offer, a counter without its system message;
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
