-- Messaging reactions: a small fixed set of emoji (👍 ❤️ 😂 😮 🙏) members put under a message,
-- one per member per emoji per message, toggled through toggle_reaction with the same checks as
-- sending (membership, blocks, a per-minute limit). Both members see a change live: it is a
-- message.updated event. Depends on messaging_schema, messaging_rpc_helpers, messaging_messages
-- (check_not_blocked, message_json), messaging_message_edits (visible_message),
-- messaging_event_triggers (emit_message_event) and messaging_attachments (the view's photos).
--
-- Like its photos, each message carries its reactions as clients render them
-- (messages.reactions), so a thread page reads no reaction rows. Triggers on message_reactions
-- keep the column equal to the rows, whatever adds or removes them, in the same statement.

create table public.message_reactions (
  message_id uuid not null references public.messages (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  emoji text not null check (emoji in ('👍', '❤️', '😂', '😮', '🙏')),
  -- clock_timestamp: reactions of one transaction keep their order ("first reaction first").
  created_at timestamptz not null default clock_timestamp(),
  -- One per member per emoji per message; also a message's reactions, for message_reactions_json.
  primary key (message_id, emoji, user_id)
);
-- A user's reactions: what erasing the user cascades through.
create index message_reactions_user_idx on public.message_reactions (user_id);

alter table public.message_reactions enable row level security;
revoke all on public.message_reactions from anon, authenticated;
grant select on public.message_reactions to authenticated;
grant all on public.message_reactions to service_role;

-- Like messages: members read the reactions in their conversations. Clients write only through
-- toggle_reaction.
create policy "members read the reactions in their conversations"
  on public.message_reactions for select to authenticated
  using (exists (
    select from public.messages m
      join public.conversation_members cm on cm.conversation_id = m.conversation_id
     where m.id = message_reactions.message_id and cm.user_id = (select auth.uid())
  ));

-- Every toggle, kept for a minute: what the per-minute limit counts (toggling off deletes the
-- reaction, so the reactions themselves cannot be counted). Internal.
create table private.reaction_toggles (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  toggled_at timestamptz not null default clock_timestamp()
);
create index reaction_toggles_user_idx on private.reaction_toggles (user_id, toggled_at);
revoke all on private.reaction_toggles from public, anon, authenticated;

-- A message's reactions as clients render them: [{emoji, user_ids}], emoji in the order of their
-- earliest remaining reaction (then by emoji), user ids in the order they reacted (then by id);
-- [] when none, and [] once the message is deleted (the triggers below). A constant default, so
-- adding the column rewrites no row and takes its lock only for a moment. Clients have no write
-- grant on messages (messaging_schema): only the triggers here set it.
alter table public.messages add column reactions jsonb not null default '[]'::jsonb;

-- What messages.reactions holds for a live message: its reaction rows, rendered. Internal.
create function private.message_reactions_json(message uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('emoji', e.emoji, 'user_ids', e.user_ids) order by e.first_at, e.emoji), '[]'::jsonb)
    from (select x.emoji, array_agg(x.user_id order by x.created_at, x.user_id) as user_ids, min(x.created_at) as first_at
            from public.message_reactions x
           where x.message_id = message
           group by x.emoji) e
$$;
revoke all on function private.message_reactions_json(uuid) from public, anon, authenticated;

-- Rewrites messages.reactions of the live messages whose reaction rows a statement added or
-- removed: toggle_reaction's insert or delete, and any other path (a cascade from an erased
-- account or a purged message, an operator's delete), so no reader is shown a reaction that is
-- gone, or a user id of an erased account. Deleted and purged messages are skipped: their
-- column is already empty, or their row gone. Only reactions (not body or deleted_at) change,
-- so messages_publish does not fire: toggle_reaction publishes the one event itself.
-- Security definer: the removing role (service_role, a cascade) need not write messages.
create function private.refresh_message_reactions() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  touched uuid[];
begin
  select array_agg(distinct c.message_id) into touched from changed c;
  if touched is not null then
    -- Locked first (in id order), then read by the next statement's fresh snapshot: a concurrent
    -- change to one of these messages (toggle_reaction holds its message's lock until commit) is
    -- waited for and included, never overwritten. id = any(array): one primary-key probe per
    -- message, whatever plan is cached.
    perform from public.messages m where m.id = any(touched) and m.deleted_at is null order by m.id for update;
    update public.messages m set reactions = private.message_reactions_json(m.id)
     where m.id = any(touched) and m.deleted_at is null;
  end if;
  return null;
end;
$$;
revoke all on function private.refresh_message_reactions() from public, anon, authenticated;

-- Statement-level: one run per statement, whatever the number of rows (the rows a cascade
-- removes are collected into it). Reaction rows are only inserted and deleted, never updated:
-- toggle_reaction deletes and inserts, and clients write none.
create trigger message_reactions_refresh_added
  after insert on public.message_reactions
  referencing new table as changed
  for each statement execute function private.refresh_message_reactions();
create trigger message_reactions_refresh_removed
  after delete on public.message_reactions
  referencing old table as changed
  for each statement execute function private.refresh_message_reactions();

-- A deleted message shows no reactions: its column is emptied in the deleting update itself.
create function private.clear_deleted_message_reactions() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.reactions := '[]'::jsonb;
  return new;
end;
$$;
revoke all on function private.clear_deleted_message_reactions() from public, anon, authenticated;

create trigger messages_before_soft_delete_reactions
  before update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.clear_deleted_message_reactions();

-- A deleted message keeps no reaction rows either.
create function private.remove_deleted_message_reactions() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  delete from public.message_reactions r where r.message_id = new.id;
  return null;
end;
$$;
revoke all on function private.remove_deleted_message_reactions() from public, anon, authenticated;

-- Fires before messages_publish (triggers fire in name order).
create trigger messages_after_soft_delete_reactions
  after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.remove_deleted_message_reactions();

-- The messages view gains each message's reactions (messages.reactions, above), read from the
-- message row itself; [] for a deleted message. Otherwise as in messaging_attachments (columns
-- are only ever added at the end).
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
  case when m.deleted_at is null then m.attachments else '[]'::jsonb end as attachments,
  case when m.deleted_at is null then m.reactions else '[]'::jsonb end as reactions
from public.messages m
join public.conversations c on c.id = m.conversation_id
join public.profiles s on s.id = m.sender_id
left join public.products p on p.id = c.product_id
left join public.messages r on r.id = m.reply_to_id;

-- Adds the caller's reaction with p_emoji to a message, or takes it back if they already
-- reacted with it, and returns the message as it is now. Both members get a message.updated
-- event. Members of the message's conversation only (not_found otherwise); refused on deleted
-- messages (message_deleted), system messages (not_allowed), between blocked users, over the
-- per-minute limit (messaging_settings.rate_limit_per_minute toggles a minute, as for sending),
-- and for any emoji outside the set.
create function public.toggle_reaction(p_message_id uuid, p_emoji text)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages;
  limit_per_minute integer;
  recent integer;
begin
  if p_emoji is null or p_emoji not in ('👍', '❤️', '😂', '😮', '🙏') then
    perform private.fail('invalid_input', 'Choose one of the offered reactions: 👍 ❤️ 😂 😮 🙏.');
  end if;
  -- Locked: a concurrent delete waits, so no reaction lands on a deleted message.
  message := private.visible_message(p_message_id, me, true);
  if message.deleted_at is not null then
    perform private.fail('message_deleted', 'This message was deleted; it can no longer get reactions.');
  end if;
  if message.kind <> 'text' then
    perform private.fail('not_allowed', 'You can’t react to this message.');
  end if;
  perform private.check_not_blocked(me, (select m.other_user_id from public.conversation_members m
                                          where m.conversation_id = message.conversation_id and m.user_id = me));

  select s.rate_limit_per_minute into limit_per_minute from public.messaging_settings s;
  if limit_per_minute is not null then
    delete from private.reaction_toggles t where t.user_id = me and t.toggled_at <= now() - interval '1 minute';
    -- Reads at most the limit's number of the caller's toggles of the last minute.
    select count(*) into recent
      from (select from private.reaction_toggles t where t.user_id = me limit limit_per_minute) r;
    if recent >= limit_per_minute then
      perform private.fail('rate_limited', format('You are reacting too fast (at most %s a minute). Wait a moment and try again.', limit_per_minute));
    end if;
    insert into private.reaction_toggles (user_id) values (me);
  end if;

  -- Each statement rewrites the message's reactions as it ends (message_reactions_refresh_*),
  -- so the event and the returned message below carry the new value.
  delete from public.message_reactions r where r.message_id = p_message_id and r.emoji = p_emoji and r.user_id = me;
  if not found then
    insert into public.message_reactions (message_id, user_id, emoji) values (p_message_id, me, p_emoji);
  end if;
  perform private.emit_message_event('message.updated', p_message_id, message.conversation_id);
  return private.message_json(p_message_id)::json;
end;
$$;
revoke all on function public.toggle_reaction(uuid, text) from public, anon, authenticated;
grant execute on function public.toggle_reaction(uuid, text) to authenticated;
