-- Each member's own data: downloading it ("Download my data", a few times an hour) and erasing
-- the account ("Delete my account"). Depends on every messaging migration before it (erasing
-- reaches what each of them stores), marketplace (profiles, products) and messaging_digests.
--
-- Why the profile outlives the login. marketplace made profiles.id a foreign key to auth.users
-- with on delete cascade: removing a login deleted the profile, and with it every conversation
-- of that member, so the other member lost their own messages, offers and deals from their
-- inbox. The key is replaced here by a trigger on auth.users that erases the account instead.
-- Whichever way a login goes (the member's "Delete my account", an operator in the Supabase
-- dashboard, the Admin API), the result is one and the same: everything the member wrote,
-- uploaded, chose or was told is gone, and the profile stays as "Deleted user", so every
-- conversation still has its two members and reads coherently for the one who is left.
--
-- What erasing an account does, in one transaction (erase_account):
--   gone:  the text of every message they sent (the row stays, deleted, as a delete leaves it:
--          body '', photos removed and their files queued, reactions on it removed, the text as
--          written in message_originals deleted), their reactions, pending photos, quick
--          replies, preferences, blocks they made, reports they filed, the text reports about
--          them kept of their messages, their event log and counter, their Realtime rows
--          (user:<id>, presence:<id>), digests and every per-minute and per-hour record
--   kept:  system messages and offer cards (the deal is the other member's record too), their
--          neutral sentences written again with "Deleted user" for the name; offers (amounts,
--          states; open ones closed); the conversations, with the other member's rows; their
--          listings (the marketplace's), while one reserved for them is free again and one sold
--          to them names nobody
--   the profile: display_name 'Deleted user', username 'deleted_<id>', no avatar
--   their membership rows: deleted, so row-level security shows them nothing any more and no
--          event is ever addressed to them again; the other member's inbox no longer shows
--          "Seen" for them (the preview and read state read that row through a left join now)
-- The other members hear of every message that changed, through their logs, at once
-- (publish_updates). After it the account is marked erased (private.erased_accounts): every RPC
-- refuses its old sessions (current_user_id), nothing can be sent to it (check_not_blocked), its
-- profile and listings change no more, and no block change, typing or presence reaches it.
--
-- Locks. Erasing writes rows many others write, so it takes them before writing anything, in
-- the order every writer takes them: the listings concerned, then the offers, then existing
-- messages (an edit, a delete or a reaction locks its message before its conversation), then
-- conversations, member rows and event counters (as sending does). A member's own calls take
-- their account's lock shared (current_user_id) and an erase takes it exclusively: a call in
-- progress is waited for and then erased too, a call arriving during the erase waits and then
-- finds the account erased.

-- ---------------------------------------------------------------------------------------------
-- Erased accounts, and what refuses them
-- ---------------------------------------------------------------------------------------------

-- The accounts erased, kept for good: the mark that makes their old sessions useless. Internal.
create table private.erased_accounts (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  erased_at timestamptz not null default now()
);
revoke all on private.erased_accounts from public, anon, authenticated;

-- messaging_rpc_helpers' current_user_id, refusing an erased account as it refuses no session.
-- Volatile: it waits for an erase of the account in progress (which holds the account's lock
-- exclusively) and then reads the mark with a fresh snapshot, so it sees that erase.
create or replace function private.current_user_id() returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    perform private.fail('not_authenticated', 'Sign in to use messages.');
  end if;
  perform pg_advisory_xact_lock_shared(hashtextextended('account:' || me::text, 0));
  if exists (select from private.erased_accounts e where e.user_id = me) then
    perform private.fail('not_authenticated', 'This account was deleted. Sign in with another account to use messages.');
  end if;
  return me;
end;
$$;

-- messaging_messages' check_not_blocked, also refusing a conversation with an erased account:
-- it stays readable but takes nothing new (no message, edit, reaction, offer or sale).
create or replace function private.check_not_blocked(me uuid, other uuid) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if exists (select from private.erased_accounts e where e.user_id = other) then
    perform private.fail('not_allowed', 'This member deleted their account: nothing more can be sent here.');
  end if;
  if exists (select from public.user_blocks b where b.blocker_id = other and b.blocked_id = me) then
    perform private.fail('blocked', 'This user is not accepting messages from you.');
  end if;
  if exists (select from public.user_blocks b where b.blocker_id = me and b.blocked_id = other) then
    perform private.fail('you_blocked', 'You blocked this user. Unblock them to send messages.');
  end if;
end;
$$;

-- messaging_event_triggers' publish_block_change, leaving out an erased account: someone who
-- blocked a deleted member may unblock them, and the deleted member hears nothing of it.
create or replace function private.publish_block_change() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  block public.user_blocks := case when tg_op = 'INSERT' then new else old end;
  blocked boolean := tg_op = 'INSERT';
  recipients uuid[];
  payloads jsonb[];
begin
  select array_agg(x.user_id), array_agg(x.payload) into recipients, payloads
    from (values (block.blocker_id, jsonb_build_object('other_user_id', block.blocked_id, 'by_me', true, 'blocked', blocked)),
                 (block.blocked_id, jsonb_build_object('other_user_id', block.blocker_id, 'by_me', false, 'blocked', blocked))) x(user_id, payload)
   where not exists (select from private.erased_accounts e where e.user_id = x.user_id);
  if recipients is not null then
    perform private.emit('block.updated', null, recipients, payloads);
  end if;
  return null;
end;
$$;

-- messaging_realtime_parity's may_signal, false for a conversation with an erased account too:
-- its partners see no presence of it, and an old session of it joins nothing (it is a member of
-- nothing any more). Otherwise unchanged, grants kept.
create or replace function private.may_signal(topic text) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select auth.uid() is not null and exists (
    select from public.conversation_members m
     where m.user_id = auth.uid()
       and case
             when topic like 'conversation:%' then m.conversation_id::text = substr(topic, 14)
             when topic like 'presence:%' then m.other_user_id::text = substr(topic, 10)
             else false
           end
       and not exists (
         select from public.user_blocks b
          where (b.blocker_id = m.user_id and b.blocked_id = m.other_user_id)
             or (b.blocker_id = m.other_user_id and b.blocked_id = m.user_id))
       and not exists (select from private.erased_accounts e where e.user_id = m.other_user_id)
  )
$$;

-- The profile and the listings of an erased account change no more: on Supabase a token issued
-- before the erase still passes PostgREST until it expires, and the marketplace's policies let a
-- user rename themselves and list or edit products as themselves. Security definer: it reads the
-- marks, which the updating role cannot; it refuses only rows of an erased account.
create function private.refuse_erased_account() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'profiles' then
    if exists (select from private.erased_accounts e where e.user_id = old.id) then
      raise exception 'This account was deleted.' using errcode = '42501';
    end if;
  elsif exists (select from private.erased_accounts e where e.user_id = new.seller_id) then
    raise exception 'This account was deleted.' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke all on function private.refuse_erased_account() from public, anon, authenticated;

create trigger profiles_refuse_erased
  before update on public.profiles
  for each row execute function private.refuse_erased_account();
create trigger products_refuse_erased
  before insert or update on public.products
  for each row execute function private.refuse_erased_account();

-- Conversations are read by their members, as messages are: an erased account, which is a
-- member of nothing, reads none of the conversations it was in with a token issued before.
drop policy "members read their conversations" on public.conversations;
create policy "members read their conversations"
  on public.conversations for select to authenticated
  using (id in (select m.conversation_id from public.conversation_members m where m.user_id = (select auth.uid())));

-- messaging_inbox's read state and seller_triage's preview rows, with the other member's row
-- joined on the left: once that member's account is erased it has none (no "Seen" any more).
-- Otherwise unchanged.
create or replace function private.read_state_json(conversation uuid, me uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'conversation_id', m.conversation_id,
    'unread_count', m.unread_count,
    'last_read_at', m.last_read_at,
    'last_read_message_id', m.last_read_message_id,
    'archived', m.archived_at is not null,
    'muted_until', m.muted_until,
    'other_last_read_at', o.last_read_at,
    'other_last_read_message_id', o.last_read_message_id
  )
  from public.conversation_members m
  left join public.conversation_members o on o.conversation_id = m.conversation_id and o.user_id = m.other_user_id
  where m.conversation_id = conversation and m.user_id = me
$$;

create or replace view private.conversation_preview_rows with (security_invoker = true) as
select
  m.user_id,
  m.conversation_id,
  m.other_user_id,
  o.username as other_username,
  o.display_name as other_display_name,
  o.avatar_url as other_avatar_url,
  m.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  p.status::text as product_status,
  c.last_message_id,
  m.last_message_at,
  c.last_message_preview,
  c.last_message_sender_id,
  c.last_message_deleted,
  m.unread_count,
  m.archived_at is not null as archived,
  m.muted_until,
  om.last_read_at as other_last_read_at,
  c.last_message_kind,
  m.awaiting_reply_since is not null as needs_reply
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
left join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Erasing
-- ---------------------------------------------------------------------------------------------

-- messaging_event_triggers' publish_message_change, standing aside while an erase publishes its
-- thousands of changed messages itself, set by set (publish_updates): one event per message and
-- member through emit costs about a millisecond each, nearly all of an erase's time. Only
-- erase_account sets messaging.publish, for its own transaction. Otherwise unchanged.
create or replace function private.publish_message_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_setting('messaging.publish', true) = 'deferred' then
    return null;
  end if;
  perform private.emit_message_event(
    case when tg_op = 'INSERT' then 'message.created' else 'message.updated' end, new.id, new.conversation_id);
  return null;
end;
$$;

-- Publishes many changed messages of these conversations at once: one message.updated per
-- message and member of its conversation in that member's log (oldest message first, as the changes would have been
-- published one by one), then one push per member, of their newest event only. A client seeing
-- that event after a gap catches up from the log (sync_since), which renders every message as it
-- is now; a push per event would flood the NOTIFY queue and every open tab. Counter rows are
-- locked in user-id order, as emit locks them. Internal: erase_account calls it.
create function private.publish_updates(conversations uuid[], messages uuid[]) returns void
language plpgsql
set search_path = ''
as $$
declare
  recipients uuid[];
  newest public.messaging_events;
begin
  select coalesce(array_agg(distinct m.user_id), '{}') into recipients
    from public.conversation_members m where m.conversation_id = any(conversations);
  insert into public.messaging_event_counters (user_id) select u.id from unnest(recipients) as u(id) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters c where c.user_id = any(recipients) order by c.user_id for update;

  -- Joined through unnest: one primary-key probe per message, however many there are.
  with changed as (
    select m.user_id, x.id as message_id, x.conversation_id,
           row_number() over (partition by m.user_id order by x.created_at, x.id) as n,
           count(*) over (partition by m.user_id) as total
      from unnest(messages) as given(id)
      join public.messages x on x.id = given.id
      join public.conversation_members m on m.conversation_id = x.conversation_id
     where x.conversation_id = any(conversations)
  ), bumped as (
    update public.messaging_event_counters c set last_id = c.last_id + t.total
      from (select distinct changed.user_id, changed.total from changed) t
     where c.user_id = t.user_id
    returning c.user_id, c.last_id - t.total as base
  )
  insert into public.messaging_events (user_id, id, type, conversation_id, payload)
  select x.user_id, b.base + x.n, 'message.updated', x.conversation_id, jsonb_build_object('message_id', x.message_id)
    from changed x join bumped b on b.user_id = x.user_id;

  for newest in
    select e.* from public.messaging_event_counters c
      join public.messaging_events e on e.user_id = c.user_id and e.id = c.last_id
     where c.user_id = any(recipients)
     order by c.user_id
  loop
    perform public.messaging_publish(jsonb_build_array(private.render_event(newest, private.unread_total_of(newest.user_id))));
  end loop;
end;
$$;
revoke all on function private.publish_updates(uuid[], uuid[]) from public, anon, authenticated;

-- The neutral sentence a system message or an offer card stores, written again from what it
-- records (its payload, its sender and the conversation's two members) with the names as they
-- are now, in the words messaging_offers, messaging_offer_rpcs and messaging_listing_status
-- post them with. The stored body for anything else (text, a sentence naming nobody, an event
-- or payload it does not know).
create function private.system_body(message public.messages) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  p jsonb := message.payload;
  actor uuid;
  buyer uuid;
  other uuid;
  money text;
begin
  if p is null or message.kind = 'text' then
    return message.body;
  end if;
  if p ? 'amount_cents' and p ? 'currency' then
    money := private.format_money((p ->> 'amount_cents')::bigint, p ->> 'currency');
  end if;
  if message.kind = 'offer' then
    return case when money is null then message.body
                else btrim(format('%s offered %s', private.display_name(message.sender_id), money)) end;
  end if;
  actor := (p ->> 'actor_id')::uuid;
  buyer := (p ->> 'buyer_id')::uuid;
  select case when c.user_low = actor then c.user_high else c.user_low end into other
    from public.conversations c where c.id = message.conversation_id;
  return coalesce(btrim(case p ->> 'event'
    when 'offer.accepted' then
      case when money is not null then format('%s accepted %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.declined' then
      case when money is not null then format('%s declined %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.withdrawn' then
      case when money is not null then format('%s withdrew their offer of %s', private.display_name(actor), money) end
    when 'offer.countered' then
      case when money is not null then format('%s countered with %s', private.display_name(actor), money) end
    when 'offer.auto_declined' then
      case when money is not null and buyer is not null then format('%s''s offer of %s was declined automatically', private.display_name(buyer), money) end
    when 'listing.sold' then
      case when buyer is not null then format('Sold to %s', private.display_name(buyer)) end
  end), message.body);
end;
$$;
revoke all on function private.system_body(public.messages) from public, anon, authenticated;

-- Erases an account (see the top of this file) and returns what it erased: {erased_at,
-- messages, photos, reactions, conversations}; for an account erased before, its erased_at
-- and zeros; null for an id without a profile. Internal: erase_my_account (the member) and
-- the trigger on auth.users (whoever removes a login) call it.
create function private.erase_account(member uuid) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  done timestamptz;
  conversations uuid[];
  partners uuid[];
  touched uuid[];
  reacted uuid[];
  closed uuid[];
  changed uuid[];
  photos integer;
  erased integer;
  reactions integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('account:' || member::text, 0));
  select e.erased_at into done from private.erased_accounts e where e.user_id = member;
  if found then
    return jsonb_build_object('erased_at', done, 'messages', 0, 'photos', 0, 'reactions', 0, 'conversations', 0);
  end if;
  if not exists (select from public.profiles p where p.id = member) then
    return null;
  end if;

  -- Locks, before anything is written (see the top of this file). The digest claim holds a
  -- member's cursor and then inserts their digest: its cursor first.
  perform from private.digest_cursors k where k.user_id = member for update;
  select coalesce(array_agg(m.conversation_id order by m.conversation_id), '{}') into conversations
    from public.conversation_members m where m.user_id = member;
  perform from public.products p
   where p.id in (select o.product_id from public.offers o where (o.buyer_id = member or o.seller_id = member) and o.status = 'open')
      or p.reserved_for = member or p.sold_to = member
   order by p.id for update;
  perform from public.offers o where (o.buyer_id = member or o.seller_id = member) and o.status = 'open' order by o.id for update;
  select coalesce(array_agg(distinct x.id), '{}') into touched from (
    select m.id from public.messages m where m.sender_id = member and m.kind = 'text' and m.deleted_at is null
    union all
    select r.message_id from public.message_reactions r where r.user_id = member
    union all
    select m.id from public.messages m where m.conversation_id = any(conversations) and m.kind <> 'text' and m.deleted_at is null
  ) x;
  perform from unnest(touched) as t(id) join public.messages m on m.id = t.id order by m.id for update of m;
  perform from public.conversations c where c.id = any(conversations) order by c.id for update;
  perform from public.conversation_members m where m.conversation_id = any(conversations)
   order by m.conversation_id, m.user_id for update;
  select coalesce(array_agg(distinct m.user_id), '{}') into partners
    from public.conversation_members m where m.conversation_id = any(conversations) and m.user_id <> member;
  insert into public.messaging_event_counters (user_id) select u.id from unnest(partners) as u(id) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters e where e.user_id = any(partners) order by e.user_id for update;

  -- Renamed, then marked (after which the profile changes no more): what follows publishes
  -- nothing to the account (publish_block_change).
  update public.profiles p
     set display_name = 'Deleted user',
         avatar_url = null,
         -- Unique while the id is; someone who took that name beforehand cannot stop an erase.
         username = case when exists (select from public.profiles t where t.username = 'deleted_' || left(replace(member::text, '-', ''), 24) and t.id <> member)
                         then 'deleted_' || left(replace(gen_random_uuid()::text, '-', ''), 24)
                         else 'deleted_' || left(replace(member::text, '-', ''), 24) end
   where p.id = member;
  insert into private.erased_accounts (user_id) values (member) returning erased_at into done;

  -- No longer a member of anything: what follows is published to the other members only, and
  -- nobody still owes a deleted member a reply.
  delete from public.conversation_members m where m.user_id = member;
  update public.conversation_members m set awaiting_reply_since = null
   where m.conversation_id = any(conversations) and m.awaiting_reply_since is not null;
  -- Every message this changes is published at the end, at once (publish_updates).
  perform set_config('messaging.publish', 'deferred', true);

  -- Every text they sent, deleted as delete_message deletes (its triggers remove the photos and
  -- queue their files, remove the reactions and the text as written, and fix previews and
  -- unread counts).
  select count(*) into photos from public.attachments a where a.uploader_id = member;
  with gone as (
    update public.messages m set body = '', deleted_at = now()
     where m.sender_id = member and m.kind = 'text' and m.deleted_at is null
    returning m.id
  )
  select count(*), coalesce(array_agg(gone.id), '{}') into erased, changed from gone;
  delete from public.message_originals o where o.sender_id = member;
  delete from public.attachments a where a.uploader_id = member;

  -- Their reactions under the other member's messages, which then show them gone.
  with removed as (
    delete from public.message_reactions r where r.user_id = member returning r.message_id
  )
  select count(*), coalesce(array_agg(distinct removed.message_id), '{}') into reactions, reacted from removed;
  changed := changed || array(select m.id from public.messages m
                               where m.id = any(reacted) and m.deleted_at is null and m.conversation_id = any(conversations));

  -- Offers stay (the amounts are the other member's records too); open ones close, as a buyer
  -- withdrawing or a seller declining would, and their cards show it.
  with closing as (
    update public.offers o
       set status = case when o.buyer_id = member then 'withdrawn'::public.offer_status else 'declined'::public.offer_status end,
           awaiting = null, updated_at = now()
     where (o.buyer_id = member or o.seller_id = member) and o.status = 'open'
    returning o.id
  )
  select coalesce(array_agg(closing.id), '{}') into closed from closing;
  changed := changed || array(select m.id from public.messages m
                               where m.kind = 'offer' and (m.payload ->> 'offer_id')::uuid = any(closed));

  -- Updates about the listing keep their place, named anew ("Deleted user accepted ...").
  with renamed as (
    update public.messages m set body = private.system_body(m)
     where m.conversation_id = any(conversations) and m.kind <> 'text' and m.deleted_at is null
       and m.body is distinct from private.system_body(m)
    returning m.id
  )
  select changed || coalesce(array_agg(renamed.id), '{}') into changed from renamed;

  perform set_config('messaging.publish', '', true);
  perform private.publish_updates(conversations, array(select distinct x from unnest(changed) x));

  -- A listing reserved for them is free again; one sold to them stays sold, to nobody named.
  update public.products p set status = 'active', reserved_for = null where p.reserved_for = member and p.status = 'reserved';
  update public.products p set reserved_for = null where p.reserved_for = member;
  update public.products p set sold_to = null where p.sold_to = member;

  delete from public.user_blocks b where b.blocker_id = member;
  delete from public.message_reports r where r.reporter_id = member;
  update public.message_reports r set body_snapshot = '' where r.reported_user_id = member and r.body_snapshot <> '';
  delete from public.quick_replies q where q.user_id = member;
  delete from public.messaging_preferences p where p.user_id = member;
  delete from private.member_activity a where a.user_id = member;
  delete from private.reaction_toggles t where t.user_id = member;
  delete from private.deal_actions a where a.user_id = member;
  delete from private.first_replies f where f.user_id = member;
  delete from private.digests d where d.user_id = member;
  delete from private.digest_cursors k where k.user_id = member;
  delete from private.data_exports x where x.user_id = member;

  -- Last, after everything above that could have been published: their event log, and on
  -- Supabase what Realtime stored for their topics.
  delete from public.messaging_events e where e.user_id = member;
  delete from public.messaging_event_counters c where c.user_id = member;
  if to_regclass('realtime.messages') is not null then
    execute 'delete from realtime.messages m where m.topic = any($1)'
      using array['user:' || member::text, 'presence:' || member::text];
  end if;

  return jsonb_build_object('erased_at', done, 'messages', erased, 'photos', photos, 'reactions', reactions,
                            'conversations', cardinality(conversations));
end;
$$;
revoke all on function private.erase_account(uuid) from public, anon, authenticated;

-- Erases the caller's account (erase_account) and returns what it erased; asking again for an
-- account already erased returns when it was (the app then removes the login, and may have to
-- try that again). The app removes the login (auth.users) after this and ends the session.
-- Signed-in users, themselves only: auth.uid() rather than current_user_id, which refuses an
-- erased account.
create function public.erase_my_account() returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := auth.uid();
  erased jsonb;
begin
  if me is null then
    perform private.fail('not_authenticated', 'Sign in to delete your account.');
  end if;
  erased := private.erase_account(me);
  if erased is null then
    perform private.fail('not_found', 'This account does not exist.');
  end if;
  return erased;
end;
$$;
revoke all on function public.erase_my_account() from public, anon, authenticated;
grant execute on function public.erase_my_account() to authenticated;

-- The profile no longer follows its login out (see the top of this file): the foreign key goes
-- (whatever a host named it), and removing a login erases the account instead. Security
-- definer: the role removing logins (supabase_auth_admin on Supabase) writes none of our
-- tables; it acts on the removed row's id only.
do $$
declare
  fk record;
begin
  for fk in
    select c.conname from pg_constraint c
     where c.conrelid = 'public.profiles'::regclass and c.contype = 'f' and c.confrelid = 'auth.users'::regclass
  loop
    execute format('alter table public.profiles drop constraint %I', fk.conname);
  end loop;
end
$$;

create function private.erase_removed_login() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.erase_account(old.id);
  return null;
end;
$$;
revoke all on function private.erase_removed_login() from public, anon, authenticated;

create trigger on_auth_user_deleted
  after delete on auth.users
  for each row execute function private.erase_removed_login();

-- ---------------------------------------------------------------------------------------------
-- Downloading
-- ---------------------------------------------------------------------------------------------

-- Downloads started, kept an hour: what the limit of 3 an hour counts. Internal.
create table private.data_exports (
  user_id uuid not null references public.profiles (id) on delete cascade,
  started_at timestamptz not null default now()
);
create index data_exports_user_idx on private.data_exports (user_id, started_at);
revoke all on private.data_exports from public, anon, authenticated;

-- Starts a download of the caller's data and returns what it begins with: when, their profile,
-- preferences and quick replies. The rest comes page by page (export_conversations,
-- export_messages, export_offers). At most 3 downloads an hour (rate_limited after that, with
-- how long to wait). Signed-in users, their own only.
create function public.start_data_export() returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  recent integer;
  oldest timestamptz;
  wait integer;
begin
  -- One start at a time per member, so two at once cannot both be the third of the hour.
  perform pg_advisory_xact_lock(hashtextextended('data_export:' || me::text, 0));
  delete from private.data_exports x where x.user_id = me and x.started_at <= now() - interval '1 hour';
  select count(*), min(x.started_at) into recent, oldest from private.data_exports x where x.user_id = me;
  if recent >= 3 then
    wait := greatest(ceil(extract(epoch from oldest + interval '1 hour' - now()) / 60), 1);
    perform private.fail('rate_limited', format('You can download your data 3 times an hour. Try again in %s %s.',
                                                 wait, case when wait = 1 then 'minute' else 'minutes' end));
  end if;
  insert into private.data_exports (user_id) values (me);
  return jsonb_build_object(
    'exported_at', now(),
    'profile', (select jsonb_build_object('id', p.id, 'username', p.username, 'display_name', p.display_name,
                                          'avatar_url', p.avatar_url, 'tier', p.tier, 'created_at', p.created_at)
                  from public.profiles p where p.id = me),
    'preferences', private.preferences_json(me),
    'quick_replies', coalesce((select jsonb_agg(private.quick_reply_json(r) order by r.updated_at desc, r.id)
                                 from public.quick_replies r where r.user_id = me), '[]'::jsonb));
end;
$$;
revoke all on function public.start_data_export() from public, anon, authenticated;
grant execute on function public.start_data_export() to authenticated;

-- A page of the caller's conversations, in id order after p_after: who the other member is,
-- the listing if any, and the caller's own state of it. One range scan of
-- conversation_members_user_idx. Signed-in users, their own only; 1 to 100 a page.
create function public.export_conversations(p_after uuid default null, p_limit integer default 50)
returns table (
  conversation_id uuid,
  started_at timestamptz,
  other_user_id uuid,
  other_username text,
  other_display_name text,
  product_id uuid,
  product_title text,
  product_price_cents integer,
  product_currency text,
  archived boolean,
  muted_until timestamptz,
  last_read_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  page_size integer := least(greatest(coalesce(p_limit, 50), 1), 100);
begin
  return query
  select m.conversation_id, c.created_at, m.other_user_id, o.username, o.display_name,
         m.product_id, p.title, p.price_cents, p.currency::text, m.archived_at is not null, m.muted_until, m.last_read_at
    from (select * from public.conversation_members m
           where m.user_id = me and m.conversation_id > coalesce(p_after, '00000000-0000-0000-0000-000000000000')
           order by m.conversation_id limit page_size) m
    join public.conversations c on c.id = m.conversation_id
    join public.profiles o on o.id = m.other_user_id
    left join public.products p on p.id = m.product_id
   order by m.conversation_id;
end;
$$;
revoke all on function public.export_conversations(uuid, integer) from public, anon, authenticated;
grant execute on function public.export_conversations(uuid, integer) to authenticated;

-- The ids of one page of a conversation, oldest first, newer than (after_at, after_id): one
-- range scan of messages_thread_idx, read backwards (as thread_page_ids, the other way).
create function private.thread_page_ids_after(conversation uuid, after_at timestamptz, after_id uuid, page_size integer) returns uuid[]
language sql
stable
set search_path = ''
as $$
  select coalesce(array_agg(page.id order by page.created_at, page.id), '{}')
    from (select m.id, m.created_at from public.messages m
           where m.conversation_id = conversation
             and private.precedes(after_at, after_id, m.created_at, m.id)
           order by m.created_at, m.id
           limit page_size) page
$$;
revoke all on function private.thread_page_ids_after(uuid, timestamptz, uuid, integer) from public, anon, authenticated;

-- A page of a conversation's messages newer than the cursor, oldest first, as the caller sees
-- them in the thread (messages_realtime_view: their own text as they wrote it, what the other
-- member sent as stored, photos, reactions, offers). Members only; 1 to 500 a page.
create function public.export_messages(
  p_conversation_id uuid,
  p_after_at timestamptz default null,
  p_after_id uuid default null,
  p_limit integer default 200
)
returns setof public.messages_realtime_view
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  after_at timestamptz := coalesce(p_after_at, '-infinity');
  after_id uuid := coalesce(p_after_id, '00000000-0000-0000-0000-000000000000');
  page_size integer := least(greatest(coalesce(p_limit, 200), 1), 500);
begin
  perform private.membership(p_conversation_id, me);
  return query
  select v.*
    from unnest(private.thread_page_ids_after(p_conversation_id, after_at, after_id, page_size)) with ordinality as page(id, position)
    join public.messages_realtime_view v on v.id = page.id
   order by page.position;
end;
$$;
revoke all on function public.export_messages(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.export_messages(uuid, timestamptz, uuid, integer) to authenticated;

-- A page of the offers made in a conversation of the caller's (as its buyer or its seller),
-- oldest first, after the cursor. Members only; 1 to 100 a page.
create function public.export_offers(
  p_conversation_id uuid,
  p_after_at timestamptz default null,
  p_after_id uuid default null,
  p_limit integer default 100
)
returns table (
  id uuid,
  product_id uuid,
  buyer_id uuid,
  seller_id uuid,
  amount_cents integer,
  currency text,
  status text,
  created_at timestamptz,
  updated_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  page_size integer := least(greatest(coalesce(p_limit, 100), 1), 100);
begin
  perform private.membership(p_conversation_id, me);
  return query
  select o.id, o.product_id, o.buyer_id, o.seller_id, o.amount_cents, o.currency, o.status::text, o.created_at, o.updated_at
    from public.offers o
   where o.conversation_id = p_conversation_id
     and private.precedes(coalesce(p_after_at, '-infinity'), coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'), o.created_at, o.id)
   order by o.created_at, o.id
   limit page_size;
end;
$$;
revoke all on function public.export_offers(uuid, timestamptz, uuid, integer) from public, anon, authenticated;
grant execute on function public.export_offers(uuid, timestamptz, uuid, integer) to authenticated;
