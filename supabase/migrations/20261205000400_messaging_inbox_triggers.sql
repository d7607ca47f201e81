-- Messaging inbox triggers: keep each conversation's preview and each member's unread count,
-- read position and archive current as messages are written, edited and deleted, so the inbox
-- is read from member rows and never from the message history.
-- Depends on messaging_schema and messaging_rpc_helpers (precedes).
--
-- The conversation row is shared by both members and hot under load: each trigger touches it
-- with one small update at most.

-- A new message becomes the conversation's preview (unless a later one already is), counts as
-- unread for the recipient, brings the conversation back from the recipient's archive, and moves
-- the sender's read position to it: whoever writes has read what came before.
create function private.on_message_inserted() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_id = new.id,
         last_message_at = new.created_at,
         last_message_preview = left(new.body, 200),
         last_message_sender_id = new.sender_id,
         last_message_deleted = false
   where c.id = new.conversation_id
     and (c.last_message_at is null or private.precedes(c.last_message_at, c.last_message_id, new.created_at, new.id));

  -- The sender's position moves only forward: a message from the other side that committed
  -- first with a later timestamp stays unread.
  update public.conversation_members m
     set last_message_at = greatest(m.last_message_at, new.created_at),
         unread_count = case
           when m.user_id <> new.sender_id then m.unread_count + 1
           when (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id))
             then (select count(*) from public.messages x
                    where x.conversation_id = new.conversation_id and x.sender_id <> new.sender_id and x.deleted_at is null
                      and private.precedes(new.created_at, new.id, x.created_at, x.id))
           else m.unread_count end,
         archived_at = case when m.user_id = new.sender_id then m.archived_at else null end,
         last_read_at = case
           when m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.created_at
           else m.last_read_at end,
         last_read_message_id = case
           when m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.id
           else m.last_read_message_id end
   where m.conversation_id = new.conversation_id;
  return null;
end;
$$;
revoke all on function private.on_message_inserted() from public, anon, authenticated;

create trigger messages_after_insert
  after insert on public.messages
  for each row execute function private.on_message_inserted();

-- An edit or delete of the last message changes the preview; deleting a message the recipient
-- has not read yet takes it out of their unread count.
create function private.on_message_changed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_preview = left(new.body, 200),
         last_message_deleted = new.deleted_at is not null
   where c.id = new.conversation_id and c.last_message_id = new.id;

  if old.deleted_at is null and new.deleted_at is not null then
    update public.conversation_members m
       set unread_count = greatest(m.unread_count - 1, 0)
     where m.conversation_id = new.conversation_id
       and m.user_id <> new.sender_id
       and m.unread_count > 0
       and (m.last_read_at is null
            or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id));
  end if;
  return null;
end;
$$;
revoke all on function private.on_message_changed() from public, anon, authenticated;

create trigger messages_after_change
  after update of body, deleted_at on public.messages
  for each row execute function private.on_message_changed();
