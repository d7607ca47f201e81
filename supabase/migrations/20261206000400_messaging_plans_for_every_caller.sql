-- Plans that hold for every caller and every size of marketplace. Depends on
-- messaging_inbox_triggers, messaging_inbox, messaging_offers and messaging_seller_triage.
--
-- The inbox. list_conversation_previews joins the page's ids with the preview rows. Its cached
-- (generic) plan cannot know whose inbox it reads, so it estimates a caller's memberships from
-- the average: on a marketplace of many small inboxes that is a handful, and the plan read all of
-- the caller's memberships and filtered them against the page. For a seller in 2,000
-- conversations among 2,000 users that was 2,000 rows and 32,000 join comparisons per page, 4 ms
-- in the database where the page needs 0.4 ms; on bigger marketplaces the average was bigger and
-- the plan right, so the inbox was slower on the small one. The page now names each preview row
-- by its whole key, (conversation, member) pairs joined to the rows, so the caller's id is a
-- column of the page rather than a value to estimate: each row is one primary-key lookup whatever
-- the statistics say (0.3 ms for 30 rows on either kind of marketplace). That plan is the same for
-- every page, so it is the generic one from the first call: with a short page of ids (a small
-- inbox) the custom plans looked cheaper and the join was planned afresh on every call, 0.67 ms
-- for a three-row page.
-- Otherwise as messaging_seller_triage's.
--
-- Statements re-planned on every call. PostgreSQL keeps planning a statement afresh while its
-- generic plan looks dearer than the custom ones, and for a member's unread recount (a subquery
-- in a CASE or SET) it always did. Those plans depend on no value a caller passes (a
-- conversation's members by primary key, the recount through messages_thread_idx), so they take
-- the generic plan from the first call. Measured per call in the database (pg_stat_statements):
--   - a send's update of both members (on_message_inserted): 225 µs of planning, about a fifth
--     of a send;
--   - mark_conversation_read's update of the reader: 186 µs of planning.
-- tests/db/messaging-plans.test.ts holds the plans.

-- The caller's inbox, newest activity first: 'all' (not archived), 'unread', 'needs_reply'
-- (the other member wrote last and is waiting), 'archived', or 'listing' (every conversation
-- about p_product_id, archived ones too). Signed-in users; each sees only the conversations
-- they are a member of. Each filter is one range scan of its index on conversation_members for
-- the page's ids, then one lookup of each preview row by its key.
create or replace function public.list_conversation_previews(
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
    from unnest(members, array_fill(me, array[coalesce(cardinality(members), 0)])) with ordinality as page(id, member, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = page.member
   order by page.position;
end;
$$;
revoke all on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) from public, anon, authenticated;
grant execute on function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) to authenticated;

alter function public.list_conversation_previews(text, timestamptz, uuid, integer, uuid) set plan_cache_mode = force_generic_plan;
alter function private.on_message_inserted() set plan_cache_mode = force_generic_plan;
alter function public.mark_conversation_read(uuid, uuid) set plan_cache_mode = force_generic_plan;
