-- A buyer's deal with a listing, for its page: their newest offer whatever became of it, and
-- whether the listing is reserved for them or sold to them. Depends on messaging_offers and
-- marketplace_listing_reserved; replaces messaging_open_offer_on_listing's my_open_offer.
--
-- The page knew only an open offer. Once the seller acted, a buyer saw a "Reserved" badge and
-- nothing saying it was reserved for them, or "Make an offer" again with no word that their
-- offer had been declined; they had to find the conversation to learn either.

drop function public.my_open_offer(uuid);

-- The caller's deal with a listing: {offer, card_message_id, reserved_for_you, sold_to_you}, the
-- offer being their newest on it in any state (an Offer, current: it is the offer itself) with
-- its newest card's message id, or null; null altogether when they have made no offer and the
-- listing is neither reserved for them nor sold to them. Signed-in users, their own deal only.
-- Security definer: who a listing is reserved for or sold to is no column users may read
-- (marketplace_listing_reserved); this compares them with the caller and returns nothing else
-- of anyone's. One lookup of the product's key and one of offers_product_idx.
create function public.my_deal_on_listing(p_product_id uuid) returns json
language sql
stable
security definer
set search_path = ''
as $$
  select json_build_object(
    'offer', case when o.id is not null then
      json_build_object('id', o.id, 'amount_cents', o.amount_cents, 'currency', o.currency::text, 'status', o.status,
                        'awaiting', o.awaiting, 'buyer_id', o.buyer_id, 'seller_id', o.seller_id, 'current', true) end,
    'card_message_id', o.card_message_id,
    'reserved_for_you', coalesce(p.reserved_for = me.id, false),
    'sold_to_you', coalesce(p.sold_to = me.id, false))
    from (select private.current_user_id() as id) me
    left join public.products p on p.id = p_product_id
    left join lateral (
      select * from public.offers o
       where o.product_id = p_product_id and o.buyer_id = me.id
       order by o.created_at desc, o.id desc
       limit 1
    ) o on true
   where o.id is not null or p.reserved_for = me.id or p.sold_to = me.id
$$;
revoke all on function public.my_deal_on_listing(uuid) from public, anon, authenticated;
grant execute on function public.my_deal_on_listing(uuid) to authenticated;
