-- Messaging inbox: the preview rows, the read state, and the inbox RPCs: list previews, mark
-- read, unread total, archive and mute. Depends on messaging_schema, messaging_rpc_helpers and
-- messaging_inbox_triggers (which keep the member rows these read current).

-- The caller's read state of a conversation, and the other member's read position (for "Seen").
create function private.read_state_json(conversation uuid, me uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'conversation_id', m.conversation_id,
    'unread_count', m.unread_count,
    'last_read_at', m.last_read_at,
    'last_read_message_id', m.last_read_message_id,
    'archived', m.archived_at is not null,
    'muted_until', m.muted_until,
    'other_last_read_at', o.last_read_at,
    'other_last_read_message_id', o.last_read_message_id
  )
  from public.conversation_members m
  join public.conversation_members o on o.conversation_id = m.conversation_id and o.user_id = m.other_user_id
  where m.conversation_id = conversation and m.user_id = me
$$;
revoke all on function private.read_state_json(uuid, uuid) from public, anon, authenticated;

-- One inbox row as list_conversation_previews returns it, for any member; the realtime
-- events push the same rows.
create view private.conversation_preview_rows with (security_invoker = true) as
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
  om.last_read_at as other_last_read_at
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;

-- The caller's inbox, newest activity first: 'all' (not archived), 'unread' or 'archived'.
-- Signed-in users; each sees only the conversations they are a member of. Each filter is one
-- range scan of its partial index on conversation_members for the page's ids, then one join
-- of those ids with the preview rows: both plans are right as generic plans, so PL/pgSQL's
-- plan cache plans them once per connection rather than once per call.
create function public.list_conversation_previews(
  p_filter text default 'all',
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 30
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
  other_last_read_at timestamptz
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
  if p_filter is null or p_filter not in ('all', 'unread', 'archived') then
    perform private.fail('invalid_input', 'The inbox filter must be all, unread or archived.');
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
         v.unread_count, v.archived, v.muted_until, v.other_last_read_at
    from unnest(members) with ordinality as page(id, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = me
   order by page.position;
end;
$$;
revoke all on function public.list_conversation_previews(text, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.list_conversation_previews(text, timestamptz, uuid, integer) to authenticated;

-- Moves the caller's read position forward to p_up_to_message_id (or the newest message)
-- and recounts what is unread after it. Never moves backwards; writes nothing when the
-- position does not change. Returns the read state. Members of the conversation only.
create function public.mark_conversation_read(p_conversation_id uuid, p_up_to_message_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members := private.membership(p_conversation_id, me);
  target_id uuid;
  target_at timestamptz;
begin
  if p_up_to_message_id is null then
    select m.id, m.created_at into target_id, target_at from public.messages m
     where m.conversation_id = p_conversation_id
     order by m.created_at desc, m.id desc limit 1;
  else
    select m.id, m.created_at into target_id, target_at from public.messages m
     where m.id = p_up_to_message_id and m.conversation_id = p_conversation_id;
    if not found then
      perform private.fail('not_found', 'That message is not in this conversation.');
    end if;
  end if;

  if target_id is not null and (
       member.last_read_at is null
       or private.precedes(member.last_read_at, coalesce(member.last_read_message_id, '00000000-0000-0000-0000-000000000000'), target_at, target_id)
     ) then
    update public.conversation_members m
       set last_read_at = target_at,
           last_read_message_id = target_id,
           unread_count = (select count(*) from public.messages x
                            where x.conversation_id = p_conversation_id and x.sender_id <> me and x.deleted_at is null
                              and private.precedes(target_at, target_id, x.created_at, x.id))
     where m.conversation_id = p_conversation_id and m.user_id = me
       -- Checked again on the locked row: a concurrent call may have moved it further meanwhile.
       and (m.last_read_at is null
            or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), target_at, target_id));
  end if;
  return private.read_state_json(p_conversation_id, me);
end;
$$;
revoke all on function public.mark_conversation_read(uuid, uuid) from public, anon, authenticated;
grant execute on function public.mark_conversation_read(uuid, uuid) to authenticated;

-- A member's badge total: unread messages outside archived and muted conversations.
create function private.unread_total_of(member uuid) returns integer
language sql
stable
set search_path = ''
as $$
  select coalesce(sum(m.unread_count), 0)::integer
    from public.conversation_members m
   where m.user_id = member and m.unread_count > 0 and m.archived_at is null
     and (m.muted_until is null or m.muted_until <= now())
$$;
revoke all on function private.unread_total_of(uuid) from public, anon, authenticated;

-- The caller's badge total (see unread_total_of). Signed-in users.
create function public.unread_total()
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.unread_total_of(private.current_user_id());
end;
$$;
revoke all on function public.unread_total() from public, anon, authenticated;
grant execute on function public.unread_total() to authenticated;

-- Archives or unarchives a conversation for the caller only. A new message from the other
-- side brings it back to the inbox. Members of the conversation only.
create function public.set_archived(p_conversation_id uuid, p_archived boolean)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members := private.membership(p_conversation_id, me);
begin
  if p_archived is null then
    perform private.fail('invalid_input', 'Say whether to archive or unarchive.');
  end if;
  if (member.archived_at is not null) <> p_archived then
    update public.conversation_members m
       set archived_at = case when p_archived then now() end
     where m.conversation_id = p_conversation_id and m.user_id = me;
  end if;
  return private.read_state_json(p_conversation_id, me);
end;
$$;
revoke all on function public.set_archived(uuid, boolean) from public, anon, authenticated;
grant execute on function public.set_archived(uuid, boolean) to authenticated;

-- Mutes a conversation for the caller until p_until ('infinity' for good); null unmutes.
-- Muted conversations still count unread messages but leave the badge total. Members of the
-- conversation only.
create function public.set_muted(p_conversation_id uuid, p_until timestamptz)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  perform private.membership(p_conversation_id, me);
  if p_until is not null and p_until <= now() then
    perform private.fail('invalid_input', 'Mute until a time in the future.');
  end if;
  update public.conversation_members m set muted_until = p_until
   where m.conversation_id = p_conversation_id and m.user_id = me;
  return private.read_state_json(p_conversation_id, me);
end;
$$;
revoke all on function public.set_muted(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.set_muted(uuid, timestamptz) to authenticated;
