-- A catch-up renders its events in one pass. Depends on messaging_events (sync_since) and
-- messaging_payloads_read_in_place (the messages view and the preview rows).
--
-- sync_since rendered event by event through render_event: each message event ran the messages
-- view as a query of its own (message_json), and each event with a preview ran the preview rows as
-- another, the same conversation's preview once for every event of it. Every one of those calls
-- is a query started and ended (about 5 µs before it reads a row), and each result was built as
-- jsonb, then built again inside the event, and again in the list. Now one statement reads the
-- page of events, joins the messages view on their message ids and the preview rows on their
-- conversations (each preview read once), and builds the answer as json text, as PostgREST
-- builds results. The events are unchanged: each message as its member sees it now (the view
-- runs as the caller, as message_json did; render_event's message_seen_by then changed nothing
-- for its own member), a purged one skipped, every event of a conversation carrying its preview.
-- PostgreSQL's CPU for a catch-up (300 calls each, one connection): 60 events in 5 conversations
-- 7.2 ms before, 1.8 after; 31 events in 31 conversations 3.8 ms before, 1.5 after.
--
-- The answer becomes json (it was jsonb), so the function is made anew: a changed return type
-- cannot be replaced. The relay's renders by reference (messaging_events_by_ref) keep
-- render_event: they render as service_role, for members who are not the caller.

drop function public.sync_since(bigint, integer);

-- messaging_events' sync_since, rendered in one pass as json; otherwise unchanged:
--
-- The caller's events after p_cursor, oldest first, at most p_limit. resync is true when the
-- cursor is older than what is kept (or from another database): the client must reload.
-- Signed-in users, their own log only.
create function public.sync_since(p_cursor bigint, p_limit integer default 500)
returns json
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  counter public.messaging_event_counters;
  page_size integer := least(greatest(coalesce(p_limit, 500), 1), 1000);
  events json;
  last_id bigint;
  scanned integer;
  total integer := private.unread_total_of(me);
begin
  select * into counter from public.messaging_event_counters c where c.user_id = me;
  if p_cursor is null or p_cursor < 0 or p_cursor < coalesce(counter.pruned_through, 0) or p_cursor > coalesce(counter.last_id, 0) then
    return json_build_object('events', '[]'::json, 'cursor', coalesce(counter.last_id, 0), 'resync', true, 'has_more', false);
  end if;
  with page as materialized (
    select e.* from public.messaging_events e
     where e.user_id = me and e.id > p_cursor
     order by e.id limit page_size
  ), previews as materialized (
    select v.conversation_id, (to_jsonb(v) - 'user_id')::json as preview
      from private.conversation_preview_rows v
     where v.user_id = me
       and v.conversation_id in (select p.conversation_id from page p
                                  where p.type in ('message.created', 'message.updated', 'conversation.updated'))
  )
  select coalesce(json_agg(r.event order by r.id) filter (where r.event is not null), '[]'::json), max(r.id), count(*)
    into events, last_id, scanned
    from (select p.id, case
            when p.type in ('message.created', 'message.updated') then
              case when v.id is not null then
                json_build_object('user_id', p.user_id, 'id', p.id, 'type', p.type, 'conversation_id', p.conversation_id,
                  'created_at', p.created_at, 'payload', json_build_object('message', to_json(v), 'preview', pr.preview, 'unread_total', total))
              end
            when p.type = 'conversation.updated' then
              json_build_object('user_id', p.user_id, 'id', p.id, 'type', p.type, 'conversation_id', p.conversation_id,
                'created_at', p.created_at, 'payload', (p.payload || jsonb_build_object('preview', pr.preview))::json)
            else
              json_build_object('user_id', p.user_id, 'id', p.id, 'type', p.type, 'conversation_id', p.conversation_id,
                'created_at', p.created_at, 'payload', p.payload)
          end as event
          from page p
          left join public.messages_realtime_view v
            on p.type in ('message.created', 'message.updated') and v.id = (p.payload ->> 'message_id')::uuid
          left join previews pr on pr.conversation_id = p.conversation_id) r;
  return json_build_object(
    'events', events,
    'cursor', coalesce(last_id, p_cursor),
    'resync', false,
    'has_more', scanned = page_size
  );
end;
$$;
revoke all on function public.sync_since(bigint, integer) from public, anon, authenticated;
grant execute on function public.sync_since(bigint, integer) to authenticated;
