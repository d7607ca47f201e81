-- Contact masking (an operator setting, off by default): the recipient of a message sees phone
-- numbers, email addresses and links in it as "(contact details hidden)"; its sender keeps
-- seeing what they wrote. Depends on messaging_offers (the latest send_message and the view),
-- messaging_message_edits (edit_message), messaging_events and messaging_event_triggers (how
-- messages reach each member).
--
-- Finding contact details takes libraries (libphonenumber, linkify-it) the database does not
-- have, so the app server finds them and passes the masked text along with the original. On
-- Supabase a signed-in user can call send_message directly, so the database does not take the
-- masked text on trust: the server signs (id, text, masked text) with a key only service_role
-- can read, and while masking is on a send or edit without a valid signature is refused.
--
-- What is stored in messages.body is what the recipient sees. Everything that reads messages
-- (search, previews, replies quoted, events, digests, a direct select on the table) therefore
-- sees the masked text unless it asks for the original, which only its sender can read.

create extension if not exists pgcrypto with schema extensions;

alter table public.messaging_settings add column contact_masking boolean not null default false;
comment on column public.messaging_settings.contact_masking is
  'Hide phone numbers, emails and links from the recipients of messages (the sender keeps their text).';

-- The key the app server signs screened texts with. One row, made here; service_role reads it.
create table private.contact_screening (
  id boolean primary key default true check (id),
  key text not null
);
insert into private.contact_screening (key)
values (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
revoke all on private.contact_screening from public, anon, authenticated;

-- What the app server needs to screen messages: whether masking is on and, if so, the signing
-- key. service_role only (the server's own connection, or its service-role client on Supabase).
create function public.contact_screening() returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('enabled', s.contact_masking, 'key', case when s.contact_masking then k.key end)
    from public.messaging_settings s, private.contact_screening k
$$;
revoke all on function public.contact_screening() from public, anon, authenticated;
grant execute on function public.contact_screening() to service_role;

-- The text as its sender wrote it, for a message whose stored body has contact details hidden.
-- Only its sender may read it; deleting the message (or its purge) deletes it. The key to
-- messages is deferred: send_message writes this first, so the message row is marked from the
-- moment it exists and every event about it is rendered right.
create table public.message_originals (
  message_id uuid primary key references public.messages (id) on delete cascade deferrable initially deferred,
  sender_id uuid not null references public.profiles (id) on delete cascade,
  body text not null
);
create index message_originals_sender_idx on public.message_originals (sender_id);
alter table public.message_originals enable row level security;
revoke all on public.message_originals from anon, authenticated;
grant select on public.message_originals to authenticated;
grant all on public.message_originals to service_role;
create policy "senders read what they wrote"
  on public.message_originals for select to authenticated
  using ((select auth.uid()) = sender_id);

-- Whether the stored body hides something from the recipient; kept by the trigger below.
alter table public.messages add column contact_hidden boolean not null default false;

-- Marks a message as hiding contact details exactly when its original is kept, and forgets the
-- original once the message is deleted (nothing of it may outlive the delete).
create function private.mark_contact_hidden() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.deleted_at is not null then
    delete from public.message_originals o where o.message_id = new.id;
    new.contact_hidden := false;
  else
    new.contact_hidden := exists (select from public.message_originals o where o.message_id = new.id);
  end if;
  return new;
end;
$$;
revoke all on function private.mark_contact_hidden() from public, anon, authenticated;

create trigger messages_mark_contact_hidden
  before insert or update of body, deleted_at on public.messages
  for each row execute function private.mark_contact_hidden();

-- Checks a screened text while masking is on: the server's signature over (id, text, masked
-- text) must match. Returns the text to store: the masked one when masking is on, the text as
-- written when it is off (a signature then changes nothing).
create function private.screened_body(message uuid, body text, masked text, signature text) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  screening jsonb;
begin
  if not (select s.contact_masking from public.messaging_settings s) then
    return body;
  end if;
  if masked is null or signature is null or signature <> encode(extensions.hmac(
       convert_to(message::text || E'\n' || coalesce(body, '') || E'\n' || masked, 'UTF8'),
       convert_to((select k.key from private.contact_screening k), 'UTF8'), 'sha256'), 'hex') then
    perform private.fail('screening_required',
      'This marketplace hides contact details in messages, and this one was not checked for them. Send it through the marketplace’s own pages.');
  end if;
  return masked;
end;
$$;
revoke all on function private.screened_body(uuid, text, text, text) from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Sending and editing through the screen
-- ---------------------------------------------------------------------------------------------

-- The send and edit of before become the storing step; the public functions screen, then store.
alter function public.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) set schema private;
alter function private.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) rename to store_message;
revoke all on function private.store_message(uuid, text, uuid, uuid, uuid, uuid, uuid[]) from public, anon, authenticated;
alter function public.edit_message(uuid, text) set schema private;
alter function private.edit_message(uuid, text) rename to store_edit;
revoke all on function private.store_edit(uuid, text) from public, anon, authenticated;

