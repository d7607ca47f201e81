-- Messaging attachments: photos of messages. A photo is processed and stored by the app
-- server (src/lib/server/messaging/attachments), recorded here as a pending attachment of its
-- uploader, and linked to a message when one of the uploader's sends names it. Readers reach
-- the files only through attachment_for_reader (the app's authorised route) or, on Supabase,
-- the storage.objects policies below, both by conversation membership with no block between
-- the members. Every removed attachment is queued so its files are deleted too: nothing of a
-- deleted, purged or abandoned photo stays stored.
-- Depends on messaging_schema, messaging_rpc_helpers, messaging_inbox_triggers (the previews),
-- messaging_messages (send_message, replaced here), messaging_retention (purge_expired_messages,
-- replaced here) and messaging_event_triggers (the message events carry the photos).
--
-- Reads outnumber writes by far, so each message carries its photos as clients render them
-- (messages.attachments): a thread page reads no attachment rows. The column is written with the
-- message, emptied with its deletion, and rewritten whenever a live message loses a photo row.
--
-- Storage keys, for both adapters: <attachment id>/thumb.webp and <attachment id>/display.webp;
-- on Supabase in the private bucket message-attachments.

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  uploader_id uuid not null references public.profiles (id) on delete cascade,
  -- null while pending: uploaded, not sent yet.
  message_id uuid references public.messages (id) on delete cascade,
  -- The photo's place in its message, from 0; null while pending.
  position smallint check (position between 0 and 5),
  -- The display size and the thumbnail, as stored (WebP, never enlarged).
  width integer not null check (width between 1 and 10000),
  height integer not null check (height between 1 and 10000),
  thumb_width integer not null check (thumb_width between 1 and 10000),
  thumb_height integer not null check (thumb_height between 1 and 10000),
  -- Both files together.
  bytes bigint not null check (bytes > 0),
  created_at timestamptz not null default now(),
  constraint attachments_position_when_sent check ((message_id is null) = (position is null))
);

-- A message's photos in order (what message_photos_json renders, and what a message's delete
-- or purge cascades through); one photo per place.
create unique index attachments_message_idx on public.attachments (message_id, position) where message_id is not null;
-- A user's uploads, newest last: the upload rate limit, and what erasing the user cascades through.
create index attachments_uploader_idx on public.attachments (uploader_id, created_at);
-- Pending uploads by age: what purge_abandoned_attachments reads.
create index attachments_pending_idx on public.attachments (created_at) where message_id is null;

alter table public.attachments enable row level security;
revoke all on public.attachments from anon, authenticated;
grant select on public.attachments to authenticated;
grant all on public.attachments to service_role;

-- Like messages: members read the photos of their conversations' messages; an uploader also
-- reads their own pending ones. Clients write only through the RPCs below.
create policy "members read their conversations' photos, uploaders their pending ones"
  on public.attachments for select to authenticated
  using (
    (message_id is null and (select auth.uid()) = uploader_id)
    or exists (
      select from public.messages m
        join public.conversation_members cm on cm.conversation_id = m.conversation_id
       where m.id = attachments.message_id and cm.user_id = (select auth.uid())
    )
  );

-- Attachments removed from the database whose files are still stored: filled by the trigger
-- below whatever removed them (a deleted message, a purge, an abandoned or discarded upload, an
-- erased account), drained by the app (take, delete the files, forget). Internal: the owner and
-- service_role only.
create table private.attachment_removals (
  attachment_id uuid primary key,
  removed_at timestamptz not null default now()
);
create index attachment_removals_removed_idx on private.attachment_removals (removed_at, attachment_id);
revoke all on private.attachment_removals from public, anon, authenticated;
grant select, insert, delete on private.attachment_removals to service_role;

-- Queues every attachment row removed by one statement (cascades included), once.
create function private.queue_attachment_removals() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into private.attachment_removals (attachment_id)
  select g.id from removed g
  on conflict (attachment_id) do nothing;
  return null;
end;
$$;
revoke all on function private.queue_attachment_removals() from public, anon, authenticated;

create trigger attachments_queue_removals
  after delete on public.attachments
  referencing old table as removed
  for each statement execute function private.queue_attachment_removals();

-- One attachment as clients receive it (the Attachment shape): what create_attachment returns
-- and what messages.attachments lists.
create function private.attachment_json(a public.attachments) returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object('id', a.id, 'width', a.width, 'height', a.height, 'thumb_width', a.thumb_width, 'thumb_height', a.thumb_height)
$$;
revoke all on function private.attachment_json(public.attachments) from public, anon, authenticated;

