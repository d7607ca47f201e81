-- Payloads read in place. Depends on messaging_seller_sees_who_got_it (payload_seen_by and the two
-- views below).
--
-- The messages view and the preview rows called payload_seen_by for every row. A SQL function
-- with a SET clause (or a sub-select) is never inlined, so each call ran as its own query: a
-- GUC level pushed and popped, an executor started and ended. Only a deal's update carries
-- deal_conversation_id, and for every other payload the call returned it unchanged. Now the views
-- test for that key themselves, and call the function only for those rows. A seller's inbox
-- of 31 conversations cost PostgreSQL 620 µs of CPU before, 470 after (2,000 calls each).

-- messaging_seller_sees_who_got_it's view, payload_seen_by called only for a deal's update;
-- otherwise unchanged.
create or replace view public.messages_realtime_view with (security_invoker = true) as
select
  m.id,
  m.conversation_id,
  m.sender_id,
  s.username as sender_username,
  s.display_name as sender_display_name,
  s.avatar_url as sender_avatar_url,
  m.kind,
  case when m.contact_hidden and m.sender_id = (select auth.uid())
       then coalesce((select o.body from public.message_originals o where o.message_id = m.id and o.sender_id = m.sender_id), m.body)
       else m.body end as body,
  m.reply_to_id,
  r.sender_id as reply_to_sender_id,
  case when r.deleted_at is not null then '' when r.body = '' then 'Photo' else left(r.body, 140) end as reply_to_preview,
  (r.deleted_at is not null) as reply_to_deleted,
  m.created_at,
  m.edited_at,
  m.deleted_at,
  c.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  case when m.deleted_at is null then m.attachments else '[]'::jsonb end as attachments,
  case when m.deleted_at is null then m.reactions else '[]'::jsonb end as reactions,
  case when m.payload ? 'deal_conversation_id' then private.payload_seen_by(m.payload, (select auth.uid())) else m.payload end as payload,
  case when o.id is not null then jsonb_build_object(
    'id', o.id,
    'amount_cents', o.amount_cents,
    'currency', o.currency,
    'status', o.status,
    'awaiting', o.awaiting,
    'buyer_id', o.buyer_id,
    'seller_id', o.seller_id,
    'current', coalesce(o.card_message_id = m.id, false)
  ) end as offer,
  m.contact_hidden
from public.messages m
join public.conversations c on c.id = m.conversation_id
join public.profiles s on s.id = m.sender_id
left join public.products p on p.id = c.product_id
left join public.messages r on r.id = m.reply_to_id
left join public.offers o on m.kind = 'offer' and o.id = (m.payload ->> 'offer_id')::uuid;

-- messaging_seller_sees_who_got_it's preview rows, payload_seen_by called only for a deal's
-- update; otherwise unchanged.
create or replace view private.conversation_preview_rows with (security_invoker = true) as
select
  m.user_id,
  m.conversation_id,
  m.other_user_id,
  o.username as other_username,
  o.display_name as other_display_name,
  o.avatar_url as other_avatar_url,
  m.product_id,
  p.title as product_title,
  p.price_cents as product_price_cents,
  p.currency::text as product_currency,
  p.image_url as product_image_url,
  p.status::text as product_status,
  c.last_message_id,
  m.last_message_at,
  c.last_message_preview,
  c.last_message_sender_id,
  c.last_message_deleted,
  m.unread_count,
  m.archived_at is not null as archived,
  m.muted_until,
  om.last_read_at as other_last_read_at,
  c.last_message_kind,
  m.awaiting_reply_since is not null as needs_reply,
  case when c.last_message_payload ? 'deal_conversation_id' then private.payload_seen_by(c.last_message_payload, m.user_id)
       else c.last_message_payload end as last_message_payload,
  p.seller_id as product_seller_id,
  om.user_id is null as other_deleted
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
left join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