-- Sends a message, as messaging_offers' send_message (which it calls, and whose checks,
-- idempotency and answers it keeps), screened for contact details while masking is on:
-- p_masked_body is the text with them hidden and p_screening the app server's signature. The
-- masked text is stored; the text as written is kept for its sender alone, who gets the message
-- back as they wrote it. Signed-in users; refused without a valid signature while masking is on.
create function public.send_message(
  p_id uuid,
  p_body text,
  p_conversation_id uuid default null,
  p_other_user_id uuid default null,
  p_product_id uuid default null,
  p_reply_to_id uuid default null,
  p_attachment_ids uuid[] default null,
  p_masked_body text default null,
  p_screening text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  stored text := private.screened_body(p_id, p_body, p_masked_body, p_screening);
begin
  if stored is distinct from p_body then
    -- A retry of a send already stored keeps its first original (and the id's owner is checked by store_message).
    insert into public.message_originals (message_id, sender_id, body)
    values (p_id, me, private.clean_body(p_body))
    on conflict (message_id) do nothing;
  end if;
  return private.store_message(p_id, stored, p_conversation_id, p_other_user_id, p_product_id, p_reply_to_id, p_attachment_ids);
end;
$$;
revoke all on function public.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[], text, text) from public, anon, authenticated;
grant execute on function public.send_message(uuid, text, uuid, uuid, uuid, uuid, uuid[], text, text) to authenticated;

-- Edits the caller's own message, as messaging_message_edits' edit_message (which it calls),
-- screened as send_message is. Signed-in users, their own text messages only.
create function public.edit_message(p_id uuid, p_body text, p_masked_body text default null, p_screening text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  stored text := private.screened_body(p_id, p_body, p_masked_body, p_screening);
begin
  -- Checked (and locked) before the original changes; store_edit checks the rest.
  perform private.own_message(p_id, me);
  if stored is distinct from p_body then
    insert into public.message_originals (message_id, sender_id, body)
    values (p_id, me, private.clean_body(p_body))
    on conflict (message_id) do update set body = excluded.body;
  else
    delete from public.message_originals o where o.message_id = p_id;
  end if;
  -- The mark follows the original even when the stored text stays the same (a number swapped
  -- for another is hidden the same way); store_edit then writes the text if it changed.
  update public.messages m set contact_hidden = (stored is distinct from p_body)
   where m.id = p_id and m.deleted_at is null and m.contact_hidden is distinct from (stored is distinct from p_body);
  return private.store_edit(p_id, stored);
end;
$$;
revoke all on function public.edit_message(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.edit_message(uuid, text, text, text) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Each member sees their own version
-- ---------------------------------------------------------------------------------------------

-- messaging_offers' view, with the body as the viewer may see it: the text as written for its
-- sender, the stored (masked) text for anyone else; and whether contact details are hidden.
-- "The viewer" is the requesting user (auth.uid()), which is right wherever a user reads their
-- own thread; events, rendered in someone else's transaction, go through message_seen_by.
create or replace view public.messages_realtime_view with (security_invoker = true) as
select
  m.id,
  m.conversation_id,
  m.sender_id,
  s.username as sender_username,
  s.display_name as sender_display_name,
  s.avatar_url as sender_avatar_url,
  m.kind,
  case when m.contact_hidden and m.sender_id = (select auth.uid())
       then coalesce((select o.body from public.message_originals o where o.message_id = m.id and o.sender_id = m.sender_id), m.body)
       else m.body end as body,
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
  case when m.deleted_at is null then m.attachments else '[]'::jsonb end as attachments,
  case when m.deleted_at is null then m.reactions else '[]'::jsonb end as reactions,
  m.payload,
  case when o.id is not null then jsonb_build_object(
    'id', o.id,
    'amount_cents', o.amount_cents,
    'currency', o.currency,
    'status', o.status,
    'awaiting', o.awaiting,
    'buyer_id', o.buyer_id,
    'seller_id', o.seller_id,
    'current', coalesce(o.card_message_id = m.id, false)
  ) end as offer,
  m.contact_hidden
from public.messages m
join public.conversations c on c.id = m.conversation_id
join public.profiles s on s.id = m.sender_id
left join public.products p on p.id = c.product_id
left join public.messages r on r.id = m.reply_to_id
left join public.offers o on m.kind = 'offer' and o.id = (m.payload ->> 'offer_id')::uuid;

-- A rendered message as `viewer` may see it: its sender gets the text as written, anyone else
-- the stored text. Costs nothing for a message that hides nothing.
create function private.message_seen_by(message jsonb, viewer uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case
    when message is null or not coalesce((message ->> 'contact_hidden')::boolean, false) then message
    when (message ->> 'sender_id')::uuid = viewer then message || jsonb_build_object('body', coalesce(
      (select o.body from public.message_originals o where o.message_id = (message ->> 'id')::uuid), message ->> 'body'))
    else message || jsonb_build_object('body', (select m.body from public.messages m where m.id = (message ->> 'id')::uuid))
  end
$$;
revoke all on function private.message_seen_by(jsonb, uuid) from public, anon, authenticated;

-- messaging_event_triggers' emit_message_event, with each member's push carrying the message
-- as that member may see it. Otherwise unchanged: the push carries the rendered message and
-- each member's own preview; the log keeps only the message id and renders it when read.
create or replace function private.emit_message_event(event_type text, message_id uuid, conversation uuid) returns void
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
         array_agg(jsonb_build_object('message', private.message_seen_by(message, m.user_id),
                                      'preview', private.preview_json(conversation, m.user_id),
                                      'unread_total', private.unread_total_of(m.user_id)) order by m.user_id),
         array_agg(jsonb_build_object('message_id', message_id) order by m.user_id)
    into recipients, payloads, logged
    from public.conversation_members m where m.conversation_id = conversation;
  perform private.emit(event_type, conversation, recipients, payloads, logged);
end;
$$;

-- messaging_events' render_event, with the message as the event's owner may see it (the relay
-- renders events by reference as service_role, not as their owner). Otherwise unchanged.
create or replace function private.render_event(e public.messaging_events, unread_total integer) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case
    when e.type in ('message.created', 'message.updated') then
      case when m.message is not null then
        jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
          'created_at', e.created_at, 'payload', jsonb_build_object(
            'message', private.message_seen_by(m.message, e.user_id), 'preview', private.preview_json(e.conversation_id, e.user_id),
            'unread_total', unread_total))
      end
    when e.type = 'conversation.updated' then
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload || jsonb_build_object('preview', private.preview_json(e.conversation_id, e.user_id)))
    else
      jsonb_build_object('user_id', e.user_id, 'id', e.id, 'type', e.type, 'conversation_id', e.conversation_id,
        'created_at', e.created_at, 'payload', e.payload)
  end
  from (select private.message_json((e.payload ->> 'message_id')::uuid) as message) m
$$;
