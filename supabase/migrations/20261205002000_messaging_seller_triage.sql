-- Seller triage: the "Needs reply" and "About this listing" inbox filters, quick replies, and
-- how fast a seller usually answers. Depends on messaging_inbox (the preview rows and
-- list_conversation_previews, replaced here), messaging_offers (message kinds) and
-- messaging_rpc_helpers.

-- ---------------------------------------------------------------------------------------------
-- Who owes a reply
-- ---------------------------------------------------------------------------------------------

-- Since when the member owes the other a reply: the first of the other's messages (text or
-- offer) after the member last wrote or acted on an offer; null when nothing is owed. Updates
-- about the listing are news, not questions (see track_awaiting_reply).
alter table public.conversation_members add column awaiting_reply_since timestamptz;

update public.conversation_members m
   set awaiting_reply_since = (
     select min(x.created_at) from public.messages x
      where x.conversation_id = m.conversation_id and x.sender_id = m.other_user_id
        and x.kind <> 'system' and x.deleted_at is null
        and x.created_at > coalesce((select max(y.created_at) from public.messages y
                                      where y.conversation_id = m.conversation_id and y.sender_id = m.user_id
                                        and y.kind <> 'system'), '-infinity'));

-- The "Needs reply" filter's range scan; unarchived only, as in every other filter but Archived.
create index conversation_members_needs_reply_idx on public.conversation_members
  (user_id, last_message_at desc, conversation_id desc) where awaiting_reply_since is not null and archived_at is null;
-- The "About this listing" filter's range scan: one product's conversations of a member.
create index conversation_members_listing_idx on public.conversation_members
  (user_id, product_id, last_message_at desc, conversation_id desc) where product_id is not null;

-- A seller's first replies to buyers (the first message of the seller's after a buyer's
-- unanswered ones), what the response-time badge is computed from. Kept 30 days.
create table private.first_replies (
  user_id uuid not null references public.profiles (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  asked_at timestamptz not null,
  replied_at timestamptz not null
);
create index first_replies_user_idx on private.first_replies (user_id, replied_at);
create index first_replies_conversation_idx on private.first_replies (conversation_id);
revoke all on private.first_replies from public, anon, authenticated;

-- Keeps awaiting_reply_since of both members current as a message arrives, and records the
-- sender's first reply when they answer a buyer about their own listing. A text or an offer
-- asks the other member for a reply and answers the sender's debt; a member's own move on an
-- offer in this conversation (accepting, declining, withdrawing it, or selling to this buyer)
-- answers too but asks nothing; news from elsewhere (reserved or sold to someone else, offers
-- declined with it, available again) does neither. Named to fire after the preview triggers
-- (messages_after_*) and before messages_publish, so the pushed preview says who owes a reply.
create function private.track_awaiting_reply() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  asks boolean := new.kind <> 'system';
  owed_since timestamptz;
begin
  -- The self-join reads each row as it was before this update: the sender's wait, if any.
  with changed as (
    update public.conversation_members m
       set awaiting_reply_since = case when m.user_id = new.sender_id then null
                                       else coalesce(m.awaiting_reply_since, new.created_at) end
      from public.conversation_members prior
     where m.conversation_id = new.conversation_id
       and prior.conversation_id = m.conversation_id and prior.user_id = m.user_id
       -- The sender's row only changes when a reply was owed; the other's only when none was and this asks.
       and (case when m.user_id = new.sender_id then m.awaiting_reply_since is not null
                 else asks and m.awaiting_reply_since is null end)
    returning m.user_id, prior.awaiting_reply_since as was
  )
  select c.was into owed_since from changed c where c.user_id = new.sender_id;

  if owed_since is not null
     and exists (select from public.conversations c where c.id = new.conversation_id and c.seller_id = new.sender_id) then
    delete from private.first_replies r where r.user_id = new.sender_id and r.replied_at < now() - interval '30 days';
    insert into private.first_replies (user_id, conversation_id, asked_at, replied_at)
    values (new.sender_id, new.conversation_id, owed_since, new.created_at);
  end if;
  return null;
end;
$$;
revoke all on function private.track_awaiting_reply() from public, anon, authenticated;

create trigger messages_awaiting_reply
  after insert on public.messages
  for each row when (new.kind <> 'system'
                     or new.payload ->> 'event' in ('offer.accepted', 'offer.declined', 'offer.withdrawn', 'listing.sold'))
  execute function private.track_awaiting_reply();

-- How fast a seller usually answers a buyer: the median time to the first reply over the last
-- 30 days, with conversations still waiting counted at their wait so far (ignoring buyers
-- never looks fast). Null until there are 5 replies to go on. Anyone may ask, signed in or
-- not: it says nothing about any one conversation.
create function public.seller_response_time(p_seller_id uuid) returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  with answered as (
    select extract(epoch from r.replied_at - r.asked_at) as seconds
      from private.first_replies r
     where r.user_id = p_seller_id and r.replied_at > now() - interval '30 days'
  ), waiting as (
    select extract(epoch from now() - m.awaiting_reply_since) as seconds
      from public.conversation_members m
      join public.conversations c on c.id = m.conversation_id and c.seller_id = p_seller_id
     where m.user_id = p_seller_id and m.awaiting_reply_since is not null and m.archived_at is null
       and m.awaiting_reply_since > now() - interval '30 days'
  ), samples as (
    select seconds from answered union all select seconds from waiting
  )
  select case when (select count(*) from answered) >= 5 then
           jsonb_build_object('median_seconds', round(percentile_cont(0.5) within group (order by s.seconds))::integer,
                              'replies', count(*))
         end
    from samples s
$$;
comment on function public.seller_response_time(uuid) is
  'The median seconds a seller takes to first reply to a buyer (last 30 days, waiting conversations included); null with fewer than 5 replies.';
revoke all on function public.seller_response_time(uuid) from public, anon, authenticated;
grant execute on function public.seller_response_time(uuid) to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- The inbox, with the new filters
-- ---------------------------------------------------------------------------------------------

-- The kind of the conversation's last message, so the inbox can tell an update about the listing
-- from something a member wrote without reading messages. Set whenever last_message_id changes
-- (a new message, or the purge moving it back), from the message row itself.
alter table public.conversations add column last_message_kind public.message_kind;
update public.conversations c set last_message_kind = m.kind from public.messages m where m.id = c.last_message_id;

create function private.keep_last_message_kind() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.last_message_kind := (select m.kind from public.messages m where m.id = new.last_message_id);
  return new;
end;
$$;
revoke all on function private.keep_last_message_kind() from public, anon, authenticated;

create trigger conversations_last_message_kind
  before insert or update of last_message_id on public.conversations
  for each row execute function private.keep_last_message_kind();

-- messaging_inbox's preview rows with two columns more: the kind of the last message (an
-- update about the listing is not "You: …") and whether the member owes a reply.
create or replace view private.conversation_preview_rows with (security_invoker = true) as
select
  m.user_id,
  m.conversation_id,
  m.other_user_id,
  o.username as other_username,
  o.display_name as other_display_name,
  o.avatar_url as other_avatar_url,
  m.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  p.status::text as product_status,
  c.last_message_id,
  m.last_message_at,
  c.last_message_preview,
  c.last_message_sender_id,
  c.last_message_deleted,
  m.unread_count,
  m.archived_at is not null as archived,
  m.muted_until,
  om.last_read_at as other_last_read_at,
  c.last_message_kind,
  m.awaiting_reply_since is not null as needs_reply
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;

