-- "Mark as unread": a member puts a conversation they have read back among their unread ones, to
-- come back to it, as every mail and chat inbox lets them. Depends on messaging_event_triggers
-- (on_membership_changed), messaging_plans_for_every_caller (mark_conversation_read's plan
-- setting) and messaging_photo_count_in_previews (on_message_inserted).
--
-- The read position stays where it is: moving it back would take "Seen" away from the other
-- member, who did see their message read. Instead the member row counts one unread message and
-- says it was marked (marked_unread), so the inbox, the Unread filter, the badge total and their
-- indexes treat it as any unread conversation, with no new plan. Marked only while nothing is
-- unread, so a marked row always holds one counted message that does not exist: the next message
-- from the other member takes its place, and reading or writing in the conversation clears it.
-- Message expiry (purge_expired_messages) recounts from the messages and so drops the mark; the
-- member loses a reminder, never a message.

alter table public.conversation_members add column marked_unread boolean not null default false;

-- Marks the caller's conversation unread: counted as one unread message until they read it or
-- write in it, or the other member writes. A conversation with unread messages is left as it
-- is. Members only (not_member otherwise); returns the caller's read state.
create function public.mark_conversation_unread(p_conversation_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  perform private.membership(p_conversation_id, me);
  update public.conversation_members m
     set marked_unread = true, unread_count = 1
   where m.conversation_id = p_conversation_id and m.user_id = me and m.unread_count = 0;
  return private.read_state_json(p_conversation_id, me);
end;
$$;
revoke all on function public.mark_conversation_unread(uuid) from public, anon, authenticated;
grant execute on function public.mark_conversation_unread(uuid) to authenticated;

-- messaging_inbox's mark_conversation_read, which now also clears a mark: a conversation marked
-- unread is read once opened, though its read position need not move. Same grants and plan setting.
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

-- messaging_photo_count_in_previews' on_message_inserted; a new message ends a mark: the other
-- member's message takes the place of the counted one, and the sender, writing, has read it.
create or replace function private.on_message_inserted() returns trigger
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  writes boolean := new.kind <> 'system';
  tracks boolean := coalesce(new.kind <> 'system'
    or (new.payload ->> 'event') = any (array['offer.accepted', 'offer.declined', 'offer.withdrawn', 'listing.sold']), false);
  owed_since timestamptz;
begin
  update public.conversations c
     set last_message_id = new.id,
         last_message_at = new.created_at,
         last_message_preview = private.message_preview(new.body, new.deleted_at is not null, new.attachments),
         last_message_sender_id = new.sender_id,
         last_message_deleted = false
   where c.id = new.conversation_id
     and (c.last_message_at is null or private.precedes(c.last_message_at, c.last_message_id, new.created_at, new.id));

  -- ORDER BY runs before FOR NO KEY UPDATE: the rows are locked in user order. The sender's
  -- wait is read here, as it was before this message.
  select max(l.awaiting_reply_since) filter (where l.user_id = new.sender_id) into owed_since
    from (select m.user_id, m.awaiting_reply_since from public.conversation_members m
           where m.conversation_id = new.conversation_id
           order by m.user_id
           for no key update) l;

  -- The sender's position moves only forward: a message from the other side that committed
  -- first with a later timestamp stays unread.
  update public.conversation_members m
     set last_message_at = greatest(m.last_message_at, new.created_at),
         unread_count = case
           when m.user_id <> new.sender_id then m.unread_count + 1 - m.marked_unread::integer
           when writes and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id))
             then (select count(*) from public.messages x
                    where x.conversation_id = new.conversation_id and x.sender_id <> new.sender_id and x.deleted_at is null
                      and private.precedes(new.created_at, new.id, x.created_at, x.id))
           else m.unread_count end,
         marked_unread = m.marked_unread and m.user_id = new.sender_id and not writes,
         archived_at = case when m.user_id = new.sender_id then m.archived_at else null end,
         last_read_at = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.created_at
           else m.last_read_at end,
         last_read_message_id = case
           when writes and m.user_id = new.sender_id and (m.last_read_at is null
                 or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), new.created_at, new.id)) then new.id
           else m.last_read_message_id end,
         awaiting_reply_since = case
           when not tracks then m.awaiting_reply_since
           when m.user_id = new.sender_id then null
           when writes then coalesce(m.awaiting_reply_since, new.created_at)
           else m.awaiting_reply_since end
   where m.conversation_id = new.conversation_id;

  if tracks and owed_since is not null
     and exists (select from public.conversations c where c.id = new.conversation_id and c.seller_id = new.sender_id) then
    delete from private.first_replies r where r.user_id = new.sender_id and r.replied_at < now() - interval '30 days';
    insert into private.first_replies (user_id, conversation_id, asked_at, replied_at)
    values (new.sender_id, new.conversation_id, owed_since, new.created_at);
  end if;
  return null;
end;
$$;

-- messaging_event_triggers' on_membership_changed: a mark made or cleared is published to the
-- member's other tabs as archiving is, with the preview and badge total it changes.
create or replace function private.on_membership_changed() returns trigger
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
  if (new.archived_at, new.muted_until, new.marked_unread) is distinct from (old.archived_at, old.muted_until, old.marked_unread) then
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

drop trigger conversation_members_after_change on public.conversation_members;
create trigger conversation_members_after_change
  after update of last_read_at, last_read_message_id, archived_at, muted_until, marked_unread on public.conversation_members
  for each row execute function private.on_membership_changed();
