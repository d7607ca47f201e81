-- "Needs reply" follows a question taken back. Depends on messaging_seller_triage
-- (awaiting_reply_since), messaging_photo_count_in_previews (on_message_changed) and
-- messaging_expiry_keeps_unread_mark (purge_expired_messages).
--
-- A member waits for a reply from the time of the other member's first message after their own
-- last one (awaiting_reply_since, the "Needs reply" filter and the response-time badge). A send
-- keeps it current; a message deleted or expired did not: a buyer's only question, deleted or
-- expired, left the seller's conversation under "Needs reply", showing "Message deleted" or an
-- older message, and counted in the seller's response time as a question still waiting. Now a
-- deletion or an expiry recomputes it, as seller_triage's backfill first computed it: from the
-- other member's messages that remain after the member's own last message (a system message that
-- records a member's answer to an offer, or a sale, counts as theirs, as on_message_inserted does).

-- When `member` has waited for a reply since, in `conversation`: the first message of `other`
-- still there (not deleted) after `member`'s own last; null when none is. Internal: the triggers
-- and the purge call it.
create function private.awaiting_reply_since(conversation uuid, member uuid, other uuid) returns timestamptz
language sql
stable
set search_path = ''
as $$
  select min(x.created_at) from public.messages x
   where x.conversation_id = conversation and x.sender_id = other and x.kind <> 'system' and x.deleted_at is null
     and x.created_at > coalesce((select max(y.created_at) from public.messages y
                                   where y.conversation_id = conversation and y.sender_id = member
                                     and (y.kind <> 'system'
                                          or (y.payload ->> 'event') = any (array['offer.accepted', 'offer.declined', 'offer.withdrawn', 'listing.sold']))),
                                 '-infinity')
$$;
revoke all on function private.awaiting_reply_since(uuid, uuid, uuid) from public, anon, authenticated;

-- messaging_photo_count_in_previews' on_message_changed, a deletion also recomputing the other
-- member's wait; otherwise unchanged.
create or replace function private.on_message_changed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_preview = private.message_preview(new.body, new.deleted_at is not null, new.attachments),
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
    update public.conversation_members m
       set awaiting_reply_since = private.awaiting_reply_since(m.conversation_id, m.user_id, new.sender_id)
     where m.conversation_id = new.conversation_id
       and m.user_id <> new.sender_id
       and m.awaiting_reply_since is not null
       and new.kind <> 'system';
  end if;
  return null;
end;
$$;

-- messaging_expiry_keeps_unread_mark's purge_expired_messages, also recomputing each waiting
-- member's wait; otherwise unchanged:
--
-- Deletes up to p_batch expired messages (oldest expiry first), then brings each affected
-- conversation's preview and its members' unread counts and waits in line with what remains.
-- Returns each conversation and how many of its messages went. The operator's (service_role) only.
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

  update public.conversation_members cm
     set awaiting_reply_since = private.awaiting_reply_since(cm.conversation_id, cm.user_id, cm.other_user_id)
   where cm.conversation_id = any(conversations) and cm.awaiting_reply_since is not null;

  return query select * from unnest(conversations, counts);
end;
$$;
revoke all on function public.purge_expired_messages(integer) from public, anon, authenticated;
grant execute on function public.purge_expired_messages(integer) to service_role;