drop function public.list_conversation_previews(text, timestamptz, uuid, integer);

-- The caller's inbox, newest activity first: 'all' (not archived), 'unread', 'needs_reply'
-- (the other member wrote last and is waiting), 'archived', or 'listing' (every conversation
-- about p_product_id, archived ones too). Signed-in users; each sees only the conversations
-- they are a member of. Each filter is one range scan of its index on conversation_members for
-- the page's ids, then one join of those ids with the preview rows: both plans are right as
-- generic plans, so PL/pgSQL's plan cache plans them once per connection rather than per call.
create function public.list_conversation_previews(
  p_filter text default 'all',
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 30,
  p_product_id uuid default null
)
returns table (
  conversation_id uuid,
  other_user_id uuid,
  other_username text,
  other_display_name text,
  other_avatar_url text,
  product_id uuid,
  product_title text,
  product_price_cents integer,
  product_currency text,
  product_image_url text,
  product_status text,
  last_message_id uuid,
  last_message_at timestamptz,
  last_message_preview text,
  last_message_sender_id uuid,
  last_message_deleted boolean,
  unread_count integer,
  archived boolean,
  muted_until timestamptz,
  other_last_read_at timestamptz,
  last_message_kind text,
  needs_reply boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 30), 1), 100);
  members uuid[];
