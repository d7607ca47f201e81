-- The messaging API: one function per operation, one round trip each.
--
-- Every RPC is security definer (it writes tables clients cannot), runs with an empty
-- search_path, and starts from auth.uid(): it refuses when there is none, and checks
-- membership, blocks and limits itself. User mistakes raise SQLSTATE 'BZ001' with a
-- message a person understands and a machine-readable kind in HINT; PostgREST passes
-- both through, and the TypeScript backends turn them into typed errors.
--
-- Cursors are (created_at or last_message_at, id) pairs. The hot reads pin
-- plan_cache_mode = force_custom_plan: after five calls PL/pgSQL would otherwise switch to
-- a generic plan that can read a whole conversation instead of one page.

-- Raises a user error. Kinds: not_authenticated, invalid_input, body_empty, body_too_long,
-- not_found, not_member, not_allowed, self_conversation, product_seller_mismatch, blocked,
-- you_blocked, rate_limited, message_deleted, conflict.
create function private.fail(kind text, message text) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = 'BZ001', message = message, hint = kind;
end;
$$;

-- The caller's user id; refuses anonymous callers.
create function private.current_user_id() returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    perform private.fail('not_authenticated', 'Sign in to use messages.');
  end if;
  return me;
end;
$$;

-- A message body as stored: whitespace trimmed at both ends, 1 to 4000 characters.
create function private.clean_body(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text := regexp_replace(coalesce(body, ''), '^[[:space:]]+|[[:space:]]+$', '', 'g');
begin
  if cleaned = '' then
    perform private.fail('body_empty', 'Write a message before sending.');
  end if;
  if char_length(cleaned) > 4000 then
    perform private.fail('body_too_long', format('Messages can be at most 4000 characters; this one has %s.', char_length(cleaned)));
  end if;
  return cleaned;
end;
$$;

-- The caller's membership row of a conversation; refuses non-members.
create function private.membership(conversation uuid, me uuid) returns public.conversation_members
language plpgsql
stable
set search_path = ''
as $$
declare
  member public.conversation_members;
begin
  select * into member from public.conversation_members m where m.conversation_id = conversation and m.user_id = me;
  if not found then
    perform private.fail('not_member', 'This conversation does not exist or you are not part of it.');
  end if;
  return member;
end;
$$;

-- Refuses when either side has blocked the other.
create function private.check_not_blocked(me uuid, other uuid) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if exists (select from public.user_blocks b where b.blocker_id = other and b.blocked_id = me) then
    perform private.fail('blocked', 'This user is not accepting messages from you.');
  end if;
  if exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = other) then
    perform private.fail('you_blocked', 'You blocked this user. Unblock them to send messages.');
  end if;
end;
$$;

