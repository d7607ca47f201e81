-- Thread reads on their cached plans. Depends on messaging_messages.
--
-- PostgreSQL keeps re-planning a function's statement while its generic plan looks dearer than
-- the custom ones; for the thread functions' join of a page's ids with messages_realtime_view
-- (six relations) it did so on every call, and the planning cost more than the reading: on a
-- two-message thread list_messages took 2.3 ms and open_conversation 1.9 ms in the database,
-- 0.5 and 0.7 ms on the generic plan. Their plans depend on no value a caller passes (a
-- conversation's page through messages_thread_idx, the page's rows by primary key), so they
-- are told to use it from the first call; tests/db/messaging-plans.test.ts holds the plans.
alter function public.list_messages(uuid, timestamptz, uuid, integer) set plan_cache_mode = force_generic_plan;
alter function public.open_conversation(uuid, uuid, integer) set plan_cache_mode = force_generic_plan;
