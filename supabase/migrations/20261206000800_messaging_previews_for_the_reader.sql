-- Inbox previews worded for the member reading them. Depends on messaging_seller_triage (the
-- last message's kind and its trigger), messaging_offers (payloads), messaging_account_data (the
-- preview rows) and messaging_plans_for_every_caller (list_conversation_previews).
--
-- An offer card or an update about the listing stores one neutral sentence for search and email
-- ("Ana offered €140.00"); the thread words it for its reader from the message's payload ("You
-- offered €140.00"). The inbox showed the stored sentence, so Ana's own inbox said "Ana offered".
-- The conversation row now keeps the last message's payload beside its kind, read by the same
-- lookup, and the preview rows carry it with the listing's seller (a card the seller posts is a
-- counter): the browser words a preview as the thread does. Nothing joins on the inbox's path:
-- two columns more of rows it reads already.

alter table public.conversations add column last_message_payload jsonb;
update public.conversations c set last_message_payload = m.payload
  from public.messages m where m.id = c.last_message_id and m.payload is not null;

-- The last message's kind and payload, from the message row, whenever the last message changes
-- (a new message, or the purge moving it back). Internal: the trigger below.
create function private.keep_last_message_kind_and_payload() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- No row (no message left) sets both to null.
  select m.kind, m.payload into new.last_message_kind, new.last_message_payload
    from public.messages m where m.id = new.last_message_id;
  return new;
end;
$$;
revoke all on function private.keep_last_message_kind_and_payload() from public, anon, authenticated;

drop trigger conversations_last_message_kind on public.conversations;
drop function private.keep_last_message_kind();
create trigger conversations_last_message_kind_and_payload
  before insert or update of last_message_id on public.conversations
  for each row execute function private.keep_last_message_kind_and_payload();

-- messaging_account_data's preview rows with two columns more: the last message's payload and the
-- listing's seller. preview_json (the events' previews) takes them as it takes every column.
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
  m.awaiting_reply_since is not null as needs_reply,
  c.last_message_payload,
  p.seller_id as product_seller_id
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
left join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;

drop function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid);

-- messaging_plans_for_every_caller's, returning the two columns more.
-- The caller's inbox, newest activity first: 'all' (not archived), 'unread', 'needs_reply'
-- (the other member wrote last and is waiting), 'archived', or 'listing' (every conversation
-- about p_product_id, archived ones too). Signed-in users; each sees only the conversations
-- they are a member of. Each filter is one range scan of its index on conversation_members for
-- the page's ids, then one lookup of each preview row by its key.
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
  needs_reply boolean,
  last_message_payload jsonb,
  product_seller_id uuid
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
         v.unread_count, v.archived, v.muted_until, v.other_last_read_at, v.last_message_kind::text, v.needs_reply,
         v.last_message_payload, v.product_seller_id
    from unnest(members, array_fill(me, array[coalesce(cardinality(members), 0)])) with ordinality as page(id, member, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = page.member
   order by page.position;
end;
$$;
revoke all on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) from public, anon, authenticated;
grant execute on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) to authenticated;

alter function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) set plan_cache_mode = force_generic_plan;
