-- A preview says when the other member deleted their account, and every partner hears of it.
-- Depends on messaging_previews_for_the_reader (the preview rows, list_conversation_previews) and
-- messaging_account_data (publish_updates).
--
-- A thread learnt of an erase only when it was opened again: one left open kept its composer,
-- "Mark as sold to" and "Block" for a member who was gone, and said they were online. Erasing
-- removes the account's member rows, which the preview rows join on the left already (for
-- "Seen"): no row there is the mark, and costs nothing to read. And the erase published only the
-- messages it changed, so a partner who had written all of a conversation heard nothing: each
-- partner now gets every conversation with the account as conversation.updated, with its
-- preview, in the same batch.

-- messaging_previews_for_the_reader's preview rows with one column more.
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
  p.seller_id as product_seller_id,
  om.user_id is null as other_deleted
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
left join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;

drop function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid);

-- messaging_previews_for_the_reader's, returning other_deleted too.
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
  product_seller_id uuid,
  other_deleted boolean
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
         v.last_message_payload, v.product_seller_id, v.other_deleted
    from unnest(members, array_fill(me, array[coalesce(cardinality(members), 0)])) with ordinality as page(id, member, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = page.member
   order by page.position;
end;
$$;
revoke all on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) from public, anon, authenticated;
grant execute on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) to authenticated;

alter function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) set plan_cache_mode = force_generic_plan;

-- messaging_account_data's publish_updates, with one conversation.updated per conversation and
-- other member after the messages (its preview says other_deleted); otherwise unchanged.
-- Publishes many changed messages of these conversations at once: one message.updated per
-- message and member of its conversation in that member's log (oldest message first, as the
-- changes would have been published one by one), then one push per member, of their newest
-- event only. A client seeing that event after a gap catches up from the log (sync_since),
-- which renders every message as it is now; a push per event would flood the NOTIFY queue and
-- every open tab. Counter rows are locked in user-id order, as emit locks them. Internal:
-- erase_account calls it.
create or replace function private.publish_updates(conversations uuid[], messages uuid[]) returns void
language plpgsql
set search_path = ''
as $$
declare
  recipients uuid[];
  newest public.messaging_events;
begin
  select coalesce(array_agg(distinct m.user_id), '{}') into recipients
    from public.conversation_members m where m.conversation_id = any(conversations);
  insert into public.messaging_event_counters (user_id) select u.id from unnest(recipients) as u(id) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters c where c.user_id = any(recipients) order by c.user_id for update;

  -- Joined through unnest: one primary-key probe per message, however many there are.
  with changed as (
    select m.user_id, 'message.updated' as type, x.conversation_id, jsonb_build_object('message_id', x.id) as payload,
           x.created_at as at, x.id as tiebreak
      from unnest(messages) as given(id)
      join public.messages x on x.id = given.id
      join public.conversation_members m on m.conversation_id = x.conversation_id
     where x.conversation_id = any(conversations)
    union all
    -- The log keeps no preview (it holds message text): it is rendered when read.
    select m.user_id, 'conversation.updated', m.conversation_id,
           jsonb_build_object('read_state', private.read_state_json(m.conversation_id, m.user_id),
                              'unread_total', private.unread_total_of(m.user_id)),
           'infinity', m.conversation_id
      from public.conversation_members m
     where m.conversation_id = any(conversations)
  ), numbered as (
    select changed.*,
           row_number() over (partition by changed.user_id order by changed.at, changed.tiebreak) as n,
           count(*) over (partition by changed.user_id) as total
      from changed
  ), bumped as (
    update public.messaging_event_counters c set last_id = c.last_id + t.total
      from (select distinct numbered.user_id, numbered.total from numbered) t
     where c.user_id = t.user_id
    returning c.user_id, c.last_id - t.total as base
  )
  insert into public.messaging_events (user_id, id, type, conversation_id, payload)
  select x.user_id, b.base + x.n, x.type, x.conversation_id, x.payload
    from numbered x join bumped b on b.user_id = x.user_id;

  for newest in
    select e.* from public.messaging_event_counters c
      join public.messaging_events e on e.user_id = c.user_id and e.id = c.last_id
     where c.user_id = any(recipients)
     order by c.user_id
  loop
    perform public.messaging_publish(jsonb_build_array(private.render_event(newest, private.unread_total_of(newest.user_id))));
  end loop;
end;
$$;
revoke all on function private.publish_updates(uuid[], uuid[]) from public, anon, authenticated;
