-- Messaging offers: the table of offers, the payload messages carry (offer cards and system
-- messages), the messages view's new columns, and what every offer and listing RPC builds on:
-- the money formatter, posting system messages and cards, publishing a changed card, and the
-- per-minute limits. Depends on messaging_schema, messaging_rpc_helpers, messaging_messages,
-- messaging_message_edits, messaging_event_triggers (emit_message_event), messaging_attachments
-- (send_message, the preview triggers), messaging_reactions (the view), messaging_offer_kind and
-- marketplace_listing_reserved. The RPCs are in messaging_listing_status (set_listing_status and
-- what a change of a listing does to every conversation about it) and messaging_offer_rpcs
-- (make_offer, respond_to_offer).
--
-- An offer is made by the buyer of a conversation about a listing; while open it awaits one
-- side. Each amount put on the table is an offer card: a message of kind 'offer' whose payload
-- names its offer ({offer_id, amount_cents, currency}); the buyer's offer is the first card, a
-- seller's counter a new one. Every other transition is a system message (kind 'system',
-- payload {event, actor_id, buyer_id?, amount_cents?, currency?}, sent by the member who acted)
-- whose body is a neutral, complete sentence for previews, search and email. Cards and system
-- messages are messages: the insert triggers give them previews, unread counts and their
-- message.created event like any other. What changes later is the offer row, never the card:
-- each card of a changed offer is published again as message.updated, by the RPC that changed it.
--
-- Transitions (enforced by respond_to_offer; anything else is refused):
--   open, awaiting seller: seller accepts, declines or counters (a new card, awaiting buyer);
--                          buyer withdraws
--   open, awaiting buyer:  buyer accepts or declines
--   accepted, declined, withdrawn: final
-- Accepting reserves the listing; every other open offer on it is then declined.

create type public.offer_status as enum ('open', 'accepted', 'declined', 'withdrawn');

create table public.offers (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  product_id uuid not null references public.products (id) on delete cascade,
  buyer_id uuid not null references public.profiles (id) on delete cascade,
  seller_id uuid not null references public.profiles (id) on delete cascade,
  -- The amount on the table now (the newest card's), in minor units of the listing's currency
  -- when the offer was made.
  amount_cents integer not null check (amount_cents between 1 and 100000000),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  status public.offer_status not null default 'open',
  -- The side that may act next; null once closed.
  awaiting text check (awaiting in ('seller', 'buyer')),
  -- The newest card. Deferred: the RPCs write the offer first, so the card's own insert (and
  -- the event it publishes) already renders it as the current card. Set null if retention
  -- purges the card.
  card_message_id uuid references public.messages (id) on delete set null deferrable initially deferred,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint offers_awaiting_while_open check ((status = 'open') = (awaiting is not null)),
  constraint offers_between_two check (buyer_id <> seller_id)
);

comment on table public.offers is 'Offers on listings, made in conversations; written only by make_offer, respond_to_offer and set_listing_status.';

-- At most one open offer per buyer per listing; also the open offers of a listing, which
-- accepting or selling declines.
create unique index offers_one_open_per_buyer_idx on public.offers (product_id, buyer_id) where status = 'open';
-- Foreign keys: what deleting (or erasing) the referenced row cascades through.
create index offers_conversation_idx on public.offers (conversation_id);
create index offers_product_idx on public.offers (product_id);
create index offers_buyer_idx on public.offers (buyer_id);
create index offers_seller_idx on public.offers (seller_id);
create index offers_card_message_idx on public.offers (card_message_id) where card_message_id is not null;

alter table public.offers enable row level security;
revoke all on public.offers from anon, authenticated;
grant select on public.offers to authenticated;
grant all on public.offers to service_role;

-- The two members of an offer's conversation are its buyer and its seller: they read it.
-- Clients write only through the RPCs.
create policy "buyers and sellers read their offers"
  on public.offers for select to authenticated
  using ((select auth.uid()) in (buyer_id, seller_id));

-- An open offer whose newest card retention purged (purge_expired_messages; the foreign key sets
-- card_message_id null) is closed as declined: nothing shows it or offers its buttons any more,
-- and it would keep its buyer from offering again. Quietly, as the purge itself is.
create function private.close_offer_without_card() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.status := 'declined';
  new.awaiting := null;
  new.updated_at := now();
  return new;
