-- Messaging foreign keys without an index, as Supabase's Performance Advisor found them: without
-- one on the referencing columns, deleting or re-keying a referenced row scans the whole
-- referencing table (once per row, in a cascade). Depends on messaging_schema.
-- tests/db/advisor.test.ts keeps every foreign key indexed.

-- A product's conversations, by (product, seller): what deleting a product checks
-- (conversations_product_seller_fk restricts it), and what a change of a listing's status walks
-- to tell every conversation about it. Partial like the index it replaces: general
-- conversations (no product) never match. It serves lookups by product_id alone too.
create index conversations_product_seller_idx on public.conversations (product_id, seller_id)
  where product_id is not null;
drop index public.conversations_product_idx;

-- A conversation's reports: what deleting a conversation (a member's account erased) cascades through.
create index message_reports_conversation_idx on public.message_reports (conversation_id);

-- Reports against a user, newest first: the moderators' view of one user, and what erasing
-- that user cascades through.
create index message_reports_reported_user_idx on public.message_reports (reported_user_id, created_at desc);