-- A message's photos as clients render them, in order: [{id, width, height, thumb_width,
-- thumb_height}], [] when none, and [] once the message is deleted (the triggers below). A
-- constant default, so adding the column rewrites no row and takes its lock only for a moment.
-- Clients have no write grant on messages (messaging_schema): only the functions here set it.
alter table public.messages add column attachments jsonb not null default '[]'::jsonb;

-- What messages.attachments holds for a live message: its attachment rows, in order. Internal.
create function private.message_photos_json(message uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(private.attachment_json(a) order by a.position), '[]'::jsonb)
    from public.attachments a
   where a.message_id = message
$$;
revoke all on function private.message_photos_json(uuid) from public, anon, authenticated;

-- Photos are linked to a message only by send_message, which stores messages.attachments in the
-- same insert. Whatever else removes a photo row of a live message (an operator's delete, a
-- cascade) rewrites that message's column here, so no reader is shown a photo that is gone.
-- Deleted and purged messages are skipped: their column is already empty, or their row gone.
-- Security definer: the removing role (service_role, a cascade) need not write messages.
create function private.refresh_message_photos() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  touched uuid[];
begin
  select array_agg(distinct g.message_id) into touched from removed g where g.message_id is not null;
  if touched is not null then
    -- Locked first (in id order), then read by the next statement's fresh snapshot: a concurrent
    -- removal from one of these messages is waited for and included, never overwritten.
    -- id = any(array): one primary-key probe per message, whatever plan is cached.
    perform from public.messages m where m.id = any(touched) and m.deleted_at is null order by m.id for update;
    update public.messages m set attachments = private.message_photos_json(m.id)
     where m.id = any(touched) and m.deleted_at is null;
  end if;
  return null;
end;
$$;
revoke all on function private.refresh_message_photos() from public, anon, authenticated;

create trigger attachments_refresh_messages
  after delete on public.attachments
  referencing old table as removed
  for each statement execute function private.refresh_message_photos();

-- A deleted message shows no photos: its column is emptied in the deleting update itself (one
-- row version, and every after-row trigger and event sees it empty).
create function private.clear_deleted_message_photos() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.attachments := '[]'::jsonb;
  return new;
end;
$$;
revoke all on function private.clear_deleted_message_photos() from public, anon, authenticated;

create trigger messages_before_soft_delete_photos
  before update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.clear_deleted_message_photos();

-- Deleting a message removes its photos for everyone: the rows now (the trigger above queues
-- their files), so no reader can reach them again.
create function private.remove_deleted_message_photos() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  delete from public.attachments a where a.message_id = new.id;
  return null;
end;
$$;
revoke all on function private.remove_deleted_message_photos() from public, anon, authenticated;

-- Fires in the deleting update's after-row triggers (before messages_publish: triggers fire in
-- name order); the message's column is already empty (messages_before_soft_delete_photos).
create trigger messages_after_soft_delete_photos
  after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.remove_deleted_message_photos();

-- A message may now be photos only: its body is then ''. send_message decides when that is
-- allowed (photos attached); the table only keeps bodies trimmed and at most 4000 characters.
-- Added unvalidated, then validated: validating takes no lock that stops readers and writers.
alter table public.messages drop constraint messages_body_length;
alter table public.messages add constraint messages_body_length check (
  (deleted_at is not null and body = '')
  or (deleted_at is null and char_length(body) <= 4000 and body = btrim(body))
) not valid;
alter table public.messages validate constraint messages_body_length;

-- What a message previews as in the inbox: its text, 'Photo' when it has none (photos only),
-- '' once deleted.
create function private.message_preview(body text, deleted boolean) returns text
language sql
immutable
set search_path = ''
as $$
  select case when deleted then '' when body = '' then 'Photo' else left(body, 200) end
$$;
revoke all on function private.message_preview(text, boolean) from public, anon, authenticated;

-- messaging_inbox_triggers' preview triggers, with photo-only messages previewed as 'Photo';
-- otherwise unchanged.
create or replace function private.on_message_inserted() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_id = new.id,
         last_message_at = new.created_at,
         last_message_preview = private.message_preview(new.body, new.deleted_at is not null),
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

create or replace function private.on_message_changed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.conversations c
     set last_message_preview = private.message_preview(new.body, new.deleted_at is not null),
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