end;
$$;
revoke all on function private.close_offer_without_card() from public, anon, authenticated;

create trigger offers_close_without_card
  before update of card_message_id on public.offers
  for each row when (new.card_message_id is null and old.card_message_id is not null and new.status = 'open')
  execute function private.close_offer_without_card();

-- What an offer card or a system message records (null for text); see the top of this file.
-- Nullable without a default: adding it rewrites no row. Clients have no write grant on messages.
alter table public.messages add column payload jsonb;

-- Text carries no payload; an offer card names its offer; a system message's is an object if any
-- (system messages written before offers existed have none). Added unvalidated, then validated:
-- validating takes no lock that stops readers and writers.
alter table public.messages add constraint messages_payload_by_kind check (
  case kind
    when 'text' then payload is null
    when 'offer' then jsonb_typeof(payload) = 'object' and (payload ->> 'offer_id') is not null
    else payload is null or jsonb_typeof(payload) = 'object'
  end
) not valid;
alter table public.messages validate constraint messages_payload_by_kind;

-- The cards of an offer: what is published again when the offer changes. Offer cards only.
create index messages_offer_cards_idx on public.messages (((payload ->> 'offer_id')::uuid)) where kind = 'offer';

-- The messages view gains the payload as stored and, for an offer card, its offer as it is now:
-- {id, amount_cents, currency, status, awaiting, buyer_id, seller_id, current}, current being
-- whether this card is the offer's newest (an older one was countered); null for other kinds.
-- One primary-key probe of offers per card. Otherwise as in messaging_reactions (columns are
-- only ever added at the end).
create or replace view public.messages_realtime_view with (security_invoker = true) as
select
  m.id,
  m.conversation_id,
  m.sender_id,
  s.username as sender_username,
  s.display_name as sender_display_name,
  s.avatar_url as sender_avatar_url,
  m.kind,
  m.body,
  m.reply_to_id,
  r.sender_id as reply_to_sender_id,
  case when r.deleted_at is not null then '' when r.body = '' then 'Photo' else left(r.body, 140) end as reply_to_preview,
  (r.deleted_at is not null) as reply_to_deleted,
  m.created_at,
  m.edited_at,
  m.deleted_at,
  c.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  case when m.deleted_at is null then m.attachments else '[]'::jsonb end as attachments,
  case when m.deleted_at is null then m.reactions else '[]'::jsonb end as reactions,
  m.payload,
  case when o.id is not null then jsonb_build_object(
    'id', o.id,
    'amount_cents', o.amount_cents,
    'currency', o.currency,
    'status', o.status,
    'awaiting', o.awaiting,
    'buyer_id', o.buyer_id,
    'seller_id', o.seller_id,
    'current', coalesce(o.card_message_id = m.id, false)
  ) end as offer
from public.messages m
join public.conversations c on c.id = m.conversation_id
join public.profiles s on s.id = m.sender_id
left join public.products p on p.id = c.product_id
left join public.messages r on r.id = m.reply_to_id
left join public.offers o on m.kind = 'offer' and o.id = (m.payload ->> 'offer_id')::uuid;

-- ---------------------------------------------------------------------------------------------
-- Wording and posting
-- ---------------------------------------------------------------------------------------------

-- An amount in minor units as system messages write it: €, $ or £ for EUR, USD and GBP, else
-- the code and a space; thousands separated by commas, always two decimals ("€1,200.00",
-- "CHF 120.50"). Internal.
create function private.format_money(amount_cents bigint, currency text) returns text
language sql
immutable
set search_path = ''
as $$
  select case upper(currency) when 'EUR' then '€' when 'USD' then '$' when 'GBP' then '£' else upper(currency) || ' ' end
         || to_char(amount_cents / 100.0, 'FM999,999,999,999,990.00')
$$;
revoke all on function private.format_money(bigint, text) from public, anon, authenticated;

-- A user's name as sentences use it.
create function private.display_name(member uuid) returns text
language sql
stable
set search_path = ''
as $$
  select p.display_name from public.profiles p where p.id = member
$$;
revoke all on function private.display_name(uuid) from public, anon, authenticated;

