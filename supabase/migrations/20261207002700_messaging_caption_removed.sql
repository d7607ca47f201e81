-- A photo's caption can be taken away. Depends on messaging_edit_to_nothing (edit_message) and
-- messaging_contact_masking (store_edit).
--
-- A message of photos with a caption, emptied in the edit box and saved, was refused with "A
-- message cannot be edited to nothing: delete it instead", and deleting it would take the photos
-- too. Its caption now goes and the photos stay, as a send of photos alone stores them (body
-- ''); a message without photos is still refused in those words.

-- messaging_message_edits' edit_message, kept as store_edit: a blank text on a message with
-- photos stores ''; otherwise unchanged. Replaces the text of the caller's own message and marks
-- it edited; not on a deleted message or between blocked users. Called by edit_message only.
create or replace function private.store_edit(p_id uuid, p_body text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  message public.messages := private.own_message(p_id, me);
  cleaned text := case when jsonb_array_length(message.attachments) > 0 and private.is_blank(p_body) then ''
                       else private.clean_body(p_body) end;
begin
  if message.deleted_at is not null then
    perform private.fail('message_deleted', 'This message was deleted and can no longer be edited.');
  end if;
  perform private.check_not_blocked(me, (select m.other_user_id from public.conversation_members m
                                          where m.conversation_id = message.conversation_id and m.user_id = me));
  if cleaned <> message.body then
    update public.messages m set body = cleaned, edited_at = now() where m.id = p_id;
  end if;
  return private.message_json(p_id);
end;
$$;
revoke all on function private.store_edit(uuid, text) from public, anon, authenticated;

-- messaging_edit_to_nothing's edit_message, letting a message with photos lose its caption;
-- otherwise unchanged. Edits the caller's own message (store_edit), screened as send_message is.
-- Signed-in users, their own text messages only.
create or replace function public.edit_message(p_id uuid, p_body text, p_masked_body text default null, p_screening text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  stored text := private.screened_body(p_id, p_body, p_masked_body, p_screening);
  uncaptioned boolean;
  kind text;
begin
  -- Checked (and locked) before the original changes; store_edit checks the rest.
  uncaptioned := jsonb_array_length((private.own_message(p_id, me)).attachments) > 0 and private.is_blank(p_body);
  if not uncaptioned then
    begin
      perform private.clean_body(p_body);
    exception when sqlstate 'BZ001' then
      get stacked diagnostics kind = pg_exception_hint;
      if kind = 'body_empty' then
        perform private.fail('body_empty', 'A message cannot be edited to nothing: delete it instead.');
      end if;
      raise;
    end;
  end if;
  -- A caption taken away hides nothing: no original to keep.
  if stored is distinct from p_body and not uncaptioned then
    insert into public.message_originals (message_id, sender_id, body)
    values (p_id, me, private.clean_body(p_body))
    on conflict (message_id) do update set body = excluded.body;
  else
    delete from public.message_originals o where o.message_id = p_id;
  end if;
  -- The mark follows the original even when the stored text stays the same (a number swapped
  -- for another is hidden the same way); store_edit then writes the text if it changed.
  update public.messages m set contact_hidden = (stored is distinct from p_body and not uncaptioned)
   where m.id = p_id and m.deleted_at is null
     and m.contact_hidden is distinct from (stored is distinct from p_body and not uncaptioned);
  return private.store_edit(p_id, case when uncaptioned then '' else stored end);
end;
$$;
revoke all on function public.edit_message(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.edit_message(uuid, text, text, text) to authenticated;