-- The messages view gains each message's photos, in order ([] when none, and for a deleted
-- message), read from the message row itself; a reply to a photo-only message quotes it as
-- 'Photo'. Otherwise as in messaging_schema (columns are only ever added at the end).
create or replace view public.messages_realtime_view with (security_invoker = true) as
select
  m.id,
  m.conversation_id,
  m.sender_id,
  s.username as sender_username,
  s.display_name as sender_display_name,
  s.avatar_url as sender_avatar_url,
  m.kind,
  m.body,
  m.reply_to_id,
  r.sender_id as reply_to_sender_id,
  case when r.deleted_at is not null then '' when r.body = '' then 'Photo' else left(r.body, 140) end as reply_to_preview,
  (r.deleted_at is not null) as reply_to_deleted,
  m.created_at,
  m.edited_at,
  m.deleted_at,
  c.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  case when m.deleted_at is null then m.attachments else '[]'::jsonb end as attachments
from public.messages m
join public.conversations c on c.id = m.conversation_id
join public.profiles s on s.id = m.sender_id
left join public.products p on p.id = c.product_id
left join public.messages r on r.id = m.reply_to_id;

-- Records a photo the app server has processed, as a pending attachment of the caller, and
-- returns it. Sizes are those of the stored display image and thumbnail (1 to 10000 pixels);
-- bytes those of both files. Signed-in users; at most 60 pending uploads an hour each (off
-- when the operator turned the per-minute message limit off), so abandoned uploads cannot
-- pile up.
create function public.create_attachment(p_width integer, p_height integer, p_thumb_width integer, p_thumb_height integer, p_bytes bigint)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  recent integer;
  created public.attachments;
begin
  if p_width is null or p_height is null or p_thumb_width is null or p_thumb_height is null
     or least(p_width, p_height, p_thumb_width, p_thumb_height) < 1
     or greatest(p_width, p_height, p_thumb_width, p_thumb_height) > 10000 then
    perform private.fail('invalid_input', 'A photo must be between 1 and 10000 pixels wide and high.');
  end if;
  if p_bytes is null or p_bytes < 1 then
    perform private.fail('invalid_input', 'A photo needs its size in bytes.');
  end if;
  if (select s.rate_limit_per_minute from public.messaging_settings s) is not null then
    -- Reads at most 60 of the caller's newest uploads (attachments_uploader_idx).
    select count(*) into recent
      from (select from public.attachments a
             where a.uploader_id = me and a.created_at > now() - interval '1 hour' and a.message_id is null
             limit 60) r;
    if recent >= 60 then
      perform private.fail('rate_limited', 'You have uploaded 60 photos in the last hour without sending them. Send or remove some, then try again.');
    end if;
  end if;
  insert into public.attachments (uploader_id, width, height, thumb_width, thumb_height, bytes)
  values (me, p_width, p_height, p_thumb_width, p_thumb_height, p_bytes)
  returning * into created;
  return private.attachment_json(created)::json;
end;
$$;
revoke all on function public.create_attachment(integer, integer, integer, integer, bigint) from public, anon, authenticated;
grant execute on function public.create_attachment(integer, integer, integer, integer, bigint) to authenticated;

