-- Messaging search: full-text search over the caller's messages. Depends on messaging_schema
-- and messaging_rpc_helpers.

-- Each message carries its conversation's two members. Set here, before insert, from the
-- conversation row (which the insert already needs for its foreign key), so every way of
-- inserting a message fills it.
create function private.set_message_members() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  select array[c.user_low, c.user_high] into new.members from public.conversations c where c.id = new.conversation_id;
  return new;
end;
$$;
revoke all on function private.set_message_members() from public, anon, authenticated;

create trigger messages_set_members before insert on public.messages
  for each row execute function private.set_message_members();

-- A user's matches of a word, in one index: GIN intersects the member's posting list with the
-- word's, skipping through the larger, so a common word costs the caller's matches, not every
-- user's. btree_gin is not needed: uuid[] uses the built-in array operator class.
create index messages_member_search_idx on public.messages using gin (members, search);

-- Full-text search over the messages of the caller's conversations, newest first. Every word
-- of the query must match the start of a word in the message ("cam" finds "camera").
-- Signed-in users; deleted messages and other people's conversations are never searched.
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

  -- The page's ids from the one index (its generic plan is the right one), then what to show.
  return query
  select m.id, m.conversation_id, m.sender_id, m.body, m.created_at,
         cm.other_user_id, o.display_name, o.avatar_url, cm.product_id, p.title
    from (select x.id from public.messages x
           where x.members @> array[me] and x.search @@ query and x.deleted_at is null
             and private.precedes(x.created_at, x.id, before_at, before_id)
           order by x.created_at desc, x.id desc
           limit page_size) page
    join public.messages m on m.id = page.id
    join public.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = me
    join public.profiles o on o.id = cm.other_user_id
    left join public.products p on p.id = cm.product_id
   order by m.created_at desc, m.id desc;
end;
$$;
revoke all on function public.search_messages(text, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.search_messages(text, timestamptz, uuid, integer) to authenticated;
