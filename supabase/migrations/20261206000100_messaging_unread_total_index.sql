-- Unread totals from the unread index alone. Depends on messaging_schema.
--
-- private.unread_total_of sums a member's unread counts: the header badge, every signed-in page's
-- session start and every rendered message event. For a busy seller that is 1,200 rows, read from
-- the heap through a bitmap scan (0.3 ms); with the counts and mutes in the index it is an
-- index-only scan. unread_count is already in the index's predicate, so including it costs no HOT
-- update.
drop index public.conversation_members_unread_idx;
create index conversation_members_unread_idx on public.conversation_members
  (user_id, last_message_at desc, conversation_id desc) include (unread_count, muted_until)
  where unread_count > 0 and archived_at is null;
