-- Event ids assigned in one statement. Depends on messaging_events.
--
-- emit took a recipient's next event id in three statements: insert the counter row if missing,
-- lock the rows in user-id order, then bump them. One INSERT ... ON CONFLICT DO UPDATE does all
-- three: it inserts or bumps the rows in the order its SELECT gives (user ids), locking each as it
-- goes, so writers still lock counters in one order and cannot deadlock, and the lock is still
-- held until commit, so a user's events still become visible in id order without gaps.
-- Otherwise as messaging_events' emit.
create or replace function private.emit(event_type text, conversation uuid, recipients uuid[], payloads jsonb[], logged_payloads jsonb[] default null) returns void
language plpgsql
set search_path = ''
as $$
declare
  published jsonb;
begin
  with bumped as (
    insert into public.messaging_event_counters as c (user_id, last_id)
    select r.user_id, 1 from unnest(recipients) as r(user_id) order by r.user_id
    on conflict (user_id) do update set last_id = c.last_id + 1
    returning c.user_id, c.last_id
  ), rendered as (
    select b.user_id, b.last_id as id, r.payload, coalesce(r.logged, r.payload) as logged
      from bumped b
      join unnest(recipients, payloads, coalesce(logged_payloads, array_fill(null::jsonb, array[cardinality(recipients)])))
        as r(user_id, payload, logged) on r.user_id = b.user_id
  ), inserted as (
    insert into public.messaging_events (user_id, id, type, conversation_id, payload)
    select x.user_id, x.id, event_type, conversation, x.logged from rendered x
    returning user_id, id, created_at
  )
  select jsonb_agg(jsonb_build_object('user_id', i.user_id, 'id', i.id, 'type', event_type, 'conversation_id', conversation,
                                      'payload', x.payload, 'created_at', i.created_at))
    into published
    from inserted i join rendered x on x.user_id = i.user_id and x.id = i.id;
  perform public.messaging_publish(published);
end;
$$;
revoke all on function private.emit(text, uuid, uuid[], jsonb[], jsonb[]) from public, anon, authenticated;
