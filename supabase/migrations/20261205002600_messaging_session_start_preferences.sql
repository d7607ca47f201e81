-- What every signed-in page starts from gains the member's preferences and records the member
-- as seen, so a page load stays one round trip (it was three calls: the session start, the
-- preferences and mark_seen). Replaces messaging_events' messaging_session_start; depends on
-- messaging_member_preferences.

-- What every signed-in page starts from, in one call: the caller's newest event id (as
-- current_event_cursor) and badge total (as unread_total), both read from the one snapshot of
-- the call, so the total is the one that cursor stands for; their preferences; and the caller
-- recorded as seen now (at most one write per 30 seconds), which holds back email digests of
-- what they can read on screen. Signed-in users, their own rows only.
create or replace function public.messaging_session_start() returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  perform private.record_seen(array[me]);
  return jsonb_build_object(
    'cursor', coalesce((select c.last_id from public.messaging_event_counters c where c.user_id = me), 0),
    'unread_total', private.unread_total_of(me),
    'preferences', private.preferences_json(me));
end;
$$;
