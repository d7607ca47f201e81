-- Message search folds accents, as the conversation search does, and both fold further.
-- Depends on messaging_search_conversations (search_folded) and
-- messaging_search_words_as_written (search_messages).
--
-- "cafe" found a conversation with Café Müller by name, but not the message that said "café";
-- "strasse" found neither "Straße" nor its conversation, and "130" did not find "€130". The
-- search column now keeps each message's words folded as the names are (lower case, accents
-- dropped, and what follows), and the query is folded the same way. The column is generated, so
-- its new expression is a new column: every message's words are computed again, and the index
-- over them built again, once (on the project's 2-core machine about 5 s for the column and
-- 11 s for the index a million messages, while sends wait). Folding adds about 1 µs to a send.
-- Nothing reads the column but search_messages.

-- messaging_search_conversations's search_folded, folding further, for both searches: letters
-- that decompose into no letter and accent ("ß" as "ss", "ø" as "o", "æ" as "ae"), and currency
-- signs and angle brackets as spaces. PostgreSQL's parser reads "€130" as one word, so "130"
-- did not find it, and takes "<b ...>" for a tag and drops what is inside it. A SQL function
-- the planner inlines, without a search_path setting, as before. Internal.
create or replace function private.search_folded(t text) returns text
language sql
immutable
parallel safe
as $$
  select case when octet_length(t) = char_length(t) then lower(translate(t, '<>', '  '))
              else replace(replace(replace(
                     translate(lower(regexp_replace(normalize(t, nfd), '[\u0300-\u036f]+', '', 'g')),
                               '<>€£¥₹₽₺₩¢øłđħı', '          oldhi'),
                     'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe') end
$$;
revoke all on function private.search_folded(text) from public, anon, authenticated;

alter table public.messages drop column search;
alter table public.messages
  add column search tsvector generated always as (to_tsvector('simple', private.search_folded(body))) stored;
create index messages_member_search_idx on public.messages using gin (members, search);

-- messaging_search_words_as_written's, its query folded as the search column now folds a
-- message; otherwise unchanged. Full-text search over the messages of the caller's
-- conversations, newest first: every word of the query must start a word of the message, case
-- and accents aside ("cafe" finds "Café"). Signed-in users; deleted messages and other people's
-- conversations are never searched.
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
  product_title text,
  kind text,
  payload jsonb,
  product_seller_id uuid
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  -- A word in at least one of the member's messages in 50 is found here; rarer ones cost this
  -- many rows before the index answers.
  recent constant integer := 1000;
  me uuid := private.current_user_id();
  words text;
  query tsquery;
  before_at timestamptz := coalesce(p_before_at, 'infinity');
  before_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
  page_size integer := least(greatest(coalesce(p_limit, 20), 1), 100);
  hit_ids uuid[];
begin
  if char_length(coalesce(p_query, '')) > 200 then
    perform private.fail('invalid_input', 'Search for at most 200 characters.');
  end if;
  -- The query's words as the search column keeps a message's: "85.50", "shop.example" and
  -- "ana@example.com" are one word each there, so they are here too. A query with no such word
  -- ("<script>", which the parser takes for a tag and drops) is searched for its letters and digits.
  select string_agg(private.prefix_term(w.word), ' & ') into words
    from unnest(pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('simple', private.search_folded(coalesce(p_query, ''))))) as w(word);
  if words is null then
    select string_agg(private.prefix_term(word), ' & ') into words
      from regexp_split_to_table(private.search_folded(regexp_replace(coalesce(p_query, ''), '[^[:alnum:][:space:]]+', ' ', 'g')), '[[:space:]]+') as word
     where word <> '';
  end if;
  if words is null then
    perform private.fail('invalid_input', 'Type a word to search for.');
  end if;
  query := words::pg_catalog.tsquery;

  -- The newest hits among the member's newest `recent` messages. The limits tell the planner
  -- how little of each stream is read, so it merges the two indexes in order; the scan stops
  -- at a full page.
  select array_agg(w.id order by w.created_at desc, w.id desc) into hit_ids
    from (select r.id, r.created_at
            from (select x.id, x.created_at, x.search, x.deleted_at
                    from ((select m.id, m.created_at, m.search, m.deleted_at from public.messages m
                            where m.members[1] = me and private.precedes(m.created_at, m.id, before_at, before_id)
                            order by m.created_at desc, m.id desc limit recent)
                          union all
                          (select m.id, m.created_at, m.search, m.deleted_at from public.messages m
                            where m.members[2] = me and private.precedes(m.created_at, m.id, before_at, before_id)
                            order by m.created_at desc, m.id desc limit recent)) x
                   order by x.created_at desc, x.id desc
                   limit recent) r
           where r.deleted_at is null and pg_catalog.ts_match_vq(r.search, query)
           order by r.created_at desc, r.id desc
           limit page_size) w;

  if coalesce(array_length(hit_ids, 1), 0) < page_size then
    -- A rare word for this member: all their matches from the GIN index, newest first.
    select array_agg(x.id order by x.created_at desc, x.id desc) into hit_ids
      from (select x.id, x.created_at from public.messages x
             where x.members @> array[me] and x.search @@ query and x.deleted_at is null
               and private.precedes(x.created_at, x.id, before_at, before_id)
             order by x.created_at desc, x.id desc
             limit page_size) x;
  end if;

  return query
  select m.id, m.conversation_id, m.sender_id, m.body, m.created_at,
         cm.other_user_id, o.display_name, o.avatar_url, cm.product_id, p.title,
         m.kind::text, m.payload, p.seller_id
    from unnest(hit_ids) as page(id)
    join public.messages m on m.id = page.id
    join public.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = me
    join public.profiles o on o.id = cm.other_user_id
    left join public.products p on p.id = cm.product_id
   order by m.created_at desc, m.id desc;
end;
$$;
revoke all on function public.search_messages(text, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.search_messages(text, timestamptz, uuid, integer) to authenticated;
