-- The data export names the blocks a member made and the reports they filed. Depends on
-- messaging_account_data (start_data_export).
--
-- Both are the member's own acts, kept about them, and erasing an account deletes them; the
-- download left them out.

-- messaging_account_data's start_data_export, with the member's blocks and reports; otherwise
-- unchanged.
-- Starts a download of the caller's data: counts it against the limit (3 an hour, refused with
-- the wait as rate_limited) and returns what is read once: the profile, preferences, quick
-- replies, the members the caller blocked (newest first) and the reports the caller filed
-- (newest first; their reason and details, not the reported member's text, which is theirs).
-- Signed-in users, their own only.
create or replace function public.start_data_export() returns jsonb
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
                                 from public.quick_replies r where r.user_id = me), '[]'::jsonb),
    'blocks', coalesce((select jsonb_agg(jsonb_build_object('user_id', b.blocked_id, 'username', p.username,
                                                            'display_name', p.display_name, 'blocked_at', b.created_at)
                                         order by b.created_at desc, b.blocked_id)
                          from public.user_blocks b join public.profiles p on p.id = b.blocked_id
                         where b.blocker_id = me), '[]'::jsonb),
    'reports', coalesce((select jsonb_agg(jsonb_build_object('id', r.id, 'message_id', r.message_id, 'conversation_id', r.conversation_id,
                                                             'reported_user_id', r.reported_user_id, 'reason', r.reason,
                                                             'details', r.details, 'reported_at', r.created_at)
                                          order by r.created_at desc, r.id)
                           from public.message_reports r where r.reporter_id = me), '[]'::jsonb));
end;
$$;
revoke all on function public.start_data_export() from public, anon, authenticated;
grant execute on function public.start_data_export() to authenticated;
