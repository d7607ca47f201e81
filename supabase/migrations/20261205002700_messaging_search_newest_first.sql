-- Messaging search, newest first without reading every match. Depends on messaging_search.
--
-- The GIN index finds a member's matches but not in time order, so a common word (one message
-- in eight) cost the heap reads of all of them, about 7,500 for a busy seller, to keep the newest
-- 20. Now: up to SPARSE matches are taken from the index as before and sorted; a word with more
-- is common in the member's messages, so their conversations are walked newest first instead,
-- each through messages_thread_idx until it has a page, and the walk stops at the first
-- conversation whose newest message is older than the page's oldest hit. The page is the same as
-- before, hit for hit; what it costs is bounded by SPARSE plus the walk, whatever the word.

-- Signed-in users; deleted messages and other people's conversations are never searched. Every
-- word of the query must match the start of a word in the message ("cam" finds "camera").
create or replace function public.search_messages(
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
  -- Balances the two costs for a member with about 60,000 messages: reading this many matches
  -- from the index, against walking threads until a page of a word this common is found.
  sparse constant integer := 1000;
  me uuid := private.current_user_id();
  words text;
  query tsquery;
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 20), 1), 100);
  hit_ids uuid[];
  hit_ats timestamptz[];
  thread record;
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

  -- Every match, if there are at most `sparse`: unordered, so the scan stops at sparse + 1.
  select array_agg(x.id order by x.created_at desc, x.id desc) into hit_ids
    from (select x.id, x.created_at from public.messages x
           where x.members @> array[me] and x.search @@ query and x.deleted_at is null
             and private.precedes(x.created_at, x.id, before_at, before_id)
           limit sparse + 1) x;

  if coalesce(array_length(hit_ids, 1), 0) > sparse then
    hit_ids := '{}';
    hit_ats := '{}';
    -- The member's conversations, archived or not, newest message first: the two partial
    -- inbox indexes merged.
    for thread in
      select t.conversation_id, t.last_message_at from (
        (select cm.conversation_id, cm.last_message_at from public.conversation_members cm
          where cm.user_id = me and cm.archived_at is null
          order by cm.last_message_at desc, cm.conversation_id desc)
        union all
        (select cm.conversation_id, cm.last_message_at from public.conversation_members cm
          where cm.user_id = me and cm.archived_at is not null
          order by cm.last_message_at desc, cm.conversation_id desc)
      ) t
      order by t.last_message_at desc, t.conversation_id desc
    loop
      -- No message of this thread or any later one is newer than the page's oldest hit.
      exit when array_length(hit_ids, 1) = page_size and thread.last_message_at < hit_ats[page_size];
      select array_agg(k.id order by k.at desc, k.id desc), array_agg(k.at order by k.at desc, k.id desc)
        into hit_ids, hit_ats
        from (select u.id, u.at from unnest(hit_ids, hit_ats) as u(id, at)
              union all
              (select m.id, m.created_at from public.messages m
                where m.conversation_id = thread.conversation_id
                  and private.precedes(m.created_at, m.id, before_at, before_id)
                  -- The function, not the operator: the GIN index must not be chosen here, the
                  -- thread index in time order must, so the scan stops at the page.
                  and m.deleted_at is null and pg_catalog.ts_match_vq(m.search, query)
                order by m.created_at desc, m.id desc
                limit page_size)
              order by 2 desc, 1 desc
              limit page_size) k;
      hit_ids := coalesce(hit_ids, '{}');
      hit_ats := coalesce(hit_ats, '{}');
    end loop;
  end if;

  return query
  select m.id, m.conversation_id, m.sender_id, m.body, m.created_at,
         cm.other_user_id, o.display_name, o.avatar_url, cm.product_id, p.title
    from unnest(hit_ids[1:page_size]) as page(id)
    join public.messages m on m.id = page.id
    join public.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = me
    join public.profiles o on o.id = cm.other_user_id
    left join public.products p on p.id = cm.product_id
   order by m.created_at desc, m.id desc;
end;
$$;
revoke all on function public.search_messages(text, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.search_messages(text, timestamptz, uuid, integer) to authenticated;