-- Drops one of the caller's pending attachments (removed from the composer, or its files could
-- not be stored); its files are queued for removal. Anything else (unknown, someone else's,
-- already sent) is left alone without an error, so a repeated discard is harmless.
-- Signed-in users.
create function public.discard_attachment(p_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  delete from public.attachments a where a.id = p_id and a.uploader_id = me and a.message_id is null;
end;
$$;
revoke all on function public.discard_attachment(uuid) from public, anon, authenticated;
grant execute on function public.discard_attachment(uuid) to authenticated;

-- The attachment if `me` may see its files: their own upload (pending or sent), or a photo of a
-- message in one of their conversations, not deleted, with no block between the two members in
-- either direction (a blocked user loses the photos from the moment of the block). No row
-- otherwise. Internal: attachment_for_reader and the storage policies ask it for the caller.
create function private.readable_attachment(attachment uuid, me uuid) returns public.attachments
language sql
stable
set search_path = ''
as $$
  select a.* from public.attachments a
   where a.id = attachment
     and (a.uploader_id = me
          or exists (
            select from public.messages m
              join public.conversation_members cm on cm.conversation_id = m.conversation_id and cm.user_id = me
             where m.id = a.message_id and m.deleted_at is null
               and not exists (
                 select from public.user_blocks b
                  where (b.blocker_id = me and b.blocked_id = cm.other_user_id)
                     or (b.blocker_id = cm.other_user_id and b.blocked_id = me))))
$$;
revoke all on function private.readable_attachment(uuid, uuid) from public, anon, authenticated;

-- Whether the caller may see an attachment's files, for the app's file route: {id, message_id}
-- (message_id null while pending) when they may (see readable_attachment), not_found otherwise,
-- the same answer whether the photo does not exist or is not theirs to see. Signed-in users.
create function public.attachment_for_reader(p_id uuid)
returns json
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  found_attachment public.attachments := private.readable_attachment(p_id, me);
begin
  if found_attachment.id is null then
    perform private.fail('not_found', 'This photo does not exist or is not yours to see.');
  end if;
  return json_build_object('id', found_attachment.id, 'message_id', found_attachment.message_id);
end;
$$;
revoke all on function public.attachment_for_reader(uuid) from public, anon, authenticated;
grant execute on function public.attachment_for_reader(uuid) to authenticated;

-- messaging_messages' send_message with photos: p_attachment_ids names up to 6 of the caller's
-- pending attachments, linked to the message in the order given. The body may then be empty.
--
-- Sends a message as the signed-in caller, into p_conversation_id or into the conversation with
-- p_other_user_id about p_product_id, which the first message creates (concurrent first
-- sends create one conversation). p_id is the client's idempotency key: sending the same id
-- again returns the stored message, photos included, and writes nothing. Refuses non-members,
-- blocked pairs, bodies over 4000 characters or empty without photos, more than 6 photos or the
-- same one twice, photos that are not the caller's pending ones, and senders over the
-- per-minute limit.
--
-- The message is inserted with its rendered photos (messages.attachments, from the locked
-- pending rows) and the photos are linked by the same statement, so the message's after-row
-- triggers (the preview, and the event that messaging_event_triggers pushes) see the message
-- complete: the one message.created event carries its photos.
drop function public.send_message(uuid, text, uuid, uuid, uuid, uuid);
create function public.send_message(
  p_id uuid,
  p_body text,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null,
  p_reply_to_id uuid default null,
  p_attachment_ids uuid[] default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  existing public.messages;
  cleaned text;
  photos uuid[] := coalesce(p_attachment_ids, '{}');
  available integer;
  rendered jsonb := '[]'::jsonb;
  stored integer;
  linked integer;
  conversation uuid := p_conversation_id;
  other uuid := p_other_user_id;
  product uuid := p_product_id;
  place record;
  recent integer;
  settings public.messaging_settings;
  retention interval;
begin
  if p_id is null then
    perform private.fail('invalid_input', 'A message needs an id.');
  end if;
  select * into existing from public.messages m where m.id = p_id;
  if found then
    if existing.sender_id <> me then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
    return private.message_json(p_id);
  end if;
  if cardinality(photos) > 6 then
    perform private.fail('invalid_input', format('You can attach at most 6 photos to a message; this one has %s.', cardinality(photos)));
  end if;
  if array_position(photos, null) is not null or (select count(distinct x) from unnest(photos) x) <> cardinality(photos) then
    perform private.fail('invalid_input', 'Attach each photo once.');
  end if;
  if cardinality(photos) > 0 and regexp_replace(coalesce(p_body, ''), '^[[:space:]]+|[[:space:]]+$', '', 'g') = '' then
    cleaned := '';
  else
    cleaned := private.clean_body(p_body);
  end if;

  if conversation is not null then
    select m.other_user_id, m.product_id into other, product
      from private.membership(conversation, me) m;
  else
    select * into place from private.locate_conversation(me, other, product);
    conversation := place.conversation;
  end if;
  perform private.check_not_blocked(me, other);

  if p_reply_to_id is not null and (conversation is null or not exists (
       select from public.messages r where r.id = p_reply_to_id and r.conversation_id = conversation)) then
    perform private.fail('not_found', 'The message you are replying to is not in this conversation.');
  end if;

  select * into settings from public.messaging_settings;
  -- Reads at most the limit's number of the sender's newest index entries.
  if settings.rate_limit_per_minute is not null then
    select count(*) into recent
      from (select from public.messages m
             where m.sender_id = me and m.created_at > now() - interval '1 minute'
             limit settings.rate_limit_per_minute) r;
    if recent >= settings.rate_limit_per_minute then
      perform private.fail('rate_limited', format('You are sending messages too fast (at most %s a minute). Wait a moment and try again.', settings.rate_limit_per_minute));
    end if;
  end if;

  if cardinality(photos) > 0 then
    -- Locked until commit: a concurrent send naming one of them waits, then finds it taken.
    -- Rendered in the order given, as message_photos_json renders them once linked.
    select count(*), coalesce(jsonb_agg(a.photo order by a.place), '[]'::jsonb) into available, rendered
      from (select private.attachment_json(x) as photo, chosen.place
              from unnest(photos) with ordinality as chosen(id, place)
              join public.attachments x on x.id = chosen.id
             where x.uploader_id = me and x.message_id is null
               for update of x) a;
    if available <> cardinality(photos) then
      -- A retry of this very send that waited for the first attempt's commit: that one stored it.
      select * into existing from public.messages m where m.id = p_id;
      if found and existing.sender_id = me then
        return private.message_json(p_id);
      end if;
      perform private.fail('not_found', 'A photo you attached is no longer available; attach it again.');
    end if;
  end if;

  if conversation is null then
    insert into public.conversations (user_low, user_high, product_id, seller_id)
    values (least(me, other), greatest(me, other), product, place.seller)
    on conflict on constraint conversations_pair_product_key do nothing
    returning id into conversation;
    if conversation is null then
      -- Another first send won the race; its row is committed and visible to this statement.
      select c.id into conversation from public.conversations c
       where c.user_low = least(me, other) and c.user_high = greatest(me, other)
         and c.product_id is not distinct from product;
    end if;
    insert into public.conversation_members (conversation_id, user_id, other_user_id, product_id)
    values (conversation, me, other, product), (conversation, other, me, product)
    on conflict do nothing;
  end if;

  select case p.tier when 'privileged' then settings.privileged_retention
                     when 'privileged_plus' then settings.privileged_plus_retention
                     else settings.free_retention end
    into retention
    from public.profiles p where p.id = me;

  -- One statement: after-row triggers fire at its end, when the photos are linked too; the
  -- message row holds its rendered photos from the start, so they never see it without them.
  with message as (
    insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, expires_at, attachments)
    values (p_id, conversation, me, cleaned, p_reply_to_id, now() + retention, rendered)
    on conflict (id) do nothing
    returning id
  ), photo as (
    update public.attachments a
       set message_id = message.id, position = chosen.position - 1
      from message, unnest(photos) with ordinality as chosen(id, position)
     where a.id = chosen.id and a.uploader_id = me and a.message_id is null
    returning a.id
  )
  select (select count(*) from message), (select count(*) from photo) into stored, linked;

  if stored = 0 then
    -- The same id arrived twice at once: the other call stored it.
    select * into existing from public.messages m where m.id = p_id;
    if existing.sender_id <> me then
      perform private.fail('conflict', 'This message id is already taken.');
    end if;
  elsif linked <> cardinality(photos) then
    -- Cannot happen while the rows are locked; refuse (and roll back) rather than lose a photo.
    perform private.fail('not_found', 'A photo you attached is no longer available; attach it again.');
  end if;
  return private.message_json(p_id);
end;
$$;
revoke all on function public.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) from public, anon, authenticated;
grant execute on function public.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) to authenticated;

