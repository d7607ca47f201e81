-- A buyer's deal with a listing says who made each move. Depends on messaging_my_deal_on_listing
-- (my_deal_on_listing), messaging_counter_is_one_message (a counter is a card of the seller's) and
-- messaging_block_closes_offers (a block closes offers with the messages an answer posts).
--
-- An offer row keeps the amount on the table and its status, not whose amount it is or who closed
-- it, so the listing's page guessed, and guessed wrong after a counter: Ana accepted Lee's counter
-- of €36.00 and read "Lee accepted your offer of €36.00"; she declined his counter of €430.00 and
-- read "Your offer of €430.00 was declined". The deal now says whether the amount is the seller's
-- counter, and who closed the offer, as the conversation's messages record it.

-- The caller's deal with a listing: {offer, card_message_id, countered, closed_by,
-- reserved_for_you, sold_to_you}. offer is their newest offer on it in any state (an Offer,
-- current: it is the offer itself) with its newest card's message id, or null. countered: the
-- amount on the table is the seller's counter (the newest card is the seller's), not the buyer's
-- own offer. closed_by, for a closed offer, who closed it as its conversation records it: 'buyer'
-- or 'seller' (an answer, or a block), 'listing' (declined because the listing went to another
-- buyer), or null (open, or retention purged the record). Null altogether when they have made no
-- offer and the listing is neither reserved for them nor sold to them. Signed-in users, their own
-- deal only. Security definer: who a listing is reserved for or sold to is no column users may
-- read (marketplace_listing_reserved), and this compares them with the caller; the rest is the
-- caller's own offer and the messages of their own conversation. One lookup of the product's key
-- and one of offers_product_idx; for a closed offer, its card by key and a short range of
-- messages_thread_idx.
create or replace function public.my_deal_on_listing(p_product_id uuid) returns json
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
    'countered', coalesce(card.sender_id = o.seller_id, false),
    'closed_by', case when closing.payload ->> 'event' = 'offer.auto_declined' then 'listing'
                      when closing.payload ->> 'actor_id' = o.buyer_id::text then 'buyer'
                      when closing.payload ->> 'actor_id' = o.seller_id::text then 'seller' end,
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
    left join public.messages card on card.id = o.card_message_id
    -- Whatever closes an offer sets its updated_at to now() and posts its system message in the
    -- same transaction, stamped later (clock_timestamp); the conversation's earlier offers were
    -- closed before this one was made. So the first offer event from updated_at on is this one's.
    left join lateral (
      select m.payload from public.messages m
       where m.conversation_id = o.conversation_id and m.created_at >= o.updated_at and m.kind = 'system'
         and m.payload ->> 'event' in ('offer.accepted', 'offer.declined', 'offer.withdrawn', 'offer.auto_declined')
       order by m.created_at, m.id
       limit 1
    ) closing on o.status <> 'open'
   where o.id is not null or p.reserved_for = me.id or p.sold_to = me.id
$$;
revoke all on function public.my_deal_on_listing(uuid) from public, anon, authenticated;
grant execute on function public.my_deal_on_listing(uuid) to authenticated;
