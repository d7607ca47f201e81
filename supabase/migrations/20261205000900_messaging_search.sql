-- Messaging search: full-text search over the caller's messages (the GIN index on
-- messages.search is in messaging_schema). Depends on messaging_schema and messaging_rpc_helpers.

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
     and private.precedes(m.created_at, m.id, before_at, before_id)
   order by m.created_at desc, m.id desc
   limit page_size;
end;
$$;
revoke all on function public.search_messages(text, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.search_messages(text, timestamptz, uuid, integer) to authenticated;
