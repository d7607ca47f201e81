-- Messaging housekeeping on a schedule, where the database has pg_cron (Supabase: enable it
-- under Integrations → Cron, or let this migration enable it): messages past their retention
-- are purged every five minutes, 10,000 at a time (one short transaction each, up to 2.9
-- million a day), and the realtime event log is pruned hourly. Depends on messaging_retention
-- (purge_expired_messages) and messaging_events (prune_messaging_events).
--
-- Without pg_cron (plain PostgreSQL as the demo runs it) nothing is scheduled here and a notice
-- says so: the app server runs both itself (src/lib/server/db/retention.ts), or schedule them
-- with whatever runs your jobs. cron.schedule replaces a job of the same name, so running this
-- again, or after a change of schedule, leaves one job each.
do $$
begin
  if to_regprocedure('cron.schedule(text, text, text)') is null
     and exists (select from pg_available_extensions where name = 'pg_cron') then
    begin
      create extension if not exists pg_cron;
    exception when others then
      -- Installed but not loadable (pg_cron needs shared_preload_libraries): leave it to the operator.
      raise notice 'pg_cron is installed but could not be enabled (%): housekeeping not scheduled.', sqlerrm;
    end;
  end if;
  if to_regprocedure('cron.schedule(text, text, text)') is null then
    raise notice 'pg_cron is not available: schedule public.purge_expired_messages() and public.prune_messaging_events() yourself.';
    return;
  end if;
  perform cron.schedule('bazaar-purge-expired-messages', '*/5 * * * *', 'select public.purge_expired_messages(10000)');
  perform cron.schedule('bazaar-prune-messaging-events', '23 * * * *', 'select public.prune_messaging_events()');
end
$$;
