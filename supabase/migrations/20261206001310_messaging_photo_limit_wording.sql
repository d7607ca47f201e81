-- The limit of unsent photos says when it lifts by itself. Depends on messaging_photo_room_first.
--
-- It said "Send or remove some", but photos left in a tab since closed show nowhere to remove;
-- they stop counting an hour after they were uploaded.

-- messaging_photo_room_first's check_upload_room, in those words; otherwise unchanged.
-- Refuses (rate_limited) once `me` has 60 photos uploaded in the last hour and not sent, unless
-- the operator turned the per-minute message limit off. Reads at most 60 of the caller's newest
-- uploads (attachments_uploader_idx). Internal: create_attachment and check_photo_room.
create or replace function private.check_upload_room(me uuid) returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  recent integer;
begin
  if (select s.rate_limit_per_minute from public.messaging_settings s) is not null then
    select count(*) into recent
      from (select from public.attachments a
             where a.uploader_id = me and a.created_at > now() - interval '1 hour' and a.message_id is null
             limit 60) r;
    if recent >= 60 then
      perform private.fail('rate_limited', 'You have uploaded 60 photos in the last hour without sending them. Send or remove some, or wait: an unsent photo counts for an hour.');
    end if;
  end if;
end;
$$;
revoke all on function private.check_upload_room(uuid) from public, anon, authenticated;
