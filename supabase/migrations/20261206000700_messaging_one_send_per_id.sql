-- Idempotency keys hold one send each, and offers are in the listing's currency. Depends on
-- messaging_contact_masking (store_message), messaging_offer_rpcs and messaging_money_minor_units.
--
-- A message id sent again returned the stored message whatever the second call said: another
-- body, another conversation, another amount all "succeeded" and were dropped. A form restored
-- by the back button (its hidden id included) lost the next message that way while the page said
-- it was sent. Now a call that reuses an id for something else is refused (conflict), and only a
-- true retry gets the stored message. An offer's amount is typed in the currency the form names;
-- a currency other than the listing's was read as the listing's (10 "KWD" stored as EUR 100.00).
-- A body of only invisible characters (zero-width spaces, joiners, BOMs) is empty, as one of
-- only spaces is.

-- Whether a body has nothing to show: white space and invisible format characters only.
create function private.is_blank(body text) returns boolean
language sql
immutable
set search_path = ''
as $$
  select regexp_replace(coalesce(body, ''), '[[:space:]\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]', '', 'g') = ''
$$;
revoke all on function private.is_blank(text) from public, anon, authenticated;

-- messaging_messages' clean_body, with a body of invisible characters only refused as empty:
-- A message body as stored: whitespace trimmed at both ends, 1 to 4000 characters.
create or replace function private.clean_body(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text := regexp_replace(coalesce(body, ''), '^[[:space:]]+|[[:space:]]+$', '', 'g');
begin
  if private.is_blank(cleaned) then
    perform private.fail('body_empty', 'Write a message before sending.');
  end if;
  if char_length(cleaned) > 4000 then
    perform private.fail('body_too_long', format('Messages can be at most 4000 characters; this one has %s.', char_length(cleaned)));
  end if;
  return cleaned;
end;
$$;

-- The body a send stores: cleaned, or '' for photos sent without words.
create function private.body_to_store(body text, photos uuid[]) returns text
language sql
immutable
set search_path = ''
as $$
  select case when cardinality(photos) > 0 and private.is_blank(body) then '' else private.clean_body(body) end
$$;
revoke all on function private.body_to_store(text, uuid[]) from public, anon, authenticated;

-- Whether a message already stored is in the place a send names: the conversation by id, or
-- the one of (me, other, product).
create function private.is_same_place(stored public.messages, me uuid, conversation uuid, other uuid, product uuid) returns boolean
language sql
stable
set search_path = ''
as $$
  select case when conversation is not null then stored.conversation_id = conversation
              else exists (select from public.conversation_members m
                            where m.conversation_id = stored.conversation_id and m.user_id = me
                              and m.other_user_id = other and m.product_id is not distinct from product) end
$$;
revoke all on function private.is_same_place(public.messages, uuid, uuid, uuid, uuid) from public, anon, authenticated;

-- Refuses a send whose id is stored already unless it is that very send again: the caller's
-- text message, in the same place, with the same body, reply and photos. An edited or deleted
-- message is compared by place and reply only (its body and photos are no longer as sent).
create function private.check_resent(stored public.messages, me uuid, body text, conversation uuid, other uuid, product uuid, reply_to uuid, photos uuid[]) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if stored.sender_id <> me or stored.kind <> 'text' then
    perform private.fail('conflict', 'This message id is already taken.');
  end if;
  if not private.is_same_place(stored, me, conversation, other, product)
     -- A reply whose message was purged since has lost its link (on delete set null).
     or not coalesce(stored.reply_to_id = reply_to, stored.reply_to_id is null)
     or (stored.edited_at is null and stored.deleted_at is null
         and (stored.body <> private.body_to_store(body, photos)
              or array(select a.id from public.attachments a where a.message_id = stored.id order by a.position) <> photos)) then
    perform private.fail('conflict', 'This message id is already taken: a different message was sent with it. Send yours again.');
  end if;
end;
$$;
revoke all on function private.check_resent(public.messages, uuid, text, uuid, uuid, uuid, uuid, uuid[]) from public, anon, authenticated;

-- As check_resent, for an offer card: the caller's, in the same place, for the same amount.
create function private.check_offer_resent(stored public.messages, me uuid, amount_cents integer, conversation uuid, other uuid, product uuid) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if stored.sender_id <> me or stored.kind <> 'offer' then
    perform private.fail('conflict', 'This message id is already taken.');
  end if;
  if (stored.payload ->> 'amount_cents')::integer is distinct from amount_cents or not private.is_same_place(stored, me, conversation, other, product) then
    perform private.fail('conflict', 'This message id is already taken: a different offer was made with it. Make yours again.');
  end if;
end;
$$;
revoke all on function private.check_offer_resent(public.messages, uuid, integer, uuid, uuid, uuid) from public, anon, authenticated;

-- The currency an amount was typed in must be the listing's (null: the caller sent minor units
-- of the listing's currency, as the RPC always took them).
create function private.check_offer_currency(typed text, listing text) returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if typed is not null and typed is distinct from listing then
    perform private.fail('invalid_input', format('This listing is priced in %s; offer an amount in %s.', listing, listing));
  end if;
end;
$$;
revoke all on function private.check_offer_currency(text, text) from public, anon, authenticated;

-- messaging_offers' send_message (the storing step since messaging_contact_masking), with a
-- reused id checked by check_resent and the body by body_to_store; otherwise unchanged:
--
-- Sends a message as the signed-in caller, into p_conversation_id or into the conversation with
-- p_other_user_id about p_product_id, which the first message creates (concurrent first
-- sends create one conversation). p_id is the client's idempotency key: sending the same id
-- again returns the stored message, photos included, and writes nothing. Refuses non-members,
-- blocked pairs, bodies over 4000 characters or empty without photos, more than 6 photos or the
-- same one twice, photos that are not the caller's pending ones, and senders over the
-- per-minute limit. p_attachment_ids names up to 6 of the caller's pending attachments, linked
-- to the message in the order given; the body may then be empty.
create or replace function private.store_message(
  p_id uuid,
  p_body text,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null,
  p_reply_to_id uuid default null,
  p_attachment_ids uuid[] default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  existing public.messages;
  cleaned text;
  photos uuid[] := coalesce(p_attachment_ids, '{}');
  available integer;
  rendered jsonb := '[]'::jsonb;
  stored integer;
  linked integer;
  conversation uuid := p_conversation_id;
  other uuid := p_other_user_id;
  product uuid := p_product_id;
  place record;
  recent integer;
  settings public.messaging_settings;
  retention interval;
begin
  if p_id is null then
    perform private.fail('invalid_input', 'A message needs an id.');
  end if;
  select * into existing from public.messages m where m.id = p_id;
  if found then
    perform private.check_resent(existing, me, p_body, p_conversation_id, p_other_user_id, p_product_id, p_reply_to_id, photos);
    return private.message_json(p_id);
  end if;
  if cardinality(photos) > 6 then
    perform private.fail('invalid_input', format('You can attach at most 6 photos to a message; this one has %s.', cardinality(photos)));
  end if;
  if array_position(photos, null) is not null or (select count(distinct x) from unnest(photos) x) <> cardinality(photos) then
    perform private.fail('invalid_input', 'Attach each photo once.');
  end if;
  cleaned := private.body_to_store(p_body, photos);

  if conversation is not null then
    select m.other_user_id, m.product_id into other, product
      from private.membership(conversation, me) m;
  else
    select * into place from private.locate_conversation(me, other, product);
    conversation := place.conversation;
  end if;
  perform private.check_not_blocked(me, other);

  if p_reply_to_id is not null and (conversation is null or not exists (
       select from public.messages r where r.id = p_reply_to_id and r.conversation_id = conversation)) then
    perform private.fail('not_found', 'The message you are replying to is not in this conversation.');
  end if;

  select * into settings from public.messaging_settings;
  -- Reads at most the limit's number of the sender's newest index entries that count (not
  -- system messages: see check_send_rate).
  if settings.rate_limit_per_minute is not null then
    select count(*) into recent
      from (select from public.messages m
             where m.sender_id = me and m.created_at > now() - interval '1 minute' and m.kind <> 'system'
             limit settings.rate_limit_per_minute) r;
    if recent >= settings.rate_limit_per_minute then
      perform private.fail('rate_limited', format('You are sending messages too fast (at most %s a minute). Wait a moment and try again.', settings.rate_limit_per_minute));
    end if;
  end if;

  if cardinality(photos) > 0 then
    -- Locked until commit: a concurrent send naming one of them waits, then finds it taken.
    -- Rendered in the order given, as message_photos_json renders them once linked.
    select count(*), coalesce(jsonb_agg(a.photo order by a.place), '[]'::jsonb) into available, rendered
      from (select private.attachment_json(x) as photo, chosen.place
              from unnest(photos) with ordinality as chosen(id, place)
              join public.attachments x on x.id = chosen.id
             where x.uploader_id = me and x.message_id is null
               for update of x) a;
    if available <> cardinality(photos) then
      -- A retry of this very send that waited for the first attempt's commit: that one stored it.
      select * into existing from public.messages m where m.id = p_id;
      if found then
        perform private.check_resent(existing, me, p_body, p_conversation_id, p_other_user_id, p_product_id, p_reply_to_id, photos);
        return private.message_json(p_id);
      end if;
      perform private.fail('not_found', 'A photo you attached is no longer available; attach it again.');
    end if;
  end if;

  if conversation is null then
    insert into public.conversations (user_low, user_high, product_id, seller_id)
    values (least(me, other), greatest(me, other), product, place.seller)
    on conflict on constraint conversations_pair_product_key do nothing
    returning id into conversation;
    if conversation is null then
      -- Another first send won the race; its row is committed and visible to this statement.
      select c.id into conversation from public.conversations c
       where c.user_low = least(me, other) and c.user_high = greatest(me, other)
         and c.product_id is not distinct from product;
    end if;
    insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id)
    values (conversation, me, other, product), (conversation, other, me, product)
    on conflict do nothing;
  end if;

  select case p.tier when 'privileged' then settings.privileged_retention
                     when 'privileged_plus' then settings.privileged_plus_retention
                     else settings.free_retention end
    into retention
    from public.profiles p where p.id = me;

  -- One statement: after-row triggers fire at its end, when the photos are linked too; the
  -- message row holds its rendered photos from the start, so they never see it without them.
  with message as (
    insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, expires_at, attachments)
    values (p_id, conversation, me, cleaned, p_reply_to_id, now() + retention, rendered)
    on conflict (id) do nothing
    returning id
  ), photo as (
    update public.attachments a
       set message_id = message.id, position = chosen.position - 1
      from message, unnest(photos) with ordinality as chosen(id, position)
     where a.id = chosen.id and a.uploader_id = me and a.message_id is null
    returning a.id
  )
  select (select count(*) from message), (select count(*) from photo) into stored, linked;

  if stored = 0 then
    -- The same id arrived twice at once: the other call stored it.
    select * into existing from public.messages m where m.id = p_id;
    perform private.check_resent(existing, me, p_body, p_conversation_id, p_other_user_id, p_product_id, p_reply_to_id, photos);
  elsif linked <> cardinality(photos) then
    -- Cannot happen while the rows are locked; refuse (and roll back) rather than lose a photo.
    perform private.fail('not_found', 'A photo you attached is no longer available; attach it again.');
  end if;
  return private.message_json(p_id);
