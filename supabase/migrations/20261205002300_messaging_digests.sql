-- Email digests of unread messages: what a digest is, decided here; the worker
-- (src/lib/server/messaging/digests) only claims, renders and sends them. Depends on
-- messaging_member_preferences (preferences, member_activity), messaging_contact_masking
-- (pgcrypto; stored bodies are what the recipient may see), messaging_offers (display_name) and
-- messaging_rpc_helpers (fail, precedes).
--
-- A member is due a digest when they have an unread message from the other member of a
-- conversation (not deleted) that is older than the delay, in a conversation they neither muted
-- nor archived, with no block either way, newer than their digest cursor, that arrived after
-- they were last seen online, while their email_digests preference is on and they have an
-- email address. One digest then takes every such message of theirs up to the claim, across
-- all those conversations, and moves the cursor past them in the same transaction: a message is
-- in at most one digest, ever.
--
-- Sending is at most once. The worker records the attempt (status 'sending') before it hands
-- the mail to SMTP and marks it 'sent' after. A digest still 'sending' when a run starts was
-- being sent by a run that died, which may or may not have sent it: it is marked 'abandoned'
-- and never sent. A send the SMTP server refused for certain goes back to 'pending' for the
-- queue to retry. A digest whose messages were all read, deleted or muted by the time it is
-- sent (or whose member switched digests off) is 'abandoned' too, with nothing sent.
--
-- The functions for the worker are for service_role only (the worker connects as the database
-- owner with DATABASE_URL); unsubscribe_digests is for anyone holding a signed link.

-- The key unsubscribe links are signed with. One row, made here; nothing but the functions reads it.
create table private.digest_signing (
  id boolean primary key default true check (id),
  key text not null
);
insert into private.digest_signing (key) values (encode(extensions.gen_random_bytes(32), 'hex'));
revoke all on private.digest_signing from public, anon, authenticated;

-- Each member's digest cursor: every message up to (through_at, through_id) was either in a
-- digest or passed over for good. A member without a row has had none yet.
create table private.digest_cursors (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  through_at timestamptz not null default '-infinity',
  through_id uuid not null default '00000000-0000-0000-0000-000000000000'
);
revoke all on private.digest_cursors from public, anon, authenticated;
-- Members who already exist start from now: switching digests on for a live marketplace must
-- not mail everyone every old unread message.
insert into private.digest_cursors (user_id, through_at, through_id)
select p.id, now(), 'ffffffff-ffff-ffff-ffff-ffffffffffff' from public.profiles p;

-- One digest: the messages it covers (ids only, no text: the text is read when it is sent) and
-- how sending it went. `reason` says why an abandoned one was never sent.
create table private.digests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  through_at timestamptz not null,
  through_id uuid not null,
  message_ids uuid[] not null check (cardinality(message_ids) > 0),
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'abandoned')),
  attempts integer not null default 0,
  attempted_at timestamptz,
  sent_at timestamptz,
  reason text check (reason in ('interrupted', 'nothing_unread', 'rejected', 'undeliverable', 'uncertain'))
);
create index digests_user_idx on private.digests (user_id, created_at);
create index digests_created_idx on private.digests (created_at);
revoke all on private.digests from public, anon, authenticated;

-- The signature of a member's unsubscribe link: HMAC-SHA256 over a purpose and their id.
create function private.unsubscribe_signature(member uuid) returns text
language sql
stable
set search_path = ''
as $$
  select encode(extensions.hmac(convert_to('digest-unsubscribe:' || member::text, 'UTF8'),
                                convert_to(k.key, 'UTF8'), 'sha256'), 'hex')
    from private.digest_signing k
$$;
revoke all on function private.unsubscribe_signature(uuid) from public, anon, authenticated;

-- Whether a member wants digests and can get them: the preference is on (it is until changed)
-- and auth.users has an address for them.
create function private.digests_wanted(member uuid) returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select from auth.users u where u.id = member and coalesce(u.email, '') <> '')
     and coalesce((select p.email_digests from public.messaging_preferences p where p.user_id = member), true)
