-- A photo over the hourly limit is refused before it is processed. Depends on
-- messaging_attachments (create_attachment).
--
-- The limit of 60 unsent uploads an hour was checked only as the processed photo was recorded:
-- each upload past it was still read, decoded and resized first, about a second of the app
-- server's CPU for a large photo, and then refused. Anyone at the limit could keep the server
-- busy so. The app server now asks before it reads the upload, and the recording checks again.

-- Refuses (rate_limited) once `me` has 60 photos uploaded in the last hour and not sent, unless
-- the operator turned the per-minute message limit off. Reads at most 60 of the caller's newest
-- uploads (attachments_uploader_idx). Internal: create_attachment and check_photo_room.
create function private.check_upload_room(me uuid) returns void
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
      perform private.fail('rate_limited', 'You have uploaded 60 photos in the last hour without sending them. Send or remove some, then try again.');
    end if;
  end if;
end;
$$;
revoke all on function private.check_upload_room(uuid) from public, anon, authenticated;

-- Whether the caller may upload another photo now: returns nothing, or refuses as
-- create_attachment would (rate_limited). Signed-in users; the app server asks it before it
-- reads and processes an upload. Security definer: it counts the caller's own uploads only.
create function public.check_photo_room() returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.check_upload_room(private.current_user_id());
end;
$$;
revoke all on function public.check_photo_room() from public, anon, authenticated;
grant execute on function public.check_photo_room() to authenticated;

-- messaging_attachments' create_attachment, its limit in check_upload_room; otherwise unchanged.
-- Records a photo the app server has processed, as a pending attachment of the caller, and
-- returns it. Sizes are those of the stored display image and thumbnail (1 to 10000 pixels);
-- bytes those of both files. Signed-in users; at most 60 pending uploads an hour each (off
-- when the operator turned the per-minute message limit off), so abandoned uploads cannot
-- pile up.
create or replace function public.create_attachment(p_width integer, p_height integer, p_thumb_width integer, p_thumb_height integer, p_bytes bigint)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  created public.attachments;
begin
  if p_width is null or p_height is null or p_thumb_width is null or p_thumb_height is null
     or least(p_width, p_height, p_thumb_width, p_thumb_height) < 1
     or greatest(p_width, p_height, p_thumb_width, p_thumb_height) > 10000 then
    perform private.fail('invalid_input', 'A photo must be between 1 and 10000 pixels wide and high.');
  end if;
  if p_bytes is null or p_bytes < 1 then
    perform private.fail('invalid_input', 'A photo needs its size in bytes.');
  end if;
  perform private.check_upload_room(me);
  insert into public.attachments (uploader_id, width, height, thumb_width, thumb_height, bytes)
  values (me, p_width, p_height, p_thumb_width, p_thumb_height, p_bytes)
  returning * into created;
  return private.attachment_json(created)::json;
end;
$$;
revoke all on function public.create_attachment(integer, integer, integer, integer, bigint) from public, anon, authenticated;
grant execute on function public.create_attachment(integer, integer, integer, integer, bigint) to authenticated;
