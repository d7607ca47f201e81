-- Messaging retention: the operator's purge of messages past their expiry (set per sender tier
-- at send time from messaging_settings). Depends on messaging_schema and messaging_rpc_helpers.

-- Deletes messages past their retention (at most p_batch per call, oldest expiry first),
-- repairs the previews and unread counts of the conversations they were in, and returns
-- how many each conversation lost. For the operator's scheduler: service_role only.
create function public.purge_expired_messages(p_batch integer default 10000)
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
         last_message_preview = coalesce(left(latest.body, 200), ''),
         last_message_sender_id = latest.sender_id,
         last_message_deleted = coalesce(latest.deleted_at is not null, false)
    from unnest(conversations) as purged(id)
    left join lateral (
      select m.id, m.created_at, m.body, m.sender_id, m.deleted_at from public.messages m
       where m.conversation_id = purged.id
       order by m.created_at desc, m.id desc limit 1
    ) latest on true
   where c.id = purged.id;

  update public.conversation_members cm
     set unread_count = (select count(*) from public.messages x
                          where x.conversation_id = cm.conversation_id and x.sender_id <> cm.user_id and x.deleted_at is null
                            and (cm.last_read_at is null
                                 or private.precedes(cm.last_read_at, coalesce(cm.last_read_message_id, '00000000-0000-0000-0000-000000000000'), x.created_at, x.id)))
   where cm.conversation_id = any(conversations);

  return query select * from unnest(conversations, counts);
end;
$$;
revoke all on function public.purge_expired_messages(integer) from public, anon, authenticated;
grant execute on function public.purge_expired_messages(integer) to service_role;