-- messaging_retention's purge, with the repaired previews of photo-only messages reading
-- 'Photo'. Deleting a message cascades to its photos, which the removal trigger queues.
--
-- Deletes messages past their retention (at most p_batch per call, oldest expiry first),
-- repairs the previews and unread counts of the conversations they were in, and returns
-- how many each conversation lost. For the operator's scheduler: service_role only.
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
         last_message_preview = coalesce(private.message_preview(latest.body, latest.deleted_at is not null), ''),
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

-- Deletes pending attachments older than p_older_than (uploads never sent: a closed tab, a
-- failed send never retried) and returns how many; their files are queued for removal. For the
-- operator's scheduler: service_role only. Security invoker: service_role has the rights it needs.
create function public.purge_abandoned_attachments(p_older_than interval default interval '1 day')
returns bigint
language sql
set search_path = ''
as $$
  with gone as (
    delete from public.attachments a
     where a.message_id is null and a.created_at < now() - coalesce(p_older_than, interval '1 day')
    returning 1
  )
  select count(*) from gone
$$;
revoke all on function public.purge_abandoned_attachments(interval) from public, anon, authenticated;
grant execute on function public.purge_abandoned_attachments(interval) to service_role;

-- Up to p_limit removed attachments whose files are to be deleted, oldest first. Does not
-- dequeue: the caller deletes the files, then forgets the ids (forget_attachment_removals), so
-- a crash in between only repeats a deletion. For the app's housekeeping: service_role only.
create function public.take_attachment_removals(p_limit integer default 200)
returns setof uuid
language sql
stable
set search_path = ''
as $$
  select r.attachment_id from private.attachment_removals r
   order by r.removed_at, r.attachment_id
   limit least(greatest(coalesce(p_limit, 200), 1), 10000)
