-- Messaging message edits: editing and deleting one's own messages.
-- Depends on messaging_schema, messaging_rpc_helpers and messaging_messages (clean_body,
-- check_not_blocked, message_json).

-- A message in one of the caller's conversations (locked when asked); anyone else's is "not found".
-- Also what report_message (messaging_moderation) reports.
create function private.visible_message(message uuid, me uuid, lock boolean) returns public.messages
language plpgsql
set search_path = ''
as $$
declare
  found_message public.messages;
begin
  if lock then
    select * into found_message from public.messages m where m.id = message for update;
  else
    select * into found_message from public.messages m where m.id = message;
  end if;
  if found_message.id is null
     or not exists (select from public.conversation_members c where c.conversation_id = found_message.conversation_id and c.user_id = me) then
    perform private.fail('not_found', 'This message does not exist.');
  end if;
  return found_message;
end;
$$;
revoke all on function private.visible_message(uuid, uuid, boolean) from public, anon, authenticated;

-- The caller's own text message, locked for editing or deleting.
create function private.own_message(message uuid, me uuid) returns public.messages
language plpgsql
set search_path = ''
as $$
declare
  found_message public.messages;
begin
  found_message := private.visible_message(message, me, true);
  if found_message.sender_id <> me or found_message.kind <> 'text' then
    perform private.fail('not_allowed', 'You can only change your own messages.');
  end if;
  return found_message;
end;
$$;
revoke all on function private.own_message(uuid, uuid) from public, anon, authenticated;

-- Replaces the text of the caller's own message and marks it edited. Only its sender may, and
-- not on a deleted message or between blocked users.
create function public.edit_message(p_id uuid, p_body text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages := private.own_message(p_id, me);
  cleaned text := private.clean_body(p_body);
begin
  if message.deleted_at is not null then
    perform private.fail('message_deleted', 'This message was deleted and can no longer be edited.');
  end if;
  perform private.check_not_blocked(me, (select m.other_user_id from public.conversation_members m
                                          where m.conversation_id = message.conversation_id and m.user_id = me));
  if cleaned <> message.body then
    update public.messages m set body = cleaned, edited_at = now() where m.id = p_id;
  end if;
  return private.message_json(p_id);
end;
$$;
revoke all on function public.edit_message(uuid, text) from public, anon, authenticated;
grant execute on function public.edit_message(uuid, text) to authenticated;

-- Deletes the caller's own message for everyone: the row stays (so the thread shows
-- "message deleted") but its text is gone. Only its sender may. Deleting twice is harmless.
create function public.delete_message(p_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages := private.own_message(p_id, me);
begin
  if message.deleted_at is null then
    update public.messages m set body = '', deleted_at = now() where m.id = p_id;
  end if;
  return private.message_json(p_id);
end;
$$;
revoke all on function public.delete_message(uuid) from public, anon, authenticated;
grant execute on function public.delete_message(uuid) to authenticated;
