-- Recording a member as seen without waiting on their other requests. Depends on
-- messaging_member_preferences (member_activity, record_seen).
--
-- record_seen ran an INSERT ... ON CONFLICT DO UPDATE whose WHERE skipped members written in the
-- last 30 seconds. PostgreSQL locks the conflicting row before it evaluates that WHERE, so every
-- call locked the member's row until commit even when it wrote nothing: a member's requests in
-- flight together (the pages of several tabs, a page and its event stream's beat) queued behind
-- each other's commits. Served to one member at 10 connections, the session start waited about
-- 0.8 ms a page on that lock. Members seen in the last 30 seconds are now skipped by a plain read,
-- which takes no lock; two calls that both find a member stale still both upsert, in turn.
--
-- Also on the generic plan from the first call: with an array of unknown length the custom plans
-- looked cheaper and it was planned afresh on every call, 80 to 110 µs each. The members are found
-- with one index scan of profiles for the whole array (id = any), each once, rather than a join
-- with the unnested array, whose generic plan read every profile of a small marketplace.

-- Records that these members are online now (no write within 30 seconds of the last). The
-- server's live streams call it for their connected members; a member's own page calls it
-- through mark_seen and messaging_session_start.
create or replace function private.record_seen(members uuid[]) returns void
language sql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
  insert into private.member_activity as a (user_id, last_seen_at)
  select p.id, now() from public.profiles p
   where p.id = any(members)
     and not exists (select from private.member_activity s
                      where s.user_id = p.id and s.last_seen_at >= now() - interval '30 seconds')
  on conflict (user_id) do update set last_seen_at = excluded.last_seen_at
   where a.last_seen_at < now() - interval '30 seconds'
$$;
revoke all on function private.record_seen(uuid[]) from public, anon, authenticated;
