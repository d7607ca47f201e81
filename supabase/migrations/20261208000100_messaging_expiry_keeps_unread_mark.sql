-- Message expiry keeps a conversation marked unread. Depends on messaging_mark_unread (the mark)
-- and messaging_photo_count_in_previews (purge_expired_messages).
--
-- purge_expired_messages recounts each member's unread messages from what is left, and left the
-- mark as it was: a marked row then counted nothing (the mark's message is counted by no
-- message), the other member's next message added 1 - 1 (it takes the mark's place), and a real
-- unread message showed no badge, no place in the Unread filter and no part of the total. Now the
-- recount keeps the mark where nothing real is unread (one counted, as mark_conversation_unread
-- sets it), and ends it where a real message is: the member keeps their reminder, and every
-- unread message counts.

-- messaging_photo_count_in_previews' purge_expired_messages, its recount keeping the mark;
-- otherwise unchanged:
--
-- Deletes up to p_batch expired messages (oldest expiry first), then brings each affected
-- conversation's preview and its members' unread counts in line with what remains. Returns each
-- conversation and how many of its messages went. The operator's (service_role) only.
create or replace function public.purge_expired_messages(p_batch integer default 10000)
returns table (conversation_id uuid, removed bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  conversations uuid[];
  counts bigint[];
begin
  with expired as (
    select m.id from public.messages m
     where m.expires_at < now()
     order by m.expires_at
     limit greatest(coalesce(p_batch, 10000), 1)
  ), gone as (
    delete from public.messages m using expired e where m.id = e.id returning m.conversation_id
  ), per_conversation as (
    select g.conversation_id, count(*) as removed from gone g group by g.conversation_id
  )
  select coalesce(array_agg(p.conversation_id), '{}'), coalesce(array_agg(p.removed), '{}')
    into conversations, counts
    from per_conversation p;

  update public.conversations c
     set last_message_id = latest.id,
         last_message_at = latest.created_at,
         last_message_preview = coalesce(private.message_preview(latest.body, latest.deleted_at is not null, latest.attachments), ''),
         last_message_sender_id = latest.sender_id,
         last_message_deleted = coalesce(latest.deleted_at is not null, false)
    from unnest(conversations) as purged(id)
    left join lateral (
      select m.id, m.created_at, m.body, m.sender_id, m.deleted_at, m.attachments from public.messages m
       where m.conversation_id = purged.id
       order by m.created_at desc, m.id desc limit 1
    ) latest on true
   where c.id = purged.id;

  with recount as (
    select cm.conversation_id, cm.user_id,
           (select count(*) from public.messages x
             where x.conversation_id = cm.conversation_id and x.sender_id <> cm.user_id and x.deleted_at is null
               and (cm.last_read_at is null
                    or private.precedes(cm.last_read_at, coalesce(cm.last_read_message_id, '00000000-0000-0000-0000-000000000000'), x.created_at, x.id))) as unread
      from public.conversation_members cm
     where cm.conversation_id = any(conversations)
  )
  update public.conversation_members cm
     set unread_count = case when cm.marked_unread and r.unread = 0 then 1 else r.unread end,
         marked_unread = cm.marked_unread and r.unread = 0
    from recount r
   where cm.conversation_id = r.conversation_id and cm.user_id = r.user_id;

  return query select * from unnest(conversations, counts);
end;
$$;
revoke all on function public.purge_expired_messages(integer) from public, anon, authenticated;
grant execute on function public.purge_expired_messages(integer) to service_role;
