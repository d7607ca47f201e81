-- Bidirectional embeddings, overrides and isolates are not part of a message. Depends on
-- messaging_control_characters (clean_body).
--
-- U+202E (right-to-left override) and its kin (U+202A to U+202E, U+2066 to U+2069) reorder
-- the text after them until the paragraph ends: "ctrl" + U+202E + "evil" showed as "ctrllive",
-- so a message could show a link, a price or a name other than the one it holds. A thread shows
-- each body with dir="auto", which is what right-to-left text needs; the marks U+200E and U+200F
-- (which reorder nothing) stay. Removed with the control characters, so a body of them alone is
-- empty, as it was already (is_blank counts them invisible). Messages stored before keep theirs.

-- messaging_control_characters' clean_body, removing bidirectional controls too. Otherwise
-- unchanged: a message body as stored: whitespace trimmed at both ends, 1 to 4000 characters.
create or replace function private.clean_body(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  cleaned text := regexp_replace(
    regexp_replace(coalesce(body, ''), '[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]+', '', 'g'),
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
