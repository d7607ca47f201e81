-- Control characters are not part of a message. Depends on messaging_one_send_per_id
-- (clean_body).
--
-- A body with C0 or C1 control characters (U+0001 to U+001F but tab, line feed and carriage
-- return; U+007F to U+009F) was stored and shown as sent: a box or nothing in the thread, a
-- break in an email digest's plain text, a character a terminal acts on in an export read
-- there. They are removed before anything else, so a body of them alone is empty. Messages
-- stored before keep theirs.

-- messaging_one_send_per_id's clean_body, removing control characters first. Otherwise unchanged:
-- a message body as stored: whitespace trimmed at both ends, 1 to 4000 characters.
create or replace function private.clean_body(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text := regexp_replace(
    regexp_replace(coalesce(body, ''), '[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]+', '', 'g'),
    '^[[:space:]]+|[[:space:]]+$', '', 'g');
begin
  if private.is_blank(cleaned) then
    perform private.fail('body_empty', 'Write a message before sending.');
  end if;
  if char_length(cleaned) > 4000 then
    perform private.fail('body_too_long', format('Messages can be at most 4000 characters; this one has %s.', char_length(cleaned)));
  end if;
  return cleaned;
end;
$$;
