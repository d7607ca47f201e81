-- An event renders its message once. Depends on messaging_contact_masking (render_event).
--
-- render_event read its message through a sub-select that PostgreSQL pulls up into the query
-- around it, and the expression it names is then copied to each place that uses it: the message
-- was read from the messages view twice per message event (once to test for a purged message,
-- once to render it). OFFSET 0 keeps the sub-select a step of its own, run once, and only for a
-- message event. A catch-up of 62 events (sync_since) cost PostgreSQL 5.9 ms of CPU before, 4.6
-- ms after; the relay's events by reference share the function.

-- messaging_contact_masking's render_event, its message read once; otherwise unchanged:
--
-- messaging_events' render_event, with the message as the event's owner may see it (the relay
-- renders events by reference as service_role, not as their owner). Otherwise unchanged.
create or replace function private.render_event(e public.messaging_events, unread_total integer) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case
    when e.type in ('message.created', 'message.updated') then
      case when m.message is not null then
        jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
          'created_at', e.created_at, 'payload', jsonb_build_object(
            'message', private.message_seen_by(m.message, e.user_id), 'preview', private.preview_json(e.conversation_id, e.user_id),
            'unread_total', unread_total))
      end
    when e.type = 'conversation.updated' then
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload || jsonb_build_object('preview', private.preview_json(e.conversation_id, e.user_id)))
    else
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload)
  end
  -- OFFSET 0: not pulled up, so message_json runs once, however often m.message is used (and,
  -- with the test, for message events only).
  from (select case when e.type in ('message.created', 'message.updated') then private.message_json((e.payload ->> 'message_id')::uuid) end as message
        offset 0) m
$$;
