-- Messaging events: the per-user event log, the push (and its Supabase Realtime authorisation)
-- and the RPCs that read and prune the log; messaging_event_triggers decides which changes
-- become events. Depends on messaging_schema, messaging_rpc_helpers, messaging_inbox (preview
-- rows, read state, unread totals) and messaging_messages (message_json).
--
-- Realtime that never loses a message: every change a member must see becomes a row in that
-- member's event log, written in the same transaction as the change, then pushed after commit
-- (pg_notify on plain PostgreSQL, realtime.send on Supabase). Clients catch up with
-- sync_since(cursor) after every (re)connect, so a missed push costs nothing.
--
-- Event ids are per user and assigned under a lock on the user's counter row, held until
-- commit: a user's events become visible in id order, with no gaps. A cursor can therefore
-- never pass an event that commits late. (A global sequence is not commit-ordered: a slow
-- transaction holding id 10 can commit after id 11 was delivered.) Writers serialise only
-- per recipient, and always lock counters in user-id order, so they cannot deadlock.

create table public.messaging_event_counters (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  last_id bigint not null default 0,
  -- Events up to this id were pruned: a cursor below it must reload instead of catching up.
  pruned_through bigint not null default 0
);

create table public.messaging_events (
  user_id uuid not null references public.profiles (id) on delete cascade,
  id bigint not null,
  type text not null check (type in ('message.created', 'message.updated', 'read', 'conversation.updated', 'block.updated')),
  -- null for events about a user rather than a conversation (blocks)
  conversation_id uuid,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  primary key (user_id, id)
);
create index messaging_events_created_idx on public.messaging_events (created_at);

alter table public.messaging_event_counters enable row level security;
alter table public.messaging_events enable row level security;
revoke all on public.messaging_event_counters, public.messaging_events from anon, authenticated;
grant select on public.messaging_events to authenticated;
grant all on public.messaging_event_counters, public.messaging_events to service_role;

create policy "users read their own events"
  on public.messaging_events for select to authenticated
  using ((select auth.uid()) = user_id);

