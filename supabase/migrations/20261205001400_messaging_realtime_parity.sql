-- Messaging on Supabase Realtime, at parity with plain mode: pushes that leave no text behind,
-- typing and presence that never cross a block, presence per user. Depends on messaging_events
-- (messaging_publish) and messaging_schema (conversation_members, user_blocks).
--
-- Realtime stores every realtime.send broadcast in realtime.messages (about 72 hours, replayable
-- on private channels), so a pushed message text would outlive its edit, delete or purge there.
-- Pushes therefore carry no content at all: one broadcast per recipient and transaction holding
-- only the newest event id, which tells the client to catch up through sync_since (the RPC that
-- renders the log as the messages are now, under the caller's rights). The rows left in
-- realtime.messages are a user id and a number. Deleting stored rows on edit instead would need
-- a scan of realtime.messages by payload for every edit, delete and purge, and would race with
-- replay; a content-free push has nothing to delete.
--
-- Topics and who may use them:
--   user:<id>          broadcast, read by that user: the push above
--   conversation:<id>  broadcast, read and sent by its members while no block stands between
--                      them: typing
--   presence:<id>      presence, tracked by that user only, read by that user and by their
--                      conversation partners while no block stands between them
-- Realtime checks these policies when a client joins a channel.

-- Pushes committed-to-be events to their users: on Supabase a content-free broadcast per
-- recipient (above); on plain PostgreSQL the NOTIFY path, delivered at commit and never stored,
-- unchanged. Called by private.emit; service_role only otherwise (grants kept from
-- messaging_events), so no client can forge a push.
create or replace function public.messaging_publish(events jsonb) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  message text;
  poke record;
begin
  if to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    for poke in
      select value ->> 'user_id' as user_id, max((value ->> 'id')::bigint) as cursor
        from jsonb_array_elements(events) group by 1
    loop
      execute 'select realtime.send($1, $2, $3, true)'
        using jsonb_build_object('cursor', poke.cursor), 'events', 'user:' || poke.user_id;
    end loop;
    return;
  end if;
  message := jsonb_build_object('events', events)::text;
  if octet_length(message) > 7900 then
    message := jsonb_build_object('refs', (
      select jsonb_agg(jsonb_build_object('user_id', value -> 'user_id', 'id', value -> 'id')) from jsonb_array_elements(events)
    ))::text;
  end if;
  perform pg_notify('bazaar_messaging', message);
end;
$$;

-- Whether the caller may use a conversation:<id> topic (a conversation they belong to) or read
-- a presence:<id> topic (a conversation partner's), with no block between them in either
-- direction. Security definer because a user cannot see the blocks others made of them; it
-- answers only for the caller (auth.uid()), and false for anyone signed out or any other topic.
-- Called by the realtime.messages policies below, which run as the joining user.
create function private.may_signal(topic text) returns boolean
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
  )
$$;
revoke all on function private.may_signal(text) from public, anon, authenticated;
-- Policies run as the joining user, so that user needs to reach this one function; every other
-- object in private keeps its grants withheld, and private is not an API schema.
grant usage on schema private to authenticated;
grant execute on function private.may_signal(text) to authenticated;

-- One policy per command (Supabase's Advisor warns about several permissive ones).
do $$
begin
  if to_regclass('realtime.messages') is null then
    raise notice 'No realtime schema: Supabase Realtime policies skipped (plain PostgreSQL uses its own SSE stream).';
    return;
  end if;
  drop policy if exists "users receive their own messaging events" on realtime.messages;
  drop policy if exists "members share typing and presence in their conversations" on realtime.messages;
  drop policy if exists "members send typing and presence in their conversations" on realtime.messages;
  execute $policy$
    create policy "messaging: receive own events, partners' typing and presence"
      on realtime.messages for select to authenticated
      using (
        case realtime.messages.extension
          when 'broadcast' then
            (select realtime.topic()) = 'user:' || (select auth.uid())::text
            or ((select realtime.topic()) like 'conversation:%' and (select private.may_signal((select realtime.topic()))))
          when 'presence' then
            (select realtime.topic()) = 'presence:' || (select auth.uid())::text
            or ((select realtime.topic()) like 'presence:%' and (select private.may_signal((select realtime.topic()))))
          else false
        end
      )
  $policy$;
  execute $policy$
    create policy "messaging: send own typing and presence"
      on realtime.messages for insert to authenticated
      with check (
        case realtime.messages.extension
          when 'broadcast' then
            (select realtime.topic()) like 'conversation:%' and (select private.may_signal((select realtime.topic())))
          when 'presence' then
            (select realtime.topic()) = 'presence:' || (select auth.uid())::text
          else false
        end
      )
  $policy$;
end
$$;