-- One message as clients render it.
create function private.message_json(message_id uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(v) from public.messages_realtime_view v where v.id = message_id
$$;

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

-- Finds the conversation of (me, other, product) without creating it; checks that it could
-- exist: the other user exists and is not me, and a product conversation includes its seller.
-- Returns the seller id (null for a general conversation) and the conversation id if any.
create function private.locate_conversation(me uuid, other uuid, product uuid, out seller uuid, out conversation uuid)
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
     and not exists (select from public.products p where p.id = product and p.status = 'active') then
    perform private.fail('not_found', 'This product is no longer available.');
  end if;
end;
$$;

revoke all on function private.fail(text, text), private.current_user_id(), private.clean_body(text),
  private.membership(uuid, uuid), private.check_not_blocked(uuid, uuid), private.message_json(uuid),
  private.read_state_json(uuid, uuid), private.locate_conversation(uuid, uuid, uuid)
  from public, anon, authenticated;

-- Opens the conversation with another user about a product (or none) without creating it.
-- Returns the other user, the product, the caller's read state and the newest page of
-- messages (newest first); conversation and read_state are null when it was never started.
create function public.open_conversation(p_other_user_id uuid, p_product_id uuid default null, p_limit integer default 50)
returns jsonb
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  me uuid := private.current_user_id();
  place record;
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  select * into place from private.locate_conversation(me, p_other_user_id, p_product_id);
  return jsonb_build_object(
    'conversation_id', place.conversation,
    'other_user', (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
                     from public.profiles p where p.id = p_other_user_id),
    'product', (select jsonb_build_object('id', p.id, 'title', p.title, 'price_cents', p.price_cents, 'currency', p.currency::text,
                                          'image_url', p.image_url, 'status', p.status, 'seller_id', p.seller_id)
                  from public.products p where p.id = p_product_id),
    'read_state', case when place.conversation is not null then private.read_state_json(place.conversation, me) end,
    'blocked_by_me', exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_other_user_id),
    'blocked_me', exists (select from public.user_blocks b where b.blocker_id = p_other_user_id and b.blocked_id = me),
    'messages', coalesce((
      select jsonb_agg(to_jsonb(v) order by v.created_at desc, v.id desc)
        from (select * from public.messages_realtime_view v
               where v.conversation_id = place.conversation
               order by v.created_at desc, v.id desc
               limit page_size) v
    ), '[]'::jsonb)
  );
end;
$$;

-- Sends a message as the caller, into p_conversation_id or into the conversation with
-- p_other_user_id about p_product_id, which the first message creates (concurrent first
-- sends create one conversation). p_id is the client's idempotency key: sending the same id
-- again returns the stored message and writes nothing. Refuses non-members, blocked pairs,
-- bodies that are empty or over 4000 characters, and senders over the per-minute limit.
create function public.send_message(
  p_id uuid,
  p_body text,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null,
  p_reply_to_id uuid default null
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
  cleaned := private.clean_body(p_body);

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
  select count(*) into recent
    from (select from public.messages m
           where m.sender_id = me and m.created_at > now() - interval '1 minute'
           limit settings.rate_limit_per_minute) r;
  if recent >= settings.rate_limit_per_minute then
    perform private.fail('rate_limited', format('You are sending messages too fast (at most %s a minute). Wait a moment and try again.', settings.rate_limit_per_minute));
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

  insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, expires_at)
  values (p_id, conversation, me, cleaned, p_reply_to_id, now() + retention)
  on conflict (id) do nothing;
  if not found then
    -- The same id arrived twice at once: the other call stored it.
    select * into existing from public.messages m where m.id = p_id;
    if existing.sender_id <> me then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
  end if;
  return private.message_json(p_id);
