-- An edit that leaves nothing is refused in an edit's words. Depends on messaging_contact_masking
-- (edit_message) and messaging_control_characters (clean_body).
--
-- Emptied in the edit box and saved, a message was refused with "Write a message before sending":
-- a sentence about sending, for a message already sent, that did not say what to do instead.

-- messaging_contact_masking's edit_message, with clean_body's body_empty reworded for an edit;
-- otherwise unchanged. Edits the caller's own message, as messaging_message_edits' edit_message
-- (which it calls), screened as send_message is. Signed-in users, their own text messages only.
create or replace function public.edit_message(p_id uuid, p_body text, p_masked_body text default null, p_screening text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  stored text := private.screened_body(p_id, p_body, p_masked_body, p_screening);
  kind text;
begin
  -- Checked (and locked) before the original changes; store_edit checks the rest.
  perform private.own_message(p_id, me);
  begin
    perform private.clean_body(p_body);
  exception when sqlstate 'BZ001' then
    get stacked diagnostics kind = pg_exception_hint;
    if kind = 'body_empty' then
      perform private.fail('body_empty', 'A message cannot be edited to nothing: delete it instead.');
    end if;
    raise;
  end;
  if stored is distinct from p_body then
    insert into public.message_originals (message_id, sender_id, body)
    values (p_id, me, private.clean_body(p_body))
    on conflict (message_id) do update set body = excluded.body;
  else
    delete from public.message_originals o where o.message_id = p_id;
  end if;
  -- The mark follows the original even when the stored text stays the same (a number swapped
  -- for another is hidden the same way); store_edit then writes the text if it changed.
  update public.messages m set contact_hidden = (stored is distinct from p_body)
   where m.id = p_id and m.deleted_at is null and m.contact_hidden is distinct from (stored is distinct from p_body);
  return private.store_edit(p_id, stored);
end;
$$;
revoke all on function public.edit_message(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.edit_message(uuid, text, text, text) to authenticated;
