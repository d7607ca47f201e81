-- Sends into one conversation without deadlocking each other. Depends on messaging_offers (the
-- latest on_message_inserted) and messaging_plans_for_every_caller (its generic plan).
--
-- A send updates both members' rows of its conversation in one statement. That statement finds
-- them through a bitmap scan, in the order they lie in the table, and an update that changes an
-- indexed column (last_message_at) moves a row to a new place: two sends whose statements started
-- on either side of a third one's commit could meet the two rows in opposite orders, each lock
-- one and wait for the other. PostgreSQL then cancels one of them after its deadlock_timeout (a
-- second): ten connections sending into one conversation through the form action hit this once
-- in 4,400 sends, a send that failed after waiting 1,055 ms. Both rows are now locked first, in
-- user order, before either is written, so every send takes them in the same order.
create or replace function private.on_message_inserted() returns trigger
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  writes boolean := new.kind <> 'system';
begin
  update public.conversations c
     set last_message_id = new.id,
         last_message_at = new.created_at,
         last_message_preview = private.message_preview(new.body, new.deleted_at is not null),
         last_message_sender_id = new.sender_id,
         last_message_deleted = false
   where c.id = new.conversation_id
     and (c.last_message_at is null or private.precedes(c.last_message_at, c.last_message_id, new.created_at, new.id));

  -- ORDER BY runs before FOR NO KEY UPDATE: the rows are locked in user order.
  perform from public.conversation_members m
    where m.conversation_id = new.conversation_id
    order by m.user_id
    for no key update;

  -- The sender's position moves only forward: a message from the other side that committed
  -- first with a later timestamp stays unread.
  update public.conversation_members m
     set last_message_at = greatest(m.last_message_at, new.created_at),
         unread_count = case
           when m.user_id <> new.sender_id then m.unread_count + 1
           when writes and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id))
             then (select count(*) from public.messages x
                    where x.conversation_id = new.conversation_id and x.sender_id <> new.sender_id and x.deleted_at is null
                      and private.precedes(new.created_at, new.id, x.created_at, x.id))
           else m.unread_count end,
         archived_at = case when m.user_id = new.sender_id then m.archived_at else null end,
         last_read_at = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.created_at
           else m.last_read_at end,
         last_read_message_id = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.id
           else m.last_read_message_id end
   where m.conversation_id = new.conversation_id;
  return null;
end;
$$;
