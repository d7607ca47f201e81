-- A sale closes its buyer's own open offer. Depends on messaging_seller_sees_who_got_it.
--
-- Marking a listing sold to a buyer declined every open offer on it, that buyer's own included:
-- both members then read "Your offer of €20.00 was declined: the listing went to another buyer"
-- above "Lee marked this as sold to you", though the seller's question had said "Open offers from
-- other buyers will be declined". Their offer is now 'closed', a state of its own: the sale
-- settled their negotiation at whatever price the two agreed, which neither "accepted" (at the
-- offer's amount) nor "declined" would say. No sentence of its own: "Sold to Ana" follows it.
alter type public.offer_status add value if not exists 'closed';

-- Closes the open offers a buyer has on a listing as 'closed', without a system message, and
-- publishes their cards again. For set_listing_status, after lock_listing_conversations.
create function private.close_offers_of(product uuid, buyer uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  closed public.offers;
begin
  for closed in
    select * from public.offers o where o.product_id = product and o.buyer_id = buyer and o.status = 'open' order by o.id
  loop
    update public.offers o set status = 'closed', awaiting = null, updated_at = now() where o.id = closed.id;
    perform private.publish_offer_cards(closed.id);
  end loop;
end;
$$;
revoke all on function private.close_offers_of(uuid, uuid) from public, anon, authenticated;

-- messaging_seller_sees_who_got_it's set_listing_status, closing the buyer's own open offer before
-- the other buyers' are declined. Otherwise unchanged:
--
-- messaging_listing_status' set_listing_status, its "Sold to another buyer" naming the conversation
-- the listing was sold in (deal_conversation_id); otherwise unchanged, grants included:
--
-- The seller of the listing a conversation is about marks it sold to that conversation's buyer
-- (p_status 'sold', from active or reserved) or available again (p_status 'active', from
-- reserved or sold), and every conversation about it is told (see messaging_listing_status); on a
-- sale the buyer's own open offer is closed and the other buyers' are declined. Returns the listing as open_conversation does (ProductSummary).
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
    perform private.close_offers_of(listing.id, member.other_user_id);
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