$$;
revoke all on function public.take_attachment_removals(integer) from public, anon, authenticated;
grant execute on function public.take_attachment_removals(integer) to service_role;

-- Drops ids from the removal queue once their files are deleted. For the app's housekeeping:
-- service_role only.
create function public.forget_attachment_removals(p_ids uuid[])
returns void
language sql
set search_path = ''
as $$
  delete from private.attachment_removals r where r.attachment_id = any(p_ids)
$$;
revoke all on function public.forget_attachment_removals(uuid[]) from public, anon, authenticated;
grant execute on function public.forget_attachment_removals(uuid[]) to service_role;

-- Supabase Storage: whether the caller may read the object <attachment id>/(thumb|display).webp
-- (an attachment readable_attachment allows them), and whether they may store it (their own
-- pending attachment). Malformed names, other files and signed-out callers get false, never an
-- error. Security definer because a member cannot see the blocks the other member made; each
-- answers only for the caller (auth.uid()). Called by the storage.objects policies below, which
-- run as the requesting user.
create function private.attachment_object_readable(object_name text) returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := auth.uid();
  parts text[] := regexp_match(object_name, '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/(thumb|display)\.webp$');
begin
  if me is null or parts is null then
    return false;
  end if;
  return (private.readable_attachment(parts[1]::uuid, me)).id is not null;
end;
$$;
revoke all on function private.attachment_object_readable(text) from public, anon, authenticated;
grant execute on function private.attachment_object_readable(text) to authenticated;

create function private.attachment_object_uploadable(object_name text) returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := auth.uid();
  parts text[] := regexp_match(object_name, '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/(thumb|display)\.webp$');
begin
  if me is null or parts is null then
    return false;
  end if;
  return exists (select from public.attachments a where a.id = parts[1]::uuid and a.uploader_id = me and a.message_id is null);
end;
$$;
revoke all on function private.attachment_object_uploadable(text) from public, anon, authenticated;
grant execute on function private.attachment_object_uploadable(text) to authenticated;

-- On Supabase: the private bucket (display images are at most 1600 px WebP, well under 10 MB),
-- and one policy per command on storage.objects for it: members read, uploaders store their
-- pending photos; no update or delete for clients (the app removes files with service_role,
-- through the Storage API). Skipped where there is no storage schema (plain PostgreSQL keeps
-- the files in a folder and serves them through attachment_for_reader).
do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
    values ('message-attachments', 'message-attachments', false, 10485760, array['image/webp'])
    on conflict (id) do update set public = false;
  end if;
  if to_regclass('storage.objects') is null then
    raise notice 'No storage schema: Supabase Storage bucket and policies skipped (plain PostgreSQL stores photos in a folder).';
    return;
  end if;
  drop policy if exists "messaging: members read message photos" on storage.objects;
  drop policy if exists "messaging: uploaders store their pending photos" on storage.objects;
  execute $policy$
    create policy "messaging: members read message photos"
      on storage.objects for select to authenticated
      using (storage.objects.bucket_id = 'message-attachments' and private.attachment_object_readable(storage.objects.name))
  $policy$;
  execute $policy$
    create policy "messaging: uploaders store their pending photos"
      on storage.objects for insert to authenticated
      with check (storage.objects.bucket_id = 'message-attachments' and private.attachment_object_uploadable(storage.objects.name))
  $policy$;
end
$$;

-- Abandoned uploads are dropped hourly where pg_cron exists (see messaging_housekeeping_schedule).
-- Their files, like every removed attachment's, are deleted by the app's housekeeping, which
-- drains the removal queue (take_attachment_removals): files live outside the database.
do $$
begin
  if to_regprocedure('cron.schedule(text, text, text)') is null then
    raise notice 'pg_cron is not available: schedule public.purge_abandoned_attachments() yourself.';
    return;
  end if;
  perform cron.schedule('bazaar-purge-abandoned-attachments', '41 * * * *', 'select public.purge_abandoned_attachments()');
end
$$;