-- How long a message of this sender's is kept (their tier's retention, as send_message decides).
create function private.retention_of(sender uuid) returns interval
language sql
stable
set search_path = ''
as $$
  select case p.tier when 'privileged' then s.privileged_retention
                     when 'privileged_plus' then s.privileged_plus_retention
                     else s.free_retention end
    from public.profiles p cross join public.messaging_settings s
   where p.id = sender
$$;
revoke all on function private.retention_of(uuid) from public, anon, authenticated;

-- Posts a system message into a conversation as the member who acted; returns its id. Its
-- insert triggers update the previews and publish message.created to both members.
create function private.post_system_message(conversation uuid, actor uuid, body text, payload jsonb) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  posted uuid := gen_random_uuid();
begin
  insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
  values (posted, conversation, actor, 'system', body, payload, now() + private.retention_of(actor));
  return posted;
end;
$$;
revoke all on function private.post_system_message(uuid, uuid, text, jsonb) from public, anon, authenticated;

-- Posts the card of an offer's new amount (message id card, the client's idempotency key) as
-- the member who put it on the table. The offer row already names it as its newest card, so the
-- card's message.created event renders it current. Refuses an id taken by another message.
create function private.post_offer_card(card uuid, offer public.offers, author uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
  values (card, offer.conversation_id, author, 'offer',
          format('%s offered %s', private.display_name(author), private.format_money(offer.amount_cents, offer.currency)),
          jsonb_build_object('offer_id', offer.id, 'amount_cents', offer.amount_cents, 'currency', offer.currency),
          now() + private.retention_of(author))
  on conflict (id) do nothing;
  if not found then
    perform private.fail('conflict', 'This message id is already taken.');
  end if;
end;
$$;
revoke all on function private.post_offer_card(uuid, public.offers, uuid) from public, anon, authenticated;

-- Publishes every card of an offer whose state changed as message.updated to both members (one
-- event per card), except `skip` (a card just posted: its message.created already carries it).
-- Called after the change's messages are inserted: inserting locks the conversation row before
-- the event counters, as every sender does, so publishing last keeps that order.
create function private.publish_offer_cards(offer uuid, skip uuid default null) returns void
language plpgsql
set search_path = ''
as $$
declare
  card record;
begin
  for card in
    select m.id, m.conversation_id from public.messages m
     where m.kind = 'offer' and (m.payload ->> 'offer_id')::uuid = offer
     order by m.created_at, m.id
  loop
    if card.id is distinct from skip then
      perform private.emit_message_event('message.updated', card.id, card.conversation_id);
    end if;
  end loop;
end;
$$;
revoke all on function private.publish_offer_cards(uuid, uuid) from public, anon, authenticated;

-- The listing as open_conversation returns it (ProductSummary).
create function private.product_summary_json(product uuid) returns json
language sql
stable
set search_path = ''
as $$
  select json_build_object('id', p.id, 'title', p.title, 'price_cents', p.price_cents, 'currency', p.currency::text,
                           'image_url', p.image_url, 'status', p.status, 'seller_id', p.seller_id)
    from public.products p where p.id = product
$$;
revoke all on function private.product_summary_json(uuid) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Limits
-- ---------------------------------------------------------------------------------------------

-- The per-minute limit on what a member sends (messaging_settings.rate_limit_per_minute): their
-- texts and offer cards. System messages do not count: accepting an offer or selling posts one
-- into every conversation about the listing, as the seller, and a popular listing would
-- otherwise stop its seller writing for a minute. Reads at most the limit's number of the
-- sender's newest index entries that count.
create function private.check_send_rate(me uuid) returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  per_minute integer := (select s.rate_limit_per_minute from public.messaging_settings s);
  recent integer;
begin
  if per_minute is null then
    return;
  end if;
  select count(*) into recent
    from (select from public.messages m
           where m.sender_id = me and m.created_at > now() - interval '1 minute' and m.kind <> 'system'
           limit per_minute) r;
  if recent >= per_minute then
    perform private.fail('rate_limited', format('You are sending messages too fast (at most %s a minute). Wait a moment and try again.', per_minute));
  end if;
end;
$$;
revoke all on function private.check_send_rate(uuid) from public, anon, authenticated;

-- Every answer to an offer and every change of a listing's status, kept for a minute: what the
-- per-minute limit on them counts (most post only system messages, which check_send_rate leaves
-- out). Internal.
create table private.deal_actions (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  acted_at timestamptz not null default clock_timestamp()
);
create index deal_actions_user_idx on private.deal_actions (user_id, acted_at);
revoke all on private.deal_actions from public, anon, authenticated;

-- Counts one deal action of the caller, refusing it over the per-minute limit (the same setting
-- as sending; off when it is null).
create function private.check_deal_rate(me uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  per_minute integer := (select s.rate_limit_per_minute from public.messaging_settings s);
  recent integer;
begin
  if per_minute is null then
    return;
  end if;
  delete from private.deal_actions a where a.user_id = me and a.acted_at <= now() - interval '1 minute';
  select count(*) into recent from (select from private.deal_actions a where a.user_id = me limit per_minute) r;
  if recent >= per_minute then
    perform private.fail('rate_limited', format('You are answering offers and changing listings too fast (at most %s a minute). Wait a moment and try again.', per_minute));
  end if;
  insert into private.deal_actions (user_id) values (me);
end;
$$;
revoke all on function private.check_deal_rate(uuid) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- What changes for messages that already existed
-- ---------------------------------------------------------------------------------------------

-- messaging_attachments' insert trigger, with system messages treated as news rather than as
-- their sender writing: a system message counts as unread for the other member (and brings the
-- conversation back from their archive) like any message, but leaves its sender's read position
-- and unread count alone. A seller accepting an offer posts one into every conversation about
-- the listing; moving their read position there would mark unread questions of other buyers as
-- read (and show those buyers "Seen"). Otherwise unchanged.
create or replace function private.on_message_inserted() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  writes boolean := new.kind <> 'system';
begin
  update public.conversations c
     set last_message_id = new.id,
         last_message_at = new.created_at,
         last_message_preview = private.message_preview(new.body, new.deleted_at is not null),
         last_message_sender_id = new.sender_id,
         last_message_deleted = false
   where c.id = new.conversation_id
     and (c.last_message_at is null or private.precedes(c.last_message_at, c.last_message_id, new.created_at, new.id));

  -- The sender's position moves only forward: a message from the other side that committed
  -- first with a later timestamp stays unread.
  update public.conversation_members m
     set last_message_at = greatest(m.last_message_at, new.created_at),
         unread_count = case
           when m.user_id <> new.sender_id then m.unread_count + 1
           when writes and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id))
             then (select count(*) from public.messages x
                    where x.conversation_id = new.conversation_id and x.sender_id <> new.sender_id and x.deleted_at is null
                      and private.precedes(new.created_at, new.id, x.created_at, x.id))
           else m.unread_count end,
         archived_at = case when m.user_id = new.sender_id then m.archived_at else null end,
         last_read_at = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.created_at
           else m.last_read_at end,
         last_read_message_id = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.id
           else m.last_read_message_id end
   where m.conversation_id = new.conversation_id;
  return null;
