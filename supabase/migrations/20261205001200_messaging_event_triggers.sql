-- Messaging event triggers: which changes become events, and for whom: messages written,
-- edited or deleted; read positions, archive and mute of a member; blocks and unblocks.
-- Depends on messaging_events (emit, preview_json), messaging_inbox (read state, unread
-- totals) and messaging_messages (message_json).

-- Message events for both members: the push carries the rendered message and each member's
-- own preview; the log keeps only the message id and renders it when read (sync_since).
create function private.emit_message_event(event_type text, message_id uuid, conversation uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  message jsonb := private.message_json(message_id);
  recipients uuid[];
  payloads jsonb[];
  logged jsonb[];
begin
  select array_agg(m.user_id order by m.user_id),
         array_agg(jsonb_build_object('message', message, 'preview', private.preview_json(conversation, m.user_id),
                                      'unread_total', private.unread_total_of(m.user_id)) order by m.user_id),
         array_agg(jsonb_build_object('message_id', message_id) order by m.user_id)
    into recipients, payloads, logged
    from public.conversation_members m where m.conversation_id = conversation;
  perform private.emit(event_type, conversation, recipients, payloads, logged);
end;
$$;
revoke all on function private.emit_message_event(text, uuid, uuid) from public, anon, authenticated;

-- Runs after the preview triggers of messaging_inbox_triggers (triggers fire in name order:
-- messages_after_* before messages_publish), so the pushed preview is current.
create function private.publish_message_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.emit_message_event(
    case when tg_op = 'INSERT' then 'message.created' else 'message.updated' end, new.id, new.conversation_id);
  return null;
end;
$$;
revoke all on function private.publish_message_change() from public, anon, authenticated;

create trigger messages_publish
  after insert or update of body, deleted_at on public.messages
  for each row execute function private.publish_message_change();

-- A read position that moved: the reader's other tabs drop their badges, the other member
-- shows "Seen". Each gets its own read state.
create function private.emit_read_event(conversation uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  recipients uuid[];
  payloads jsonb[];
begin
  select array_agg(m.user_id order by m.user_id),
         array_agg(jsonb_build_object('read_state', private.read_state_json(conversation, m.user_id),
                                      'unread_total', private.unread_total_of(m.user_id)) order by m.user_id)
    into recipients, payloads
    from public.conversation_members m where m.conversation_id = conversation;
  perform private.emit('read', conversation, recipients, payloads);
end;
$$;
revoke all on function private.emit_read_event(uuid) from public, anon, authenticated;

-- Archive, mute and read-position changes of a member, as events. A new message also updates
-- member rows (the sender's read position moves to it); the message event covers those, so only
-- changes that come without a new message are published here.
create function private.on_membership_changed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.last_message_at is distinct from old.last_message_at then
    return null; -- part of a new message, published with it
  end if;
  if (new.last_read_at, new.last_read_message_id) is distinct from (old.last_read_at, old.last_read_message_id) then
    perform private.emit_read_event(new.conversation_id);
  end if;
  if (new.archived_at, new.muted_until) is distinct from (old.archived_at, old.muted_until) then
    perform private.emit('conversation.updated', new.conversation_id, array[new.user_id],
      array[jsonb_build_object(
        'read_state', private.read_state_json(new.conversation_id, new.user_id),
        'preview', private.preview_json(new.conversation_id, new.user_id),
        'unread_total', private.unread_total_of(new.user_id))],
      -- The preview holds message text: the log keeps the rest and renders it when read.
      array[jsonb_build_object(
        'read_state', private.read_state_json(new.conversation_id, new.user_id),
        'unread_total', private.unread_total_of(new.user_id))]);
  end if;
  return null;
end;
$$;
revoke all on function private.on_membership_changed() from public, anon, authenticated;

create trigger conversation_members_after_change
  after update of last_read_at, last_read_message_id, archived_at, muted_until on public.conversation_members
  for each row execute function private.on_membership_changed();

-- A block or unblock, to both users: the blocked side's open threads stop offering to send
-- (and start again), and the blocker's other tabs follow.
create function private.publish_block_change() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  block public.user_blocks := case when tg_op = 'INSERT' then new else old end;
  blocked boolean := tg_op = 'INSERT';
begin
  perform private.emit('block.updated', null, array[block.blocker_id, block.blocked_id], array[
    jsonb_build_object('other_user_id', block.blocked_id, 'by_me', true, 'blocked', blocked),
    jsonb_build_object('other_user_id', block.blocker_id, 'by_me', false, 'blocked', blocked)
  ]);
  return null;
end;
$$;
revoke all on function private.publish_block_change() from public, anon, authenticated;

create trigger user_blocks_publish
  after insert or delete on public.user_blocks
  for each row execute function private.publish_block_change();