end;
$$;
revoke all on function private.store_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) from public, anon, authenticated;

-- messaging_offer_rpcs' make_offer, with p_currency (the currency the amount was typed in, which
-- must be the listing's) and a reused id checked by check_offer_resent; otherwise unchanged:
--
-- The signed-in buyer offers p_amount_cents (minor units of the listing's currency) for the
-- listing of p_conversation_id, or of the conversation with p_other_user_id (the seller) about
-- p_product_id, which the offer creates on first contact as a first message would. Returns the
-- offer card (the messages view's row, its offer open and awaiting the seller); both members get
-- it as message.created. p_id is the card's message id and the idempotency key: offering with
-- the same id again returns the stored card and writes nothing. Refuses non-members, a
-- conversation about no listing, the listing's seller, blocked pairs, a reserved or sold listing,
-- amounts outside 1 to 100,000,000, a second open offer of the buyer on the listing (conflict),
-- and senders over the per-minute limit (cards count as messages).
drop function public.make_offer(uuid, integer, uuid, uuid, uuid);
create function public.make_offer(
  p_id uuid,
  p_amount_cents integer,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null,
  p_currency text default null
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
    perform private.check_offer_resent(existing, me, p_amount_cents, p_conversation_id, p_other_user_id, p_product_id);
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
  perform private.check_offer_currency(p_currency, listing.currency);
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
    if found then
      perform private.check_offer_resent(existing, me, p_amount_cents, p_conversation_id, p_other_user_id, p_product_id);
      return private.message_json(p_id)::json;
    end if;
    perform private.fail('conflict', 'You already have an open offer on this listing. Withdraw or answer it before making a new one.');
  end;
  perform private.post_offer_card(p_id, offer, me);
  return private.message_json(p_id)::json;
end;
$$;
revoke all on function public.make_offer(uuid, integer, uuid, uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.make_offer(uuid, integer, uuid, uuid, uuid, text) to authenticated;

-- messaging_offer_rpcs' respond_to_offer, with p_currency for a counter (as make_offer's) and a
-- reused card id refused unless it is the same counter again; otherwise unchanged:
--
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
drop function public.respond_to_offer(uuid, text, integer, uuid);
create function public.respond_to_offer(p_offer_id uuid, p_action text, p_amount_cents integer default null, p_id uuid default null, p_currency text default null)
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
revoke all on function public.respond_to_offer(uuid, text, integer, uuid, text) from public, anon, authenticated;
grant execute on function public.respond_to_offer(uuid, text, integer, uuid, text) to authenticated;
