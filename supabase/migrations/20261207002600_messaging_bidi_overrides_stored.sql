-- Messages stored before messaging_bidi_overrides lose their bidirectional controls too. Depends
-- on messaging_bidi_overrides.
--
-- Since that migration a message is stored without them, but one stored before still showed
-- reordered ("ctrl" + U+202E + "evil" as "ctrllive"). Each such message is cleaned as a send would
-- clean it now, through the same update triggers an edit goes through: the conversation's preview
-- follows, and its members' open threads get it as message.updated. It is not marked edited: its
-- sender changed nothing they meant. The text as its sender wrote it (message_originals, kept
-- while contact details are hidden) is cleaned too; a report's snapshot keeps what was reported.
-- A body of controls alone was never stored (is_blank counts them invisible), so none empties.
-- Changes only what still holds one, so a second run changes nothing.

update public.message_originals o
   set body = regexp_replace(regexp_replace(o.body, '[\u202A-\u202E\u2066-\u2069]+', '', 'g'), '^[[:space:]]+|[[:space:]]+$', '', 'g')
 where o.body ~ '[\u202A-\u202E\u2066-\u2069]';

update public.messages m
   set body = regexp_replace(regexp_replace(m.body, '[\u202A-\u202E\u2066-\u2069]+', '', 'g'), '^[[:space:]]+|[[:space:]]+$', '', 'g')
 where m.body ~ '[\u202A-\u202E\u2066-\u2069]';
