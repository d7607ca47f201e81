-- Message events rendered in the send only for members who are likely watching, pushed by
-- reference for the rest. Depends on messaging_events, messaging_event_triggers,
-- messaging_realtime_parity, messaging_contact_masking and messaging_member_preferences
-- (member_activity).
--
-- A send rendered its events for every member: the message and the preview as each sees it, and
-- each one's unread total. That was about a sixth of a send's time in the database, spent whether
-- or not anyone was connected to see it, and on Supabase only to be dropped (its push carries a
-- cursor). Pushing every event by reference instead, for the relay to render after the commit,
-- made the relay's queue of renders the delivery time once many members were online (90 ms median
-- with 5,000 streams at 520 sends/s on 2 cores, against 1.8 ms). So on plain PostgreSQL a send
-- renders the event for each member seen in the last 90 seconds (a live stream records its member
-- every 30 s, and at once when it opens or closes; every signed-in page load does too) and pushes
-- it ready to write; the rest travel as (user_id, id), and the relay renders those, with
-- messaging_events_by_ref, only for members with a stream open in its process. The log row is a
-- reference either way, so the log never holds message text. Nothing renders on Supabase.
create or replace function private.emit_message_event(event_type text, message_id uuid, conversation uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  rendering boolean := to_regprocedure('realtime.send(jsonb, text, text, boolean)') is null;
  recipients uuid[];
  payloads jsonb[];
  logged jsonb[];
begin
  -- The message renders once, and only if a member is watched: an uncorrelated subquery is run
  -- at its first use.
  select array_agg(m.user_id order by m.user_id),
         array_agg(case when rendering and a.last_seen_at > now() - interval '90 seconds' then
                     jsonb_build_object('message', private.message_seen_by((select private.message_json(message_id)), m.user_id),
                                        'preview', private.preview_json(conversation, m.user_id),
                                        'unread_total', private.unread_total_of(m.user_id))
                   end order by m.user_id),
         array_agg(jsonb_build_object('message_id', message_id) order by m.user_id)
    into recipients, payloads, logged
    from public.conversation_members m
    left join private.member_activity a on a.user_id = m.user_id
   where m.conversation_id = conversation;
  perform private.emit(event_type, conversation, recipients, payloads, logged);
end;
$$;

-- messaging_realtime_parity's messaging_publish, where on plain PostgreSQL one notification carries
-- the rendered events as they are and the rest as references (only references when that does not
-- fit in NOTIFY's 8000 bytes). Supabase's content-free push is unchanged.
create or replace function public.messaging_publish(events jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  message text;
  rendered jsonb;
  refs jsonb;
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
  select jsonb_agg(e.value) filter (where jsonb_typeof(e.value -> 'payload') = 'object'),
         jsonb_agg(jsonb_build_object('user_id', e.value -> 'user_id', 'id', e.value -> 'id'))
           filter (where jsonb_typeof(e.value -> 'payload') is distinct from 'object')
    into rendered, refs
    from jsonb_array_elements(events) e;
  message := (case when refs is null then jsonb_build_object('events', rendered)
                   when rendered is null then jsonb_build_object('refs', refs)
                   else jsonb_build_object('events', rendered, 'refs', refs) end)::text;
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
