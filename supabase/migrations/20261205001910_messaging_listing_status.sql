-- Messaging listing status: what a change of a listing's status does to every conversation about
-- it, and set_listing_status, the seller's "sold to this buyer" and "available again". Accepting
-- an offer (respond_to_offer, messaging_offer_rpcs) reserves the listing through the same
-- helpers. Depends on messaging_offers (posting, limits, product_summary_json) and
-- marketplace_listing_reserved (products.reserved_for, sold_to).
--
-- A listing is active, reserved (for the buyer whose offer was accepted) or sold (to the buyer
-- the seller named). Each change is one transaction that also tells everyone concerned, as
-- system messages (so previews, unread counts and message.created events follow as for any
-- message, each pushed preview carrying the new product_status):
--   reserve (accept):   "<actor> accepted <other>'s offer of <amount>" in the offer's conversation;
--                       "Reserved for another buyer" in every other one; open offers declined
--   sold (seller):      "Sold to <buyer>" here, "Sold to another buyer" elsewhere; open offers declined
--   release (seller):   "Available again" in every conversation about it
-- Messages in other conversations are posted as the seller (a member of every conversation about
-- the listing) and never name the buyer or the amount: other buyers learn only that it went.
--
-- Concurrency. Whoever changes a listing locks its product row for update first; make_offer and
-- the other answers to offers take a key-share lock on it, so they wait for a change in progress
-- and then see it (no offer opens on a listing just reserved; of two accepts on one listing the
-- second finds it reserved and its own offer declined). Then lock_listing_conversations takes,
-- before anything is written, every row the change's messages and events will write, in the
-- order every sender takes them (conversation rows, member rows, event counters by user id), so
-- a change touching many conversations cannot deadlock with messages sent meanwhile.

-- Locks, in order, the conversations about a listing (by id), their members' rows, and the
-- event counters of everyone in them (by user id, created if missing), until commit. Called
-- after the listing's own row is locked for update, which also keeps new conversations about it
-- from starting (their foreign key needs a share lock on it) until the change commits.
create function private.lock_listing_conversations(product uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  conversations uuid[];
  users uuid[];
begin
  select coalesce(array_agg(c.id order by c.id), '{}') into conversations
    from public.conversations c where c.product_id = product;
  perform from public.conversations c where c.id = any(conversations) order by c.id for update;
  perform from public.conversation_members m where m.conversation_id = any(conversations)
    order by m.conversation_id, m.user_id for update;
  select coalesce(array_agg(distinct m.user_id), '{}') into users
    from public.conversation_members m where m.conversation_id = any(conversations);
  insert into public.messaging_event_counters (user_id)
  select u.id from unnest(users) as u(id) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters e where e.user_id = any(users) order by e.user_id for update;
end;
$$;
revoke all on function private.lock_listing_conversations(uuid) from public, anon, authenticated;

-- Declines every open offer on a listing that was just reserved or sold: each gets an
-- 'offer.auto_declined' system message in its conversation, posted as the seller, and its cards
-- are published again. After lock_listing_conversations.
create function private.decline_open_offers(product uuid, seller uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  declined public.offers;
begin
  for declined in
    select * from public.offers o where o.product_id = product and o.status = 'open' order by o.id
  loop
    update public.offers o set status = 'declined', awaiting = null, updated_at = now() where o.id = declined.id;
    perform private.post_system_message(
      declined.conversation_id, seller,
      format('%s''s offer of %s was declined automatically',
             private.display_name(declined.buyer_id), private.format_money(declined.amount_cents, declined.currency)),
      jsonb_build_object('event', 'offer.auto_declined', 'actor_id', seller, 'buyer_id', declined.buyer_id,
                         'amount_cents', declined.amount_cents, 'currency', declined.currency));
    perform private.publish_offer_cards(declined.id);
  end loop;
end;
$$;
revoke all on function private.decline_open_offers(uuid, uuid) from public, anon, authenticated;

-- Posts the same system message, as the seller, into every conversation about a listing except
-- `here` (null: into all of them), oldest conversation first. One statement; each message's
-- insert triggers update that conversation's previews and publish it to both members. After
-- lock_listing_conversations.
create function private.announce_to_listing(product uuid, seller uuid, here uuid, body text, payload jsonb) returns void
language sql
set search_path = ''
as $$
  insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
  select gen_random_uuid(), c.id, seller, 'system', body, payload, now() + private.retention_of(seller)
    from public.conversations c
   where c.product_id = product and c.id is distinct from here
   order by c.created_at, c.id
$$;
revoke all on function private.announce_to_listing(uuid, uuid, uuid, text, jsonb) from public, anon, authenticated;

-- Reserves a listing for the buyer of an accepted offer and tells the other conversations about
-- it: their open offers declined, then "Reserved for another buyer". The caller (respond_to_offer)
-- holds the listing's lock, has called lock_listing_conversations, and posts the acceptance in
-- the offer's own conversation after this, so its preview already carries 'reserved'.
create function private.reserve_listing(offer public.offers) returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.products p set status = 'reserved', reserved_for = offer.buyer_id, sold_to = null where p.id = offer.product_id;
  perform private.decline_open_offers(offer.product_id, offer.seller_id);
  perform private.announce_to_listing(offer.product_id, offer.seller_id, offer.conversation_id, 'Reserved for another buyer',
    jsonb_build_object('event', 'listing.reserved_elsewhere', 'actor_id', offer.seller_id));
end;
$$;
revoke all on function private.reserve_listing(public.offers) from public, anon, authenticated;

-- The seller of the listing a conversation is about marks it sold to that conversation's buyer
-- (p_status 'sold', from active or reserved) or available again (p_status 'active', from
-- reserved or sold), and every conversation about it is told (see the top of this file); open
-- offers are declined on a sale. Returns the listing as open_conversation does (ProductSummary).
-- Members of the conversation only (not_member); then only its seller (not_allowed), not between
-- blocked members, within the per-minute limit, and only a change (marking a sold listing sold,
-- or an active one available, is not_allowed).
create function public.set_listing_status(p_conversation_id uuid, p_status text)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members;
  listing public.products;
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
    update public.products p set status = 'sold', sold_to = member.other_user_id, reserved_for = null where p.id = listing.id;
    perform private.decline_open_offers(listing.id, me);
    perform private.post_system_message(p_conversation_id, me, format('Sold to %s', private.display_name(member.other_user_id)),
      jsonb_build_object('event', 'listing.sold', 'actor_id', me, 'buyer_id', member.other_user_id));
    perform private.announce_to_listing(listing.id, me, p_conversation_id, 'Sold to another buyer',
      jsonb_build_object('event', 'listing.sold_elsewhere', 'actor_id', me));
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