begin
  if p_filter is null or p_filter not in ('all', 'unread', 'needs_reply', 'archived', 'listing') then
    perform private.fail('invalid_input', 'The inbox filter must be all, unread, needs_reply, archived or listing.');
  end if;
  if p_filter = 'listing' and p_product_id is null then
    perform private.fail('invalid_input', 'Choose the listing to show conversations about.');
  end if;

  if p_filter = 'all' then
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.archived_at is null
               and private.precedes(m.last_message_at, m.conversation_id, before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  elsif p_filter = 'unread' then
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.unread_count > 0 and m.archived_at is null
               and private.precedes(m.last_message_at, m.conversation_id, before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  elsif p_filter = 'needs_reply' then
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.awaiting_reply_since is not null and m.archived_at is null
               and private.precedes(m.last_message_at, m.conversation_id, before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  elsif p_filter = 'listing' then
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.product_id = p_product_id
               and private.precedes(m.last_message_at, m.conversation_id, before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  else
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.archived_at is not null
               and private.precedes(m.last_message_at, m.conversation_id, before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  end if;

  return query
  select v.conversation_id, v.other_user_id, v.other_username, v.other_display_name, v.other_avatar_url,
         v.product_id, v.product_title, v.product_price_cents, v.product_currency, v.product_image_url, v.product_status,
         v.last_message_id, v.last_message_at, v.last_message_preview, v.last_message_sender_id, v.last_message_deleted,
         v.unread_count, v.archived, v.muted_until, v.other_last_read_at, v.last_message_kind::text, v.needs_reply
    from unnest(members) with ordinality as page(id, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = me
   order by page.position;
end;
$$;
revoke all on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) from public, anon, authenticated;
grant execute on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Quick replies
-- ---------------------------------------------------------------------------------------------

-- Short texts a user keeps to insert into the composer. Readable by their owner; written only
-- through the functions below, which bound their number and length.
create table public.quick_replies (
  id uuid primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  body text not null check (char_length(body) between 1 and 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index quick_replies_user_idx on public.quick_replies (user_id, updated_at desc);
alter table public.quick_replies enable row level security;
revoke all on public.quick_replies from anon, authenticated;
grant select on public.quick_replies to authenticated;
grant all on public.quick_replies to service_role;
create policy "owners read their quick replies"
  on public.quick_replies for select to authenticated
  using ((select auth.uid()) = user_id);

create function private.quick_reply_json(reply public.quick_replies) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', reply.id, 'body', reply.body, 'updated_at', reply.updated_at)
$$;
revoke all on function private.quick_reply_json(public.quick_replies) from public, anon, authenticated;

-- The caller's quick replies, most recently saved first. Signed-in users, their own only.
create function public.list_quick_replies() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  return coalesce((select jsonb_agg(private.quick_reply_json(r) order by r.updated_at desc, r.id)
                     from public.quick_replies r where r.user_id = me), '[]'::jsonb);
end;
$$;
revoke all on function public.list_quick_replies() from public, anon, authenticated;
grant execute on function public.list_quick_replies() to authenticated;

-- Saves a quick reply of the caller's: new under p_id, or new text for their own p_id (saving
-- the same text again changes nothing but its place at the top). Trims the text; refuses an
-- empty one, one over 500 characters, a 21st, and an id that is someone else's (as not found:
-- whether an id exists is nobody else's business). Signed-in users.
create function public.save_quick_reply(p_id uuid, p_body text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  cleaned text := btrim(coalesce(p_body, ''), E' \t\r\n');
  saved public.quick_replies;
begin
  if p_id is null then
    perform private.fail('invalid_input', 'The quick reply id is not valid.');
  end if;
  if cleaned = '' then
    perform private.fail('invalid_input', 'Write the reply you want to keep.');
  end if;
  if char_length(cleaned) > 500 then
    perform private.fail('invalid_input', 'Quick replies can be at most 500 characters.');
  end if;
  -- One save at a time per user, so two at once cannot both be the 20th.
  perform pg_advisory_xact_lock(hashtextextended('quick_replies:' || me::text, 0));

  update public.quick_replies r set body = cleaned, updated_at = now()
   where r.id = p_id and r.user_id = me
  returning * into saved;
  if found then
    return private.quick_reply_json(saved);
  end if;
  if exists (select from public.quick_replies r where r.id = p_id) then
    perform private.fail('not_found', 'This quick reply does not exist.');
  end if;
  if (select count(*) from public.quick_replies r where r.user_id = me) >= 20 then
    perform private.fail('conflict', 'You can keep at most 20 quick replies. Delete one to save another.');
  end if;
  insert into public.quick_replies (id, user_id, body) values (p_id, me, cleaned) returning * into saved;
  return private.quick_reply_json(saved);
end;
$$;
revoke all on function public.save_quick_reply(uuid, text) from public, anon, authenticated;
grant execute on function public.save_quick_reply(uuid, text) to authenticated;

-- Deletes a quick reply of the caller's; not found for anyone else's or one already gone.
-- Signed-in users.
create function public.delete_quick_reply(p_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  delete from public.quick_replies r where r.id = p_id and r.user_id = me;
  if not found then
    perform private.fail('not_found', 'This quick reply does not exist.');
  end if;
end;
$$;
revoke all on function public.delete_quick_reply(uuid) from public, anon, authenticated;
grant execute on function public.delete_quick_reply(uuid) to authenticated;
