-- Each member's messaging preferences (unread digests by email, browser notifications) and when
-- they were last seen online, which decides whether a digest is worth sending. Depends on
-- messaging_schema and messaging_rpc_helpers.

create table public.messaging_preferences (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  email_digests boolean not null default true,
  browser_notifications boolean not null default true,
  updated_at timestamptz not null default now()
);
alter table public.messaging_preferences enable row level security;
revoke all on public.messaging_preferences from anon, authenticated;
grant select on public.messaging_preferences to authenticated;
grant all on public.messaging_preferences to service_role;
create policy "members read their preferences"
  on public.messaging_preferences for select to authenticated
  using ((select auth.uid()) = user_id);

-- When a member last had the app open (a live stream, or a page calling mark_seen). Written
-- at most every 30 seconds per member; the digest worker reads it.
create table private.member_activity (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  last_seen_at timestamptz not null
);
revoke all on private.member_activity from public, anon, authenticated;

create function private.preferences_json(member uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('email_digests', coalesce(p.email_digests, true),
                            'browser_notifications', coalesce(p.browser_notifications, true))
    from (select 1) one
    left join public.messaging_preferences p on p.user_id = member
$$;
revoke all on function private.preferences_json(uuid) from public, anon, authenticated;

-- The caller's preferences; both on until changed. Signed-in users, their own only.
create function public.get_messaging_preferences() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  return private.preferences_json(me);
end;
$$;
revoke all on function public.get_messaging_preferences() from public, anon, authenticated;
grant execute on function public.get_messaging_preferences() to authenticated;

-- Changes the caller's preferences; a null argument leaves that one as it is. Returns them as
-- they are now. Signed-in users, their own only.
create function public.set_messaging_preferences(p_email_digests boolean default null, p_browser_notifications boolean default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  insert into public.messaging_preferences as p (user_id, email_digests, browser_notifications)
  values (me, coalesce(p_email_digests, true), coalesce(p_browser_notifications, true))
  on conflict (user_id) do update
     set email_digests = coalesce(p_email_digests, p.email_digests),
         browser_notifications = coalesce(p_browser_notifications, p.browser_notifications),
         updated_at = now();
  return private.preferences_json(me);
end;
$$;
revoke all on function public.set_messaging_preferences(boolean, boolean) from public, anon, authenticated;
grant execute on function public.set_messaging_preferences(boolean, boolean) to authenticated;

-- Records that these members are online now (no write within 30 seconds of the last). The
-- server's live streams call it for their connected members; a member's own page calls it
-- through mark_seen.
create function private.record_seen(members uuid[]) returns void
language sql
set search_path = ''
as $$
  insert into private.member_activity as a (user_id, last_seen_at)
  select distinct m, now() from unnest(members) m
   where exists (select from public.profiles p where p.id = m)
  on conflict (user_id) do update set last_seen_at = excluded.last_seen_at
   where a.last_seen_at < now() - interval '30 seconds'
$$;
revoke all on function private.record_seen(uuid[]) from public, anon, authenticated;

-- The caller is online now: their open pages call it while visible (Supabase mode, where no
-- server stream sees them). Signed-in users, themselves only.
create function public.mark_seen() returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
begin
  perform private.record_seen(array[me]);
end;
$$;
revoke all on function public.mark_seen() from public, anon, authenticated;
grant execute on function public.mark_seen() to authenticated;

-- The same for the members a server's live streams have connected. service_role only.
create function public.mark_seen_members(p_user_ids uuid[]) returns void
language sql
security definer
set search_path = ''
as $$
  select private.record_seen(p_user_ids)
$$;
revoke all on function public.mark_seen_members(uuid[]) from public, anon, authenticated;
grant execute on function public.mark_seen_members(uuid[]) to service_role;
