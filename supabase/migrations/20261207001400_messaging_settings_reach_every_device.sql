-- A member's quick replies and preferences reach their other tabs and devices. Depends on
-- messaging_events (the log and its type check), messaging_emit_one_statement (emit),
-- messaging_seller_triage (quick_replies, quick_reply_json) and messaging_member_preferences
-- (messaging_preferences, preferences_json).
--
-- Each tab read both only with its page: browser notifications turned off on the account page
-- kept showing in the member's other tabs and on their phone until those reloaded, and a quick
-- reply saved on the laptop was missing from the phone's picker. Every change of either is now
-- an event in the member's own log, carrying the whole list or all the settings as they are
-- after it, so a tab that missed some applies the last and is current; a tab asleep catches up
-- from its cursor like any other event.

-- A check superset of the old one: added unvalidated, then validated without blocking writes.
alter table public.messaging_events drop constraint messaging_events_type_check;
alter table public.messaging_events add constraint messaging_events_type_check check (type in (
  'message.created', 'message.updated', 'read', 'conversation.updated', 'block.updated',
  'quick_replies.updated', 'preferences.updated')) not valid;
alter table public.messaging_events validate constraint messaging_events_type_check;

-- The member's quick replies, most recently saved first, to the member alone, after each save
-- or delete. Not while the member is being deleted: their log goes with them.
create function private.publish_quick_replies() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  member uuid := coalesce(new.user_id, old.user_id);
begin
  if exists (select from public.profiles p where p.id = member) then
    perform private.emit('quick_replies.updated', null, array[member], array[jsonb_build_object('quick_replies',
      (select coalesce(jsonb_agg(private.quick_reply_json(r) order by r.updated_at desc, r.id), '[]'::jsonb)
         from public.quick_replies r where r.user_id = member))]);
  end if;
  return null;
end;
$$;
revoke all on function private.publish_quick_replies() from public, anon, authenticated;

create trigger quick_replies_publish
  after insert or update or delete on public.quick_replies
  for each row execute function private.publish_quick_replies();

-- The member's settings as they are now, to the member alone, after each change of them.
create function private.publish_preferences() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.emit('preferences.updated', null, array[new.user_id],
    array[jsonb_build_object('preferences', private.preferences_json(new.user_id))]);
  return null;
end;
$$;
revoke all on function private.publish_preferences() from public, anon, authenticated;

create trigger messaging_preferences_publish
  after insert or update of email_digests, browser_notifications on public.messaging_preferences
  for each row execute function private.publish_preferences();
