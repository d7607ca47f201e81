-- Message events pushed by reference on plain PostgreSQL, and unread totals from the index
-- alone. Depends on messaging_events, messaging_event_triggers, messaging_realtime_parity and
-- messaging_contact_masking.
--
-- A send rendered its events inside its own transaction: the message and the preview as each
-- member sees it, and each member's unread total (a sum over their unread conversations: 1,200
-- rows for a busy seller). That was about a sixth of a send's time in the database, spent for
-- every member whether or not anyone was connected to see it, and on Supabase only to be
-- dropped (its push carries a cursor). On plain PostgreSQL the push now carries the events'
-- (user_id, id); the relay renders, one query per batch, only the events of members with a
-- stream open.

-- The unread index carries what the badge total sums, so unread_total_of reads the index only.
-- unread_count is already in the index's predicate, so including it costs no HOT update.
drop index public.conversation_members_unread_idx;
create index conversation_members_unread_idx on public.conversation_members
  (user_id, last_message_at desc, conversation_id desc) include (unread_count, muted_until)
  where unread_count > 0 and archived_at is null;

-- messaging_contact_masking's emit_message_event, rendering nothing: the log row is a reference,
-- and so is the push (Supabase's pushes carry only a cursor since messaging_realtime_parity).
create or replace function private.emit_message_event(event_type text, message_id uuid, conversation uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  recipients uuid[];
  logged jsonb[];
begin
  select array_agg(m.user_id order by m.user_id), array_agg(jsonb_build_object('message_id', message_id) order by m.user_id)
    into recipients, logged
    from public.conversation_members m where m.conversation_id = conversation;
  perform private.emit(event_type, conversation, recipients, null, logged);
end;
$$;

-- messaging_realtime_parity's messaging_publish, where on plain PostgreSQL an event without a
-- payload travels as a reference, as one too large for NOTIFY does (the relay renders both with
-- messaging_events_by_ref). Supabase's content-free push is unchanged.
create or replace function public.messaging_publish(events jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  message text;
  poke record;
begin
  if to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    for poke in
      select value ->> 'user_id' as user_id, max((value ->> 'id')::bigint) as cursor
        from jsonb_array_elements(events) group by 1
    loop
      execute 'select realtime.send($1, $2, $3, true)'
        using jsonb_build_object('cursor', poke.cursor), 'events', 'user:' || poke.user_id;
    end loop;
    return;
  end if;
  if not exists (select from jsonb_array_elements(events) e where jsonb_typeof(e.value -> 'payload') is distinct from 'object') then
    message := jsonb_build_object('events', events)::text;
  end if;
  if message is null or octet_length(message) > 7900 then
    message := jsonb_build_object('refs', (
      select jsonb_agg(jsonb_build_object('user_id', value -> 'user_id', 'id', value -> 'id')) from jsonb_array_elements(events)
    ))::text;
  end if;
  perform pg_notify('bazaar_messaging', message);
end;
$$;
