-- A quick reply is kept once. Depends on messaging_blank_quick_replies (save_quick_reply).
--
-- The same text saved twice made two entries in the "/" picker and in Manage, each as good as the
-- other, and nothing said why the list grew. The same words in other capitals are the same reply.

-- messaging_blank_quick_replies's save_quick_reply, refusing a text the caller already keeps
-- under another id, capitals aside; otherwise unchanged.
-- Saves a quick reply of the caller's: new under p_id, or new text for their own p_id (saving
-- the same text again changes nothing but its place at the top). Trims the text; refuses an
-- empty one, one over 500 characters, one the caller already keeps under another id, a 21st, and
-- an id that is someone else's (as not found: whether an id exists is nobody else's business).
-- Signed-in users.
create or replace function public.save_quick_reply(p_id uuid, p_body text) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  cleaned text := btrim(coalesce(p_body, ''), E' \t\r\n');
  saved public.quick_replies;
begin
  if p_id is null then
    perform private.fail('invalid_input', 'The quick reply id is not valid.');
  end if;
  if private.is_blank(cleaned) then
    perform private.fail('invalid_input', 'Write the reply you want to keep.');
  end if;
  if char_length(cleaned) > 500 then
    perform private.fail('invalid_input', 'Quick replies can be at most 500 characters.');
  end if;
  -- One save at a time per user, so two at once cannot both be the 20th, or the same text twice.
  perform pg_advisory_xact_lock(hashtextextended('quick_replies:' || me::text, 0));

  if exists (select from public.quick_replies r where r.user_id = me and lower(r.body) = lower(cleaned) and r.id <> p_id) then
    perform private.fail('conflict', 'You already keep this quick reply.');
  end if;
  update public.quick_replies r set body = cleaned, updated_at = now()
   where r.id = p_id and r.user_id = me
  returning * into saved;
  if found then
    return private.quick_reply_json(saved);
  end if;
  if exists (select from public.quick_replies r where r.id = p_id) then
    perform private.fail('not_found', 'This quick reply does not exist.');
  end if;
  if (select count(*) from public.quick_replies r where r.user_id = me) >= 20 then
    perform private.fail('conflict', 'You can keep at most 20 quick replies. Delete one to save another.');
  end if;
  insert into public.quick_replies (id, user_id, body) values (p_id, me, cleaned) returning * into saved;
  return private.quick_reply_json(saved);
end;
$$;
revoke all on function public.save_quick_reply(uuid, text) from public, anon, authenticated;
grant execute on function public.save_quick_reply(uuid, text) to authenticated;