end;
$$;

-- messaging_message_edits' own_message, saying why offer cards and system messages cannot be
-- edited or deleted (they record the deal). The caller's own text message, locked for editing
-- or deleting; edit_message and delete_message call it.
create or replace function private.own_message(message uuid, me uuid) returns public.messages
language plpgsql
set search_path = ''
as $$
declare
  found_message public.messages;
begin
  found_message := private.visible_message(message, me, true);
  if found_message.kind <> 'text' then
    perform private.fail('not_allowed', 'Offers and updates about the listing can’t be edited or deleted.');
  end if;
  if found_message.sender_id <> me then
    perform private.fail('not_allowed', 'You can only change your own messages.');
  end if;
  return found_message;
end;
$$;

-- messaging_messages' locate_conversation, letting buyers start a conversation about a reserved
-- listing too (it is still on show, and may come back); a sold one stays its seller's business.
-- Otherwise unchanged:
--
-- Finds the conversation of (me, other, product) without creating it; checks that it could
-- exist: the other user exists and is not me, and a product conversation includes its seller.
-- Returns the seller id (null for a general conversation) and the conversation id if any.
create or replace function private.locate_conversation(me uuid, other uuid, product uuid, out seller uuid, out conversation uuid)
language plpgsql
stable
set search_path = ''
as $$
begin
  if other is null then
    perform private.fail('invalid_input', 'Choose who to message.');
  end if;
  if other = me then
    perform private.fail('self_conversation', 'You can’t message yourself.');
  end if;
  if not exists (select from public.profiles p where p.id = other) then
    perform private.fail('not_found', 'This user does not exist.');
  end if;
  if product is not null then
    select p.seller_id into seller from public.products p where p.id = product;
    if not found then
      perform private.fail('not_found', 'This product does not exist.');
    end if;
    if seller not in (me, other) then
      perform private.fail('product_seller_mismatch', 'A conversation about a product must include its seller.');
    end if;
  end if;
  -- Two branches rather than "is not distinct from", which the unique key cannot serve.
  if product is null then
    select c.id into conversation from public.conversations c
     where c.user_low = least(me, other) and c.user_high = greatest(me, other) and c.product_id is null;
  else
    select c.id into conversation from public.conversations c
     where c.user_low = least(me, other) and c.user_high = greatest(me, other) and c.product_id = product;
  end if;
  -- A sold product is its seller's business: nobody else starts a conversation about it
  -- (or learns its details through one); existing conversations carry on.
  if conversation is null and product is not null and seller <> me
     and not exists (select from public.products p where p.id = product and p.status in ('active', 'reserved')) then
    perform private.fail('not_found', 'This product is no longer available.');
  end if;
