-- Marking read counts what is unread after the member's row is locked. Depends on
-- messaging_mark_unread (mark_conversation_read).
--
-- mark_conversation_read chose the message read up to, then counted what was left unread inside
-- the UPDATE of the member's row. When another member's send or delete held that row (their
-- trigger updating it), the UPDATE waited, and then counted from a snapshot taken before the wait:
-- a message sent meanwhile, after the read position, counted as read (no badge, no Unread filter,
-- no digest), and an unread message deleted meanwhile was counted after its own decrement (one
-- too many). The row is now locked first, so every read after it sees what committed before.
-- Lock order: the member's own row, then (as before) its event counter; a send takes the
-- conversation's member rows before any counter, so the two cannot wait on each other in a cycle.

-- messaging_mark_unread's mark_conversation_read, locking the member's row first; otherwise unchanged:
--
-- Marks the caller's conversation read up to p_up_to_message_id (the newest message when null),
-- and ends a "Mark as unread". Members only; returns the caller's read state.
create or replace function public.mark_conversation_read(p_conversation_id uuid, p_up_to_message_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members := private.membership(p_conversation_id, me);
  target_id uuid;
  target_at timestamptz;
begin
  -- The member's row first: a send or a delete committing meanwhile has updated it by then, and
  -- the reads below see its message.
  select * into member from public.conversation_members m
   where m.conversation_id = p_conversation_id and m.user_id = me
     for no key update;
  if member.marked_unread then
    update public.conversation_members m
       set marked_unread = false, unread_count = greatest(m.unread_count - 1, 0)
     where m.conversation_id = p_conversation_id and m.user_id = me and m.marked_unread;
  end if;

  if p_up_to_message_id is null then
    select m.id, m.created_at into target_id, target_at from public.messages m
     where m.conversation_id = p_conversation_id
     order by m.created_at desc, m.id desc limit 1;
  else
    select m.id, m.created_at into target_id, target_at from public.messages m
     where m.id = p_up_to_message_id and m.conversation_id = p_conversation_id;
    if not found then
      perform private.fail('not_found', 'That message is not in this conversation.');
    end if;
  end if;

  if target_id is not null and (
       member.last_read_at is null
       or private.precedes(member.last_read_at, coalesce(member.last_read_message_id, '00000000-0000-0000-0000-000000000000'), target_at, target_id)
     ) then
    update public.conversation_members m
       set last_read_at = target_at,
           last_read_message_id = target_id,
           unread_count = (select count(*) from public.messages x
                            where x.conversation_id = p_conversation_id and x.sender_id <> me and x.deleted_at is null
                              and private.precedes(target_at, target_id, x.created_at, x.id))
     where m.conversation_id = p_conversation_id and m.user_id = me
       -- Checked again on the locked row: a concurrent call may have moved it further meanwhile.
       and (m.last_read_at is null
            or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), target_at, target_id));
  end if;
  return private.read_state_json(p_conversation_id, me);
end;
$$;
