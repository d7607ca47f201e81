-- Messaging messages: opening a conversation, sending (which creates the conversation on the
-- first message) and thread pages. Depends on messaging_schema, messaging_rpc_helpers and
-- messaging_inbox (read_state_json).

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
revoke all on function private.clean_body(text) from public, anon, authenticated;

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
revoke all on function private.check_not_blocked(uuid, uuid) from public, anon, authenticated;

-- One message as clients render it.
create function private.message_json(message_id uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(v) from public.messages_realtime_view v where v.id = message_id
$$;
revoke all on function private.message_json(uuid) from public, anon, authenticated;

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
revoke all on function private.locate_conversation(uuid, uuid, uuid) from public, anon, authenticated;

-- The ids of one page of a conversation, newest first, older than the cursor: one range
-- scan of messages_thread_idx. Thread reads fetch their page by these ids, so every plan
-- involved stays right when cached (a generic plan of the whole view-and-keyset query could
-- read a conversation's entire history for one page).
create function private.thread_page_ids(conversation uuid, before_at timestamptz, before_id uuid, page_size integer) returns uuid[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(page.id order by page.created_at desc, page.id desc), '{}')
    from (select m.id, m.created_at from public.messages m
           where m.conversation_id = conversation
             and private.precedes(m.created_at, m.id, before_at, before_id)
           order by m.created_at desc, m.id desc
           limit page_size) page
$$;
revoke all on function private.thread_page_ids(uuid, timestamptz, uuid, integer) from public, anon, authenticated;

-- Opens the conversation with another user about a product (or none) without creating it.
-- Returns the other user, the product, the caller's read state and the newest page of
-- messages (newest first); conversation and read_state are null when it was never started.
-- Signed-in users; refuses unknown users and products, the caller themself, a product
-- conversation without its seller, and a new one about a product no longer for sale (except
-- to its seller). json, not jsonb: the page is built once and sent, and building jsonb (parsing,
-- sorting keys) cost more than the reads.
create function public.open_conversation(p_other_user_id uuid, p_product_id uuid default null, p_limit integer default 50)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  place record;
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  select * into place from private.locate_conversation(me, p_other_user_id, p_product_id);
  return json_build_object(
    'conversation_id', place.conversation,
    'other_user', (select json_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
                     from public.profiles p where p.id = p_other_user_id),
    'product', (select json_build_object('id', p.id, 'title', p.title, 'price_cents', p.price_cents, 'currency', p.currency::text,
                                          'image_url', p.image_url, 'status', p.status, 'seller_id', p.seller_id)
                  from public.products p where p.id = p_product_id),
    'read_state', case when place.conversation is not null then private.read_state_json(place.conversation, me) end,
    'blocked_by_me', exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_other_user_id),
    'blocked_me', exists (select from public.user_blocks b where b.blocker_id = p_other_user_id and b.blocked_id = me),
    'messages', case when place.conversation is null then '[]'::json else coalesce((
      select json_agg(v order by page.position)
        from unnest(private.thread_page_ids(place.conversation, 'infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff', page_size))
             with ordinality as page(id, position)
        join public.messages_realtime_view v on v.id = page.id
    ), '[]'::json) end
  );
end;
$$;
revoke all on function public.open_conversation(uuid, uuid, integer) from public, anon, authenticated;
grant execute on function public.open_conversation(uuid, uuid, integer) to authenticated;

-- Sends a message as the signed-in caller, into p_conversation_id or into the conversation with
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
  -- Reads at most the limit's number of the sender's newest index entries.
  if settings.rate_limit_per_minute is not null then
    select count(*) into recent
      from (select from public.messages m
             where m.sender_id = me and m.created_at > now() - interval '1 minute'
             limit settings.rate_limit_per_minute) r;
    if recent >= settings.rate_limit_per_minute then
      perform private.fail('rate_limited', format('You are sending messages too fast (at most %s a minute). Wait a moment and try again.', settings.rate_limit_per_minute));
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
revoke all on function public.send_message(uuid, text, uuid, uuid, uuid, uuid) from public, anon, authenticated;
grant execute on function public.send_message(uuid, text, uuid, uuid, uuid, uuid) to authenticated;

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
as $$
declare
  me uuid := private.current_user_id();
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  perform private.membership(p_conversation_id, me);
  return query
  select v.*
    from unnest(private.thread_page_ids(p_conversation_id, before_at, before_id, page_size)) with ordinality as page(id, position)
    join public.messages_realtime_view v on v.id = page.id
   order by page.position;
end;
$$;
revoke all on function public.list_messages(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.list_messages(uuid, timestamptz, uuid, integer) to authenticated;