-- Pushes committed-to-be events to their users. On Supabase: one broadcast per event to the
-- private channel user:<id> (authorised by the policy on realtime.messages below). On plain
-- PostgreSQL: one NOTIFY per call on channel bazaar_messaging, carrying the events when they
-- fit in NOTIFY's 8000 bytes and only their (user_id, id) otherwise, for the server to fetch.
-- NOTIFY is delivered at commit, and never for a rolled-back transaction. Called by
-- private.emit; service_role only otherwise, so no client can forge a push.
create function public.messaging_publish(events jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  event jsonb;
  message text;
begin
  if to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    for event in select value from jsonb_array_elements(events) loop
      execute 'select realtime.send($1, $2, $3, true)'
        using event, event ->> 'type', 'user:' || (event ->> 'user_id');
    end loop;
    return;
  end if;
  message := jsonb_build_object('events', events)::text;
  if octet_length(message) > 7900 then
    message := jsonb_build_object('refs', (
      select jsonb_agg(jsonb_build_object('user_id', value -> 'user_id', 'id', value -> 'id')) from jsonb_array_elements(events)
    ))::text;
  end if;
  perform pg_notify('bazaar_messaging', message);
end;
$$;
revoke all on function public.messaging_publish(jsonb) from public, anon, authenticated;
grant execute on function public.messaging_publish(jsonb) to service_role;

-- Supabase Realtime authorisation: a signed-in user may receive broadcasts on their own
-- private channel user:<id>, and send and receive typing and presence on the channels
-- conversation:<id> of conversations they belong to. Only where the realtime schema exists.
do $$
begin
  if exists (select from pg_namespace where nspname = 'realtime')
     and to_regclass('realtime.messages') is not null then
    execute $policy$
      create policy "users receive their own messaging events"
        on realtime.messages for select to authenticated
        using (
          realtime.messages.extension = 'broadcast'
          and (select realtime.topic()) = 'user:' || (select auth.uid())::text
        )
    $policy$;
    execute $policy$
      create policy "members share typing and presence in their conversations"
        on realtime.messages for select to authenticated
        using (
          realtime.messages.extension in ('broadcast', 'presence')
          and (select realtime.topic()) like 'conversation:%'
          and exists (
            select from public.conversation_members m
             where m.user_id = (select auth.uid())
               and m.conversation_id::text = substr((select realtime.topic()), 14)
          )
        )
    $policy$;
    execute $policy$
      create policy "members send typing and presence in their conversations"
        on realtime.messages for insert to authenticated
        with check (
          realtime.messages.extension in ('broadcast', 'presence')
          and (select realtime.topic()) like 'conversation:%'
          and exists (
            select from public.conversation_members m
             where m.user_id = (select auth.uid())
               and m.conversation_id::text = substr((select realtime.topic()), 14)
          )
        )
    $policy$;
  end if;
end
$$;

-- Appends one event per recipient (payloads in the same order as recipients) and publishes
-- them. Counter rows are locked in user-id order and stay locked until commit. The log keeps
-- logged_payloads when given (references, not copies of message text, so an edit, delete or
-- purge leaves no old text behind); the push carries the rendered payloads.
create function private.emit(event_type text, conversation uuid, recipients uuid[], payloads jsonb[], logged_payloads jsonb[] default null) returns void
language plpgsql
set search_path = ''
as $$
declare
  published jsonb;
begin
  insert into public.messaging_event_counters (user_id)
  select unnest(recipients) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters c where c.user_id = any(recipients) order by c.user_id for update;

  with bumped as (
    update public.messaging_event_counters c set last_id = c.last_id + 1
     where c.user_id = any(recipients)
    returning c.user_id, c.last_id
  ), rendered as (
    select b.user_id, b.last_id as id, r.payload, coalesce(r.logged, r.payload) as logged
      from bumped b
      join unnest(recipients, payloads, coalesce(logged_payloads, array_fill(null::jsonb, array[cardinality(recipients)])))
        as r(user_id, payload, logged) on r.user_id = b.user_id
  ), inserted as (
    insert into public.messaging_events (user_id, id, type, conversation_id, payload)
    select x.user_id, x.id, event_type, conversation, x.logged from rendered x
    returning user_id, id, created_at
  )
  select jsonb_agg(jsonb_build_object('user_id', i.user_id, 'id', i.id, 'type', event_type, 'conversation_id', conversation,
                                      'payload', x.payload, 'created_at', i.created_at))
    into published
    from inserted i join rendered x on x.user_id = i.user_id and x.id = i.id;
  perform public.messaging_publish(published);
end;
$$;
revoke all on function private.emit(text, uuid, uuid[], jsonb[], jsonb[]) from public, anon, authenticated;

-- A member's inbox row of a conversation (list_conversation_previews' shape), for events.
create function private.preview_json(conversation uuid, member uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(v) - 'user_id' from private.conversation_preview_rows v
   where v.conversation_id = conversation and v.user_id = member
$$;
revoke all on function private.preview_json(uuid, uuid) from public, anon, authenticated;

-- An event of the log as clients receive it. Message events are rendered from the message as
-- it is now (an edited or deleted message shows as such; a purged one renders as null and is
-- skipped), and previews from the conversation as it is now, so the log never holds old text.
create function private.render_event(e public.messaging_events, unread_total integer) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case
    when e.type in ('message.created', 'message.updated') then
      case when m.message is not null then
        jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
          'created_at', e.created_at, 'payload', jsonb_build_object(
            'message', m.message, 'preview', private.preview_json(e.conversation_id, e.user_id), 'unread_total', unread_total))
      end
    when e.type = 'conversation.updated' then
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload || jsonb_build_object('preview', private.preview_json(e.conversation_id, e.user_id)))
    else
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload)
  end
  from (select private.message_json((e.payload ->> 'message_id')::uuid) as message) m
$$;
revoke all on function private.render_event(public.messaging_events, integer) from public, anon, authenticated;

