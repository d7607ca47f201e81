-- Search finds conversations by who and what they are about. Depends on
-- messaging_deleted_member_in_previews (the preview rows) and messaging_search_words_as_written
-- (search_messages, whose refusals this search shares).
--
-- The inbox search read message text only: a seller typing a buyer's name, or the title of a
-- listing twelve buyers had asked about, was told "No messages match." Now the same query also
-- finds the caller's conversations whose other member's name or username, or listing title,
-- holds every word. A member has at most a few thousand conversations, so each of the caller's
-- own member rows is matched with the profile and listing it names: no index over everyone's
-- names is needed, and no other member's conversations are read.

-- Text as the conversation search compares it: lower case, accents dropped (decomposed, then
-- the combining marks removed: "Müller" is found by "muller"). Built-in functions only: unaccent
-- is an extension not every host has. Plain ASCII, most names, skips the decomposition, the
-- dearest step. A SQL function the planner inlines into the search's scan, so it costs what
-- its expression costs per row; a search_path setting would prevent that, and none is needed:
-- the body names no object (Supabase's linter still flags it). Internal.
create function private.search_folded(t text) returns text
language sql
immutable
parallel safe
as $$
  select lower(case when octet_length(t) = char_length(t) then t
                    else regexp_replace(normalize(t, nfd), '[\u0300-\u036f]+', '', 'g') end)
$$;
revoke all on function private.search_folded(text) from public, anon, authenticated;

-- The caller's conversations whose other member's display name or username, or listing title,
-- holds the start of a word for every word of the query, case and accents aside ("hohen back"
-- finds Hohenzollern's conversation about the backpack); signs in the query are only text.
-- Newest activity first, archived ones too (marked `archived`), as preview rows. Signed-in
-- users; only the caller's own member rows (user_id = me) are read. Refuses what
-- search_messages refuses, with its words; page size 1 to 20.
create function public.search_conversations(p_query text, p_limit integer default 5)
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
  page_size integer := least(greatest(coalesce(p_limit, 5), 1), 20);
  patterns text[];
  found uuid[];
begin
  if char_length(coalesce(p_query, '')) > 200 then
    perform private.fail('invalid_input', 'Search for at most 200 characters.');
  end if;
  -- A word is what the person typed between spaces; one without a letter or digit ("&") says
  -- nothing about a name, and a query of only such is refused as search_messages refuses it.
  -- Each word must start a word of the folded text: at its start or after any sign, so "k"
  -- finds "anna_k" and "leather" finds "(leather)". Every sign in the word is escaped, so "%",
  -- "_", "." or "\" is only that character.
  select array_agg('(^|[^[:alnum:]])' || regexp_replace(private.search_folded(w.word), '([^[:alnum:]])', '\\\1', 'g'))
    into patterns
    from regexp_split_to_table(coalesce(p_query, ''), '[[:space:]]+') as w(word)
   where w.word ~ '[[:alnum:]]';
  if patterns is null then
    perform private.fail('invalid_input', 'Type a word to search for.');
  end if;

  -- Every member row of the caller, by the per-user index, with its other member's profile and
  -- its listing: a name is as likely in an old conversation as in a new one, so no reading
  -- order would stop sooner for the searches people make. The cost is the caller's
  -- conversations (a busy seller's few thousand), never anyone else's.
  select array_agg(x.conversation_id order by x.last_message_at desc, x.conversation_id desc) into found
    from (select m.conversation_id, m.last_message_at
            from public.conversation_members m
            join public.profiles o on o.id = m.other_user_id
            left join public.products p on p.id = m.product_id
           where m.user_id = me
             -- || rather than concat_ws, which costs more than the rest of the match.
             and private.search_folded(o.display_name || ' ' || o.username || coalesce(' ' || p.title, '')) ~ all (patterns)
           order by m.last_message_at desc, m.conversation_id desc
           limit page_size) x;

  return query
  select v.conversation_id, v.other_user_id, v.other_username, v.other_display_name, v.other_avatar_url,
         v.product_id, v.product_title, v.product_price_cents, v.product_currency, v.product_image_url, v.product_status,
         v.last_message_id, v.last_message_at, v.last_message_preview, v.last_message_sender_id, v.last_message_deleted,
         v.unread_count, v.archived, v.muted_until, v.other_last_read_at, v.last_message_kind::text, v.needs_reply,
         v.last_message_payload, v.product_seller_id, v.other_deleted
    from unnest(found, array_fill(me, array[coalesce(cardinality(found), 0)])) with ordinality as page(id, member, position)
    join private.conversation_preview_rows v on v.conversation_id = page.id and v.user_id = page.member
   order by page.position;
end;
$$;
revoke all on function public.search_conversations(text, integer) from public, anon, authenticated;
grant execute on function public.search_conversations(text, integer) to authenticated;
