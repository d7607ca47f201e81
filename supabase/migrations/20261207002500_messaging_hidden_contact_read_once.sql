-- The text of a message hiding contact details is looked up once per rendering. Depends on
-- messaging_seller_sees_who_got_it (message_seen_by).
--
-- message_seen_by chose the text its viewer may see in a sub-select that PostgreSQL pulls up into
-- the query around it, copying the expression to each place that names it, so the test for a
-- deal's payload and the answer each ran the lookup: twice per rendering. And it looked the text
-- up even for a message the messages view had rendered as that viewer, which already holds the
-- text they may see: a sender's own events, caught up or pushed by their send, read the text
-- as written three times, once in the view and twice here. Now once, in the view; a message
-- rendered as someone else (a send's push to the other member, the relay as service_role) is
-- looked up once here. OFFSET 0 keeps the sub-select a step of its own.

-- messaging_seller_sees_who_got_it's message_seen_by, the text looked up once and only for a
-- message rendered as someone else; otherwise unchanged:
--
-- A rendered message (from private.message_json, as the caller sees it) as `viewer` may see it:
-- its sender gets the text as written, anyone else the stored text, and a deal's update names its
-- buyer only to its seller. Called by render_event and a send's pushes; not granted.
create or replace function private.message_seen_by(message jsonb, viewer uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case when (seen.message -> 'payload') ? 'deal_conversation_id'
              then seen.message || jsonb_build_object('payload', private.payload_seen_by(seen.message -> 'payload', viewer))
              else seen.message end
    from (select case
      when message is null or not coalesce((message ->> 'contact_hidden')::boolean, false) then message
      when viewer = (select auth.uid()) then message
      when (message ->> 'sender_id')::uuid = viewer then message || jsonb_build_object('body', coalesce(
        (select o.body from public.message_originals o where o.message_id = (message ->> 'id')::uuid), message ->> 'body'))
      else message || jsonb_build_object('body', (select m.body from public.messages m where m.id = (message ->> 'id')::uuid))
    end as message offset 0) seen
$$;
revoke all on function private.message_seen_by(jsonb, uuid) from public, anon, authenticated;