$$;
revoke all on function private.digests_wanted(uuid) from public, anon, authenticated;

-- The messages of `member` a digest may carry, among `candidates` (null: any): unread, from
-- the other member, not deleted, in a conversation neither muted nor archived with no block
-- either way, after (after_at, after_id), arrived after the member was last seen, and created
-- no later than `up_to`. claim_digests and digest_content share it, so the claim and the send
-- agree on what a digest is.
create function private.digestible_messages(member uuid, after_at timestamptz, after_id uuid, up_to timestamptz, candidates uuid[] default null)
returns table (id uuid, conversation_id uuid, created_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select x.id, x.conversation_id, x.created_at
    from public.conversation_members m
    join public.messages x on x.conversation_id = m.conversation_id
   where m.user_id = member
     and m.unread_count > 0 and m.archived_at is null
     and (m.muted_until is null or m.muted_until <= now())
     and x.sender_id = m.other_user_id and x.deleted_at is null
     and (candidates is null or x.id = any (candidates))
     and (m.last_read_at is null
          or private.precedes(m.last_read_at, coalesce(m.last_read_message_id, '00000000-0000-0000-0000-000000000000'), x.created_at, x.id))
     and private.precedes(after_at, after_id, x.created_at, x.id)
     and x.created_at <= up_to
     and x.created_at > coalesce((select a.last_seen_at from private.member_activity a where a.user_id = member), '-infinity')
     and not exists (select from public.user_blocks b
                      where (b.blocker_id = m.user_id and b.blocked_id = m.other_user_id)
                         or (b.blocker_id = m.other_user_id and b.blocked_id = m.user_id))
$$;
revoke all on function private.digestible_messages(uuid, timestamptz, uuid, timestamptz, uuid[]) from public, anon, authenticated;

-- Members who may be due a digest: a cheap first cut from their member rows (a message newer
-- than the cursor and the last visit is at least as new as the conversation's last message),
-- wanting digests. digestible_messages decides.
create function private.digest_candidates() returns table (user_id uuid)
language sql
stable
set search_path = ''
as $$
  -- Materialized, so the preference is read for the few members left, not for every unread row.
  with first_cut as materialized (
    select distinct m.user_id
      from public.conversation_members m
      left join private.digest_cursors k on k.user_id = m.user_id
      left join private.member_activity a on a.user_id = m.user_id
     where m.unread_count > 0 and m.archived_at is null
       and (m.muted_until is null or m.muted_until <= now())
       and m.last_message_at > coalesce(k.through_at, '-infinity')
       and m.last_message_at > coalesce(a.last_seen_at, '-infinity')
  )
  select f.user_id from first_cut f where private.digests_wanted(f.user_id)
$$;
revoke all on function private.digest_candidates() from public, anon, authenticated;

-- Creates one digest for every member due one (see the top of this file) and returns their
-- ids; each member's cursor moves past the messages taken, in the same transaction. Two
-- claims at once never take a message twice: the cursor rows of the members taken are locked
-- until commit, and a claim skips members another claim holds (`skip locked`; it sees the
-- moved cursor next time) without waiting. Only two claims making one member's very first
-- cursor row wait for each other, briefly. Messages created in the last few seconds (at most
-- the delay) wait for the next claim, so a send still committing is never passed over. Also
-- forgets finished digests after 30 days. service_role only (the worker).
create function public.claim_digests(p_delay interval default interval '10 minutes') returns setof uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  due_before timestamptz;
  settled_before timestamptz;
begin
  if p_delay is null or p_delay < interval '0' then
    perform private.fail('invalid_input', 'The digest delay must be zero or more.');
  end if;
  due_before := now() - p_delay;
  settled_before := now() - least(p_delay, interval '5 seconds');

  delete from private.digests d
   where d.id in (select o.id from private.digests o
                   where o.created_at < now() - interval '30 days' and o.status in ('sent', 'abandoned')
                   limit 1000);

  -- Members seen here for the first time get their cursor row. Only absent rows are inserted, so
  -- this never waits for a claim that holds (and moves) an existing one.
  insert into private.digest_cursors (user_id)
  select c.user_id from private.digest_candidates() c
   where not exists (select from private.digest_cursors k where k.user_id = c.user_id)
  on conflict (user_id) do nothing;

  return query
  with locked as (
    select k.user_id, k.through_at, k.through_id
      from private.digest_cursors k
     where k.user_id in (select c.user_id from private.digest_candidates() c)
       for update skip locked
  ), taken as (
    select k.user_id,
           array_agg(d.id order by d.created_at, d.id) as message_ids,
           (array_agg(d.created_at order by d.created_at desc, d.id desc))[1] as through_at,
           (array_agg(d.id order by d.created_at desc, d.id desc))[1] as through_id
      from locked k
     cross join lateral private.digestible_messages(k.user_id, k.through_at, k.through_id, settled_before) d
     group by k.user_id
    having min(d.created_at) <= due_before
  ), made as (
    insert into private.digests (user_id, through_at, through_id, message_ids)
    select t.user_id, t.through_at, t.through_id, t.message_ids from taken t
    returning private.digests.id, private.digests.user_id, private.digests.through_at, private.digests.through_id
  ), moved as (
    update private.digest_cursors k set through_at = m.through_at, through_id = m.through_id
      from made m where k.user_id = m.user_id
  )
  select m.id from made m;
end;
$$;
revoke all on function public.claim_digests(interval) from public, anon, authenticated;
grant execute on function public.claim_digests(interval) to service_role;

-- Records an attempt to send a digest, before it is sent, and says what to do:
--   'send'        it was pending: now 'sending', attempts counted; send it, then finish_digest
--   'interrupted' it was already 'sending': an earlier run may have sent it and died; it is now
--                 'abandoned' and must not be sent (at most once)
--   'sent', 'abandoned', 'missing': nothing to do
-- service_role only (the worker).
create function public.begin_digest_attempt(p_digest uuid) returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_status text;
begin
  select d.status into found_status from private.digests d where d.id = p_digest for update;
  if not found then
    return 'missing';
  elsif found_status = 'pending' then
    update private.digests d set status = 'sending', attempts = d.attempts + 1, attempted_at = now() where d.id = p_digest;
    return 'send';
  elsif found_status = 'sending' then
    update private.digests d set status = 'abandoned', reason = 'interrupted' where d.id = p_digest;
    return 'interrupted';
  end if;
  return found_status;
end;
$$;
revoke all on function public.begin_digest_attempt(uuid) from public, anon, authenticated;
grant execute on function public.begin_digest_attempt(uuid) to service_role;

-- What the digest's email says, read when it is sent: the recipient's address and name, an
-- unsubscribe token, and per conversation (newest activity first) the other member's name, the
-- listing's title (null for a general conversation), the conversation key from the recipient's
-- side, and the digest's messages that are still worth mailing (digestible_messages, read now:
-- still unread, not deleted, not muted or archived since, the member not back online since) with
-- sender name, stored body (as the recipient sees it: masked where contact masking hid
-- something), kind, time and photo count, oldest first. Null when nothing is left to send or
-- the member switched digests off. service_role only (the worker).
create function public.digest_content(p_digest uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  digest private.digests;
  conversations jsonb;
begin
  select * into digest from private.digests d where d.id = p_digest;
  if not found or not private.digests_wanted(digest.user_id) then
    return null;
  end if;

  select jsonb_agg(c.conversation order by c.newest desc) into conversations
    from (
      select max(x.created_at) as newest, jsonb_build_object(
               'conversation_id', m.conversation_id,
               'key', m.other_user_id::text || '__' || coalesce(m.product_id::text, 'general'),
               'other_name', private.display_name(m.other_user_id),
               'product_title', (select p.title from public.products p where p.id = m.product_id),
               'messages', jsonb_agg(jsonb_build_object(
                 'id', x.id,
                 'sender_name', private.display_name(x.sender_id),
                 'body', x.body,
                 'kind', x.kind,
                 'created_at', x.created_at,
                 'photo_count', jsonb_array_length(x.attachments)
               ) order by x.created_at, x.id)) as conversation
        from private.digestible_messages(digest.user_id, '-infinity', '00000000-0000-0000-0000-000000000000', 'infinity', digest.message_ids) d
        join public.messages x on x.id = d.id
        join public.conversation_members m on m.conversation_id = x.conversation_id and m.user_id = digest.user_id
       group by m.conversation_id, m.other_user_id, m.product_id
    ) c;
  if conversations is null then
    return null;
  end if;

  return (
    select jsonb_build_object(
      'id', digest.id,
      'user_id', digest.user_id,
      'email', u.email,
      'display_name', p.display_name,
      'unsubscribe_token', private.unsubscribe_signature(digest.user_id),
      'conversations', conversations)
      from auth.users u
      join public.profiles p on p.id = u.id
     where u.id = digest.user_id
  );
end;
$$;
revoke all on function public.digest_content(uuid) from public, anon, authenticated;
grant execute on function public.digest_content(uuid) to service_role;

-- The digest was sent (the SMTP server took it). Only a digest being sent changes. service_role only.
create function public.finish_digest(p_digest uuid) returns void
language sql
security definer
set search_path = ''
as $$
  update private.digests d set status = 'sent', sent_at = now() where d.id = p_digest and d.status = 'sending'
$$;
revoke all on function public.finish_digest(uuid) from public, anon, authenticated;
grant execute on function public.finish_digest(uuid) to service_role;

-- The SMTP server certainly did not take the digest: back to 'pending' for the queue to retry.
-- Only a digest being sent changes. service_role only.
create function public.release_digest(p_digest uuid) returns void
language sql
security definer
set search_path = ''
as $$
  update private.digests d set status = 'pending' where d.id = p_digest and d.status = 'sending'
$$;
revoke all on function public.release_digest(uuid) from public, anon, authenticated;
grant execute on function public.release_digest(uuid) to service_role;

-- The digest will never be sent, for `p_reason` (see digests.reason). A sent one stays sent.
-- service_role only.
create function public.abandon_digest(p_digest uuid, p_reason text) returns void
language sql
security definer
set search_path = ''
as $$
  update private.digests d set status = 'abandoned', reason = p_reason where d.id = p_digest and d.status <> 'sent'
$$;
revoke all on function public.abandon_digest(uuid, text) from public, anon, authenticated;
grant execute on function public.abandon_digest(uuid, text) to service_role;

-- Switches digests off for the member an unsubscribe link names, when its signature is ours:
-- the link in every digest, followed with or without a session (mail clients' one-click
-- unsubscribe has none). Anyone may call it; without the key nobody can sign a link. A link of
-- a member deleted since does nothing. The signatures are compared through another HMAC, so
-- how long the comparison takes says nothing about the expected one.
create function public.unsubscribe_digests(p_user_id uuid, p_token text) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  key bytea := convert_to((select k.key from private.digest_signing k), 'UTF8');
begin
  if p_user_id is null or p_token is null
     or extensions.hmac(convert_to(lower(p_token), 'UTF8'), key, 'sha256')
        <> extensions.hmac(convert_to(private.unsubscribe_signature(p_user_id), 'UTF8'), key, 'sha256') then
    perform private.fail('not_allowed', 'This unsubscribe link is not valid. Switch digests off on your account page instead.');
  end if;
  if not exists (select from public.profiles p where p.id = p_user_id) then
    return;
  end if;
  insert into public.messaging_preferences as p (user_id, email_digests)
  values (p_user_id, false)
  on conflict (user_id) do update set email_digests = false, updated_at = now();
end;
$$;
revoke all on function public.unsubscribe_digests(uuid, text) from public, anon, authenticated;
grant execute on function public.unsubscribe_digests(uuid, text) to anon, authenticated, service_role;
