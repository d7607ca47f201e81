-- The seller is told who got the listing. Depends on messaging_listing_status (reserve_listing,
-- set_listing_status), messaging_contact_masking (the messages view, message_seen_by) and
-- messaging_deleted_member_in_previews (the preview rows).
--
-- When a listing was reserved or sold, every other conversation about it was told "Reserved for
-- another buyer" or "Sold to another buyer", the seller's copy included, though the seller made
-- the deal and knows who it was with. Those updates now name the conversation the deal was made
-- in (deal_conversation_id, in their payload), and the payload the seller reads names its buyer
-- (buyer_name); the thread says "Reserved for Ben Buyer". The other buyers read the payload as
-- stored: the id of a conversation they are not a member of, which nothing lets them look up
-- (its row and messages are its members' alone), and never the name. Updates posted before this
-- keep the stored sentence.

-- A message's payload as `viewer` may see it: an update that the listing went to another buyer
-- (its payload names the conversation the deal was made in) gets that conversation's buyer's name
-- as buyer_name when the viewer is the listing's seller, and loses any buyer_name otherwise; any
-- other payload is as stored. Called by the messages view (as the reader, on Supabase too: hence
-- authenticated's execute right, which finds nothing in a conversation the caller cannot read),
-- message_seen_by and the preview rows. One lookup of the conversation and of the buyer by key,
-- for those updates only.
create function private.payload_seen_by(payload jsonb, viewer uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case
    when payload ? 'deal_conversation_id' then (payload - 'buyer_name') || coalesce((
      select jsonb_build_object('buyer_name', b.display_name)
        from public.conversations c
        join public.profiles b on b.id = case when c.user_low = c.seller_id then c.user_high else c.user_low end
       where c.id = (payload ->> 'deal_conversation_id')::uuid and c.seller_id = viewer), '{}')
    else payload
  end
$$;
revoke all on function private.payload_seen_by(jsonb, uuid) from public, anon, authenticated;
grant execute on function private.payload_seen_by(jsonb, uuid) to authenticated;

-- messaging_listing_status' reserve_listing, its "Reserved for another buyer" naming the
-- conversation the listing was reserved in (deal_conversation_id); otherwise unchanged:
--
-- Reserves a listing for the buyer of an accepted offer and tells the other conversations about
-- it: their open offers declined, then "Reserved for another buyer". The caller (respond_to_offer)
-- holds the listing's lock, has called lock_listing_conversations, and posts the acceptance in
-- the offer's own conversation after this, so its preview already carries 'reserved'.
create or replace function private.reserve_listing(offer public.offers) returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.products p set status = 'reserved', reserved_for = offer.buyer_id, sold_to = null where p.id = offer.product_id;
  perform private.decline_open_offers(offer.product_id, offer.seller_id);
  perform private.announce_to_listing(offer.product_id, offer.seller_id, offer.conversation_id, 'Reserved for another buyer',
    jsonb_build_object('event', 'listing.reserved_elsewhere', 'actor_id', offer.seller_id, 'deal_conversation_id', offer.conversation_id));
end;
$$;
revoke all on function private.reserve_listing(public.offers) from public, anon, authenticated;

-- messaging_listing_status' set_listing_status, its "Sold to another buyer" naming the conversation
-- the listing was sold in (deal_conversation_id); otherwise unchanged, grants included:
--
-- The seller of the listing a conversation is about marks it sold to that conversation's buyer
-- (p_status 'sold', from active or reserved) or available again (p_status 'active', from
-- reserved or sold), and every conversation about it is told (see messaging_listing_status); open
-- offers are declined on a sale. Returns the listing as open_conversation does (ProductSummary).
-- Members of the conversation only (not_member); then only its seller (not_allowed), not between
-- blocked members, within the per-minute limit, and only a change (marking a sold listing sold,
-- or an active one available, is not_allowed).
create or replace function public.set_listing_status(p_conversation_id uuid, p_status text)
returns json
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := private.current_user_id();
  member public.conversation_members;
  listing public.products;
begin
  if p_status is null or p_status not in ('sold', 'active') then
    perform private.fail('invalid_input', 'A listing can be marked sold or available again.');
  end if;
  member := private.membership(p_conversation_id, me);
  if member.product_id is null then
    perform private.fail('not_allowed', 'This conversation is not about a listing.');
  end if;
  -- First lock, held until commit: changes of one listing happen one at a time.
  select * into listing from public.products p where p.id = member.product_id for update;
  if listing.seller_id <> me then
    perform private.fail('not_allowed', 'Only the seller can change this listing.');
  end if;
  perform private.check_not_blocked(me, member.other_user_id);
  if p_status = 'sold' and listing.status = 'sold' then
    perform private.fail('not_allowed', 'This listing is already sold.');
  elsif p_status = 'active' and listing.status = 'active' then
    perform private.fail('not_allowed', 'This listing is already available.');
  end if;
  perform private.check_deal_rate(me);
  perform private.lock_listing_conversations(listing.id);

  if p_status = 'sold' then
    update public.products p set status = 'sold', sold_to = member.other_user_id, reserved_for = null where p.id = listing.id;
    perform private.decline_open_offers(listing.id, me);
    perform private.post_system_message(p_conversation_id, me, format('Sold to %s', private.display_name(member.other_user_id)),
      jsonb_build_object('event', 'listing.sold', 'actor_id', me, 'buyer_id', member.other_user_id));
    perform private.announce_to_listing(listing.id, me, p_conversation_id, 'Sold to another buyer',
      jsonb_build_object('event', 'listing.sold_elsewhere', 'actor_id', me, 'deal_conversation_id', p_conversation_id));
  else
    update public.products p set status = 'active', reserved_for = null, sold_to = null where p.id = listing.id;
    perform private.post_system_message(p_conversation_id, me, 'Available again',
      jsonb_build_object('event', 'listing.available', 'actor_id', me));
    perform private.announce_to_listing(listing.id, me, p_conversation_id, 'Available again',
      jsonb_build_object('event', 'listing.available', 'actor_id', me));
  end if;
  return private.product_summary_json(listing.id);
end;
$$;
revoke all on function public.set_listing_status(uuid, text) from public, anon, authenticated;
grant execute on function public.set_listing_status(uuid, text) to authenticated;

-- ---------------------------------------------------------------------------------------------

-- messaging_contact_masking's view, with the payload as the viewer may see it (payload_seen_by);
-- otherwise unchanged:
--
-- messaging_offers' view, with the body as the viewer may see it: the text as written for its
-- sender, the stored (masked) text for anyone else; and whether contact details are hidden.
-- "The viewer" is the requesting user (auth.uid()), which is right wherever a user reads their
-- own thread; events, rendered in someone else's transaction, go through message_seen_by.
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
  private.payload_seen_by(m.payload, (select auth.uid())) as payload,
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

-- messaging_contact_masking's message_seen_by, with the payload as the viewer may see it too (the
-- message was rendered as whoever acted, who may be the seller); otherwise unchanged:
--
-- A rendered message as `viewer` may see it: its sender gets the text as written, anyone else
-- the stored text. Costs nothing for a message that hides nothing.
create or replace function private.message_seen_by(message jsonb, viewer uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select case when (seen.message -> 'payload') ? 'deal_conversation_id'
              then seen.message || jsonb_build_object('payload', private.payload_seen_by(seen.message -> 'payload', viewer))
              else seen.message end
    from (select case
      when message is null or not coalesce((message ->> 'contact_hidden')::boolean, false) then message
      when (message ->> 'sender_id')::uuid = viewer then message || jsonb_build_object('body', coalesce(
        (select o.body from public.message_originals o where o.message_id = (message ->> 'id')::uuid), message ->> 'body'))
      else message || jsonb_build_object('body', (select m.body from public.messages m where m.id = (message ->> 'id')::uuid))
    end as message) seen
$$;
revoke all on function private.message_seen_by(jsonb, uuid) from public, anon, authenticated;

-- messaging_deleted_member_in_previews' preview rows, the last message's payload as their member
-- may see it (payload_seen_by); otherwise unchanged.
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
  private.payload_seen_by(c.last_message_payload, m.user_id) as last_message_payload,
  p.seller_id as product_seller_id,
  om.user_id is null as other_deleted
from public.conversation_members m
join public.conversations c on c.id = m.conversation_id
join public.profiles o on o.id = m.other_user_id
left join public.products p on p.id = m.product_id
left join public.conversation_members om on om.conversation_id = m.conversation_id and om.user_id = m.other_user_id;
revoke all on private.conversation_preview_rows from public, anon, authenticated;