end;
$$;

-- Creates the conversation of (me, other, product) with its two members, or finds the one a
-- concurrent first message created; returns its id. As send_message does on a first message.
create function private.start_conversation(me uuid, other uuid, product uuid, seller uuid) returns uuid
language plpgsql
set search_path = ''
as $$
declare
  conversation uuid;
begin
  insert into public.conversations (user_low, user_high, product_id, seller_id)
  values (least(me, other), greatest(me, other), product, seller)
  on conflict on constraint conversations_pair_product_key do nothing
  returning id into conversation;
  if conversation is null then
    -- Another first message won the race; its row is committed and visible to this statement.
    select c.id into conversation from public.conversations c
     where c.user_low = least(me, other) and c.user_high = greatest(me, other)
       and c.product_id is not distinct from product;
  end if;
  insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id)
  values (conversation, me, other, product), (conversation, other, me, product)
  on conflict do nothing;
  return conversation;
end;
$$;
revoke all on function private.start_conversation(uuid, uuid, uuid, uuid) from public, anon, authenticated;

-- messaging_attachments' send_message, with system messages left out of the per-minute limit
-- (see check_send_rate); otherwise unchanged, grants included:
--
-- Sends a message as the signed-in caller, into p_conversation_id or into the conversation with
-- p_other_user_id about p_product_id, which the first message creates (concurrent first
-- sends create one conversation). p_id is the client's idempotency key: sending the same id
-- again returns the stored message, photos included, and writes nothing. Refuses non-members,
-- blocked pairs, bodies over 4000 characters or empty without photos, more than 6 photos or the
-- same one twice, photos that are not the caller's pending ones, and senders over the
-- per-minute limit. p_attachment_ids names up to 6 of the caller's pending attachments, linked
-- to the message in the order given; the body may then be empty.
create or replace function public.send_message(
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
    if existing.sender_id <> me then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
    return private.message_json(p_id);
  end if;
  if cardinality(photos) > 6 then
    perform private.fail('invalid_input', format('You can attach at most 6 photos to a message; this one has %s.', cardinality(photos)));
  end if;
  if array_position(photos, null) is not null or (select count(distinct x) from unnest(photos) x) <> cardinality(photos) then
    perform private.fail('invalid_input', 'Attach each photo once.');
  end if;
  if cardinality(photos) > 0 and regexp_replace(coalesce(p_body, ''), '^[[:space:]]+|[[:space:]]+$', '', 'g') = '' then
    cleaned := '';
  else
    cleaned := private.clean_body(p_body);
  end if;

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
      if found and existing.sender_id = me then
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
    if existing.sender_id <> me then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
  elsif linked <> cardinality(photos) then
    -- Cannot happen while the rows are locked; refuse (and roll back) rather than lose a photo.
    perform private.fail('not_found', 'A photo you attached is no longer available; attach it again.');
  end if;
  return private.message_json(p_id);
end;
$$;
