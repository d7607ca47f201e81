-- A message of photos only is previewed with their count: "2 photos", as notifications already
-- said, and "Photo" for one. Depends on messaging_attachments (message_preview, on_message_changed,
-- purge_expired_messages) and messaging_cheaper_sends (on_message_inserted).
--
-- The inbox said "Photo" for a message of six. The message row holds its rendered photos from its
-- insert on (store_message), so each writer of a preview passes them along.

-- The text an inbox preview shows for a message: nothing once deleted, its photos for a message of
-- photos only, else the start of its text. For the preview triggers and the purge only.
create function private.message_preview(body text, deleted boolean, photos jsonb) returns text
language sql
immutable
set search_path = ''
as $$
  select case when deleted then ''
              when body <> '' then left(body, 200)
              when jsonb_array_length(coalesce(photos, '[]'::jsonb)) > 1 then jsonb_array_length(photos) || ' photos'
              else 'Photo' end
$$;
revoke all on function private.message_preview(text, boolean, jsonb) from public, anon, authenticated;

-- messaging_cheaper_sends' on_message_inserted, the preview with its photos; otherwise unchanged.
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

-- messaging_attachments' on_message_changed, the preview with its photos; otherwise unchanged.
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
  end if;
  return null;
end;
$$;

-- messaging_attachments' purge, the repaired preview with its photos; otherwise unchanged, grants
-- kept.
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

  update public.conversation_members cm
     set unread_count = (select count(*) from public.messages x
                          where x.conversation_id = cm.conversation_id and x.sender_id <> cm.user_id and x.deleted_at is null
                            and (cm.last_read_at is null
                                 or private.precedes(cm.last_read_at, coalesce(cm.last_read_message_id, '00000000-0000-0000-0000-000000000000'), x.created_at, x.id)))
   where cm.conversation_id = any(conversations);

  return query select * from unnest(conversations, counts);
end;
$$;

drop function private.message_preview(text, boolean);

-- Previews written before, of a last message of several photos.
update public.conversations c
   set last_message_preview = jsonb_array_length(m.attachments) || ' photos'
  from public.messages m
 where m.id = c.last_message_id and m.body = '' and m.deleted_at is null and jsonb_array_length(m.attachments) > 1;