-- The caller's newest event id: where a freshly loaded page starts listening. Signed-in users.
create function public.current_event_cursor() returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  return coalesce((select c.last_id from public.messaging_event_counters c where c.user_id = me), 0);
end;
$$;
revoke all on function public.current_event_cursor() from public, anon, authenticated;
grant execute on function public.current_event_cursor() to authenticated;

-- What every signed-in page starts from, in one call: the caller's newest event id (as
-- current_event_cursor) and badge total (as unread_total), both read from the one snapshot of
-- the call, so the total is the one that cursor stands for. Signed-in users, their own only.
create function public.messaging_session_start() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  return jsonb_build_object(
    'cursor', coalesce((select c.last_id from public.messaging_event_counters c where c.user_id = me), 0),
    'unread_total', private.unread_total_of(me));
end;
$$;
revoke all on function public.messaging_session_start() from public, anon, authenticated;
grant execute on function public.messaging_session_start() to authenticated;

-- The caller's events after p_cursor, oldest first, at most p_limit. resync is true when the
-- cursor is older than what is kept (or from another database): the client must reload.
-- Signed-in users, their own log only.
create function public.sync_since(p_cursor bigint, p_limit integer default 500)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  counter public.messaging_event_counters;
  page_size integer := least(greatest(coalesce(p_limit, 500), 1), 1000);
  events jsonb;
  last_id bigint;
  scanned integer;
  total integer := private.unread_total_of(me);
begin
  select * into counter from public.messaging_event_counters c where c.user_id = me;
  if p_cursor is null or p_cursor < 0 or p_cursor < coalesce(counter.pruned_through, 0) or p_cursor > coalesce(counter.last_id, 0) then
    return jsonb_build_object('events', '[]'::jsonb, 'cursor', coalesce(counter.last_id, 0), 'resync', true, 'has_more', false);
  end if;
  select coalesce(jsonb_agg(e.event order by e.id) filter (where e.event is not null), '[]'::jsonb), max(e.id), count(*)
    into events, last_id, scanned
    from (select e.id, private.render_event(e, total) as event
            from public.messaging_events e
           where e.user_id = me and e.id > p_cursor
           order by e.id limit page_size) e;
  return jsonb_build_object(
    'events', events,
    'cursor', coalesce(last_id, p_cursor),
    'resync', false,
    'has_more', scanned = page_size
  );
end;
$$;
revoke all on function public.sync_since(bigint, integer) from public, anon, authenticated;
grant execute on function public.sync_since(bigint, integer) to authenticated;

-- Fetches events by reference, for the server relaying a NOTIFY too large to carry them.
-- service_role only: it serves every user.
create function public.messaging_events_by_ref(refs jsonb)
returns table (user_id uuid, event jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select e.user_id, private.render_event(e, private.unread_total_of(e.user_id))
    from public.messaging_events e
    join jsonb_to_recordset(refs) as r(user_id uuid, id bigint) on e.user_id = r.user_id and e.id = r.id
   order by e.user_id, e.id
$$;
revoke all on function public.messaging_events_by_ref(jsonb) from public, anon, authenticated;
grant execute on function public.messaging_events_by_ref(jsonb) to service_role;

-- Deletes events older than p_keep and records, per user, how far the log was cut, so an older
-- cursor gets resync. For the operator's scheduler: service_role only.
create function public.prune_messaging_events(p_keep interval default interval '7 days')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  removed bigint;
begin
  with gone as (
    delete from public.messaging_events e where e.created_at < now() - p_keep returning e.user_id, e.id
  ), per_user as (
    select g.user_id, max(g.id) as through, count(*) as n from gone g group by g.user_id
  ), marked as (
    update public.messaging_event_counters c set pruned_through = greatest(c.pruned_through, p.through)
      from per_user p where c.user_id = p.user_id
    returning p.n
  )
  select coalesce(sum(n), 0) into removed from marked;
  return removed;
end;
$$;
revoke all on function public.prune_messaging_events(interval) from public, anon, authenticated;
grant execute on function public.prune_messaging_events(interval) to service_role;
