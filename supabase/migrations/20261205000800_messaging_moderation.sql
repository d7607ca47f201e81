-- Messaging moderation: blocking and unblocking users, reporting messages.
-- Depends on messaging_schema, messaging_rpc_helpers and messaging_message_edits (visible_message).
-- Sending checks blocks itself (messaging_messages); the block events are in messaging_event_triggers.

-- Blocks a user for the signed-in caller: neither side can send to the other until unblocked.
-- Idempotent.
create function public.block_user(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  if p_user_id is null or p_user_id = me then
    perform private.fail('invalid_input', 'You can’t block yourself.');
  end if;
  if not exists (select from public.profiles p where p.id = p_user_id) then
    perform private.fail('not_found', 'This user does not exist.');
  end if;
  insert into public.user_blocks (blocker_id, blocked_id) values (me, p_user_id) on conflict do nothing;
  return jsonb_build_object('user_id', p_user_id, 'blocked', true);
end;
$$;
revoke all on function public.block_user(uuid) from public, anon, authenticated;
grant execute on function public.block_user(uuid) to authenticated;

-- Lifts the signed-in caller's own block of a user (never anyone else's). Idempotent.
create function public.unblock_user(p_user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  delete from public.user_blocks b where b.blocker_id = me and b.blocked_id = p_user_id;
  return jsonb_build_object('user_id', p_user_id, 'blocked', false);
end;
$$;
revoke all on function public.unblock_user(uuid) from public, anon, authenticated;
grant execute on function public.unblock_user(uuid) to authenticated;

-- Reports another member's message to moderators, keeping a copy of its text. Reporting the
-- same message twice returns the first report. Members of its conversation only, and never
-- on their own messages.
create function public.report_message(p_message_id uuid, p_reason text, p_details text default '')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages;
  report_id uuid;
begin
  if p_reason is null or p_reason not in ('spam', 'scam', 'abuse', 'other') then
    perform private.fail('invalid_input', 'Choose a reason: spam, scam, abuse or other.');
  end if;
  if char_length(coalesce(p_details, '')) > 1000 then
    perform private.fail('invalid_input', 'Report details can be at most 1000 characters.');
  end if;
  message := private.visible_message(p_message_id, me, false);
  if message.sender_id = me then
    perform private.fail('not_allowed', 'You can’t report your own message.');
  end if;
  insert into public.message_reports (message_id, conversation_id, reporter_id, reported_user_id, reason, details, body_snapshot)
  values (message.id, message.conversation_id, me, message.sender_id, p_reason::public.report_reason, btrim(coalesce(p_details, '')), message.body)
  on conflict (message_id, reporter_id) do nothing
  returning id into report_id;
  if report_id is null then
    select r.id into report_id from public.message_reports r where r.message_id = p_message_id and r.reporter_id = me;
  end if;
  return jsonb_build_object('id', report_id, 'message_id', p_message_id);
end;
$$;
revoke all on function public.report_message(uuid, text, text) from public, anon, authenticated;
grant execute on function public.report_message(uuid, text, text) to authenticated;