end;
$$;

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
-- Each filter is one range scan of its partial index on conversation_members.
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
set plan_cache_mode = force_custom_plan
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
             where m.user_id = me and m.archived_at is null and m.hidden_at is null
               and (m.last_message_at, m.conversation_id) < (before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  elsif p_filter = 'unread' then
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.unread_count > 0 and m.archived_at is null and m.hidden_at is null
               and (m.last_message_at, m.conversation_id) < (before_at, before_id)
             order by m.last_message_at desc, m.conversation_id desc limit page_size) m;
  else
    select array_agg(m.conversation_id order by m.last_message_at desc, m.conversation_id desc) into members
      from (select m.conversation_id, m.last_message_at from public.conversation_members m
             where m.user_id = me and m.archived_at is not null and m.hidden_at is null
               and (m.last_message_at, m.conversation_id) < (before_at, before_id)
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

-- A page of a conversation's messages older than the cursor, newest first. Members only.
create function public.list_messages(
  p_conversation_id uuid,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 50
)
returns setof public.messages_realtime_view
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  me uuid := private.current_user_id();
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  perform private.membership(p_conversation_id, me);
  return query
  select * from public.messages_realtime_view v
   where v.conversation_id = p_conversation_id
     and (v.created_at, v.id) < (before_at, before_id)
   order by v.created_at desc, v.id desc
   limit page_size;
end;
$$;

-- Moves the caller's read position forward to p_up_to_message_id (or the newest message)
-- and recounts what is unread after it. Never moves backwards; writes nothing when the
-- position does not change. Returns the read state.
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
       or (target_at, target_id) > (member.last_read_at, coalesce(member.last_read_message_id, '00000000-0000-0000-0000-000000000000'))
     ) then
    update public.conversation_members m
       set last_read_at = target_at,
           last_read_message_id = target_id,
           unread_count = (select count(*) from public.messages x
                            where x.conversation_id = p_conversation_id and x.sender_id <> me and x.deleted_at is null
                              and (x.created_at, x.id) > (target_at, target_id))
     where m.conversation_id = p_conversation_id and m.user_id = me
       -- Checked again on the locked row: a concurrent call may have moved it further meanwhile.
       and (m.last_read_at is null
            or (target_at, target_id) > (m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000')));
  end if;
  return private.read_state_json(p_conversation_id, me);
end;
$$;

-- A member's badge total: unread messages outside archived and muted conversations.
create function private.unread_total_of(member uuid) returns integer
language sql
stable
set search_path = ''
as $$
  select coalesce(sum(m.unread_count), 0)::integer
    from public.conversation_members m
   where m.user_id = member and m.unread_count > 0 and m.archived_at is null and m.hidden_at is null
     and (m.muted_until is null or m.muted_until <= now())
$$;
revoke all on function private.unread_total_of(uuid) from public, anon, authenticated;

-- The caller's badge total.
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

-- A message in one of the caller's conversations (locked when asked); anyone else's is "not found".
create function private.visible_message(message uuid, me uuid, lock boolean) returns public.messages
language plpgsql
set search_path = ''
as $$
declare
  found_message public.messages;
begin
  if lock then
    select * into found_message from public.messages m where m.id = message for update;
  else
    select * into found_message from public.messages m where m.id = message;
  end if;
  if found_message.id is null
     or not exists (select from public.conversation_members c where c.conversation_id = found_message.conversation_id and c.user_id = me) then
    perform private.fail('not_found', 'This message does not exist.');
  end if;
  return found_message;
end;
$$;
revoke all on function private.visible_message(uuid, uuid, boolean) from public, anon, authenticated;

-- The caller's own text message, locked for editing or deleting.
create function private.own_message(message uuid, me uuid) returns public.messages
language plpgsql
set search_path = ''
as $$
declare
  found_message public.messages;
begin
  found_message := private.visible_message(message, me, true);
  if found_message.sender_id <> me or found_message.kind <> 'text' then
    perform private.fail('not_allowed', 'You can only change your own messages.');
  end if;
  return found_message;
end;
$$;
revoke all on function private.own_message(uuid, uuid) from public, anon, authenticated;

-- Replaces the text of the caller's own message and marks it edited. Refused on deleted
-- messages and between blocked users.
create function public.edit_message(p_id uuid, p_body text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages := private.own_message(p_id, me);
  cleaned text := private.clean_body(p_body);
begin
  if message.deleted_at is not null then
    perform private.fail('message_deleted', 'This message was deleted and can no longer be edited.');
  end if;
  perform private.check_not_blocked(me, (select m.other_user_id from public.conversation_members m
                                          where m.conversation_id = message.conversation_id and m.user_id = me));
  if cleaned <> message.body then
    update public.messages m set body = cleaned, edited_at = now() where m.id = p_id;
  end if;
  return private.message_json(p_id);
end;
$$;

-- Deletes the caller's own message for everyone: the row stays (so the thread shows
-- "message deleted") but its text is gone. Deleting twice is harmless.
create function public.delete_message(p_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages := private.own_message(p_id, me);
begin
  if message.deleted_at is null then
    update public.messages m set body = '', deleted_at = now() where m.id = p_id;
  end if;
  return private.message_json(p_id);
end;
$$;

-- Archives or unarchives a conversation for the caller only. A new message from the other
-- side brings it back to the inbox.
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

-- Mutes a conversation for the caller until p_until ('infinity' for good); null unmutes.
-- Muted conversations still count unread messages but leave the badge total.
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

-- Blocks a user: neither side can send to the other until unblocked. Idempotent.
create function public.block_user(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  if p_user_id is null or p_user_id = me then
    perform private.fail('invalid_input', 'You can’t block yourself.');
  end if;
  if not exists (select from public.profiles p where p.id = p_user_id) then
    perform private.fail('not_found', 'This user does not exist.');
  end if;
  insert into public.user_blocks (blocker_id, blocked_id) values (me, p_user_id) on conflict do nothing;
  return jsonb_build_object('user_id', p_user_id, 'blocked', true);
end;
$$;

-- Lifts the caller's block of a user. Idempotent.
create function public.unblock_user(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  delete from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_user_id;
  return jsonb_build_object('user_id', p_user_id, 'blocked', false);
end;
$$;

-- Reports another member's message to moderators, keeping a copy of its text. Reporting the
-- same message twice returns the first report.
create function public.report_message(p_message_id uuid, p_reason text, p_details text default '')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages;
  report_id uuid;
begin
  if p_reason is null or p_reason not in ('spam', 'scam', 'abuse', 'other') then
    perform private.fail('invalid_input', 'Choose a reason: spam, scam, abuse or other.');
  end if;
  if char_length(coalesce(p_details, '')) > 1000 then
    perform private.fail('invalid_input', 'Report details can be at most 1000 characters.');
  end if;
  message := private.visible_message(p_message_id, me, false);
  if message.sender_id = me then
    perform private.fail('not_allowed', 'You can’t report your own message.');
  end if;
  insert into public.message_reports (message_id, conversation_id, reporter_id, reported_user_id, reason, details, body_snapshot)
  values (message.id, message.conversation_id, me, message.sender_id, p_reason::public.report_reason, btrim(coalesce(p_details, '')), message.body)
  on conflict (message_id, reporter_id) do nothing
  returning id into report_id;
  if report_id is null then
    select r.id into report_id from public.message_reports r where r.message_id = p_message_id and r.reporter_id = me;
  end if;
  return jsonb_build_object('id', report_id, 'message_id', p_message_id);
end;
$$;

-- Full-text search over the messages of the caller's conversations, newest first. Every word
-- of the query must match the start of a word in the message ("cam" finds "camera").
create function public.search_messages(
  p_query text,
  p_before_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 20
)
returns table (
  message_id uuid,
  conversation_id uuid,
  sender_id uuid,
  body text,
  created_at timestamptz,
  other_user_id uuid,
  other_display_name text,
  other_avatar_url text,
  product_id uuid,
  product_title text
)
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  me uuid := private.current_user_id();
  words text;
  query tsquery;
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 20), 1), 100);
begin
  if char_length(coalesce(p_query, '')) > 200 then
    perform private.fail('invalid_input', 'Search for at most 200 characters.');
  end if;
  select string_agg(word || ':*', ' & ') into words
    from regexp_split_to_table(lower(regexp_replace(coalesce(p_query, ''), '[^[:alnum:][:space:]]+', ' ', 'g')), '[[:space:]]+') as word
   where word <> '';
  if words is null then
    perform private.fail('invalid_input', 'Type a word to search for.');
  end if;
  query := to_tsquery('simple', words);

  return query
  select m.id, m.conversation_id, m.sender_id, m.body, m.created_at,
         cm.other_user_id, o.display_name, o.avatar_url, cm.product_id, p.title
    from public.messages m
    join public.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = me
    join public.profiles o on o.id = cm.other_user_id
    left join public.products p on p.id = cm.product_id
   where m.search @@ query
     -- The caller's conversations first: without this the GIN scan reads every user's matches.
     and m.conversation_id = any(array(select x.conversation_id from public.conversation_members x where x.user_id = me))
     and m.deleted_at is null
     and (m.created_at, m.id) < (before_at, before_id)
   order by m.created_at desc, m.id desc
   limit page_size;
end;
$$;

-- Deletes messages past their retention (at most p_batch per call, oldest expiry first),
-- repairs the previews and unread counts of the conversations they were in, and returns
-- how many each conversation lost. For the operator's scheduler: service_role only.
create function public.purge_expired_messages(p_batch integer default 10000)
returns table (conversation_id uuid, removed bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversations uuid[];
  counts bigint[];
begin
  with expired as (
    select m.id from public.messages m
     where m.expires_at < now()
     order by m.expires_at
     limit greatest(coalesce(p_batch, 10000), 1)
  ), gone as (
    delete from public.messages m using expired e where m.id = e.id returning m.conversation_id
  ), per_conversation as (
    select g.conversation_id, count(*) as removed from gone g group by g.conversation_id
  )
  select coalesce(array_agg(p.conversation_id), '{}'), coalesce(array_agg(p.removed), '{}')
    into conversations, counts
    from per_conversation p;

  update public.conversations c
     set last_message_id = latest.id,
         last_message_at = latest.created_at,
         last_message_preview = coalesce(left(latest.body, 200), ''),
         last_message_sender_id = latest.sender_id,
         last_message_deleted = coalesce(latest.deleted_at is not null, false)
    from unnest(conversations) as purged(id)
    left join lateral (
      select m.id, m.created_at, m.body, m.sender_id, m.deleted_at from public.messages m
       where m.conversation_id = purged.id
       order by m.created_at desc, m.id desc limit 1
    ) latest on true
   where c.id = purged.id;

  update public.conversation_members cm
     set unread_count = (select count(*) from public.messages x
                          where x.conversation_id = cm.conversation_id and x.sender_id <> cm.user_id and x.deleted_at is null
                            and (cm.last_read_at is null
                                 or (x.created_at, x.id) > (cm.last_read_at, coalesce(cm.last_read_message_id, '00000000-0000-0000-0000-000000000000'))))
   where cm.conversation_id = any(conversations);

  return query select * from unnest(conversations, counts);
end;
$$;

-- Clients reach the RPCs only: PUBLIC's default execute right (and Supabase's default grants
-- to anon) are taken back, and authenticated gets exactly the API.
revoke all on function
  public.open_conversation(uuid, uuid, integer),
  public.send_message(uuid, text, uuid, uuid, uuid, uuid),
  public.list_conversation_previews(text, timestamptz, uuid, integer),
  public.list_messages(uuid, timestamptz, uuid, integer),
  public.mark_conversation_read(uuid, uuid),
  public.unread_total(),
  public.edit_message(uuid, text),
  public.delete_message(uuid),
  public.set_archived(uuid, boolean),
  public.set_muted(uuid, timestamptz),
  public.block_user(uuid),
  public.unblock_user(uuid),
  public.report_message(uuid, text, text),
  public.search_messages(text, timestamptz, uuid, integer),
  public.purge_expired_messages(integer)
  from public, anon, authenticated;

grant execute on function
  public.open_conversation(uuid, uuid, integer),
  public.send_message(uuid, text, uuid, uuid, uuid, uuid),
  public.list_conversation_previews(text, timestamptz, uuid, integer),
  public.list_messages(uuid, timestamptz, uuid, integer),
  public.mark_conversation_read(uuid, uuid),
  public.unread_total(),
  public.edit_message(uuid, text),
  public.delete_message(uuid),
  public.set_archived(uuid, boolean),
  public.set_muted(uuid, timestamptz),
  public.block_user(uuid),
  public.unblock_user(uuid),
  public.report_message(uuid, text, text),
  public.search_messages(text, timestamptz, uuid, integer)
  to authenticated;

grant execute on function public.purge_expired_messages(integer) to service_role;
