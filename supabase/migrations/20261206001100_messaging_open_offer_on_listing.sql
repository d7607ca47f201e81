-- A buyer's open offer, for the listing's page. Depends on messaging_offers.
--
-- The product page offered "Make an offer" to a buyer whose offer was already open: the link led
-- to a thread that could not take another (one open offer per buyer and listing). The page now
-- asks for the caller's open offer and shows it, with a link to its card, instead.

-- The caller's open offer on a listing, as an Offer (current: it is the offer itself) with its
-- newest card's message id; null when they have none open. Signed-in users, their own offers
-- only: security invoker, so the offers' policy ("buyers and sellers read their offers") holds.
-- One lookup of offers_one_open_per_buyer_idx.
create function public.my_open_offer(p_product_id uuid) returns json
language sql
stable
set search_path = ''
as $$
  select json_build_object(
    'offer', json_build_object('id', o.id, 'amount_cents', o.amount_cents, 'currency', o.currency::text, 'status', o.status,
                               'awaiting', o.awaiting, 'buyer_id', o.buyer_id, 'seller_id', o.seller_id, 'current', true),
    'card_message_id', o.card_message_id)
    from public.offers o
   where o.product_id = p_product_id and o.buyer_id = (select auth.uid()) and o.status = 'open'
$$;
revoke all on function public.my_open_offer(uuid) from public, anon, authenticated;
grant execute on function public.my_open_offer(uuid) to authenticated;
