-- Marketplace: a listing can be withdrawn, no longer for sale and not sold (its seller deleted
-- their account: messaging_seller_erase_withdraws_listings). Depends on
-- marketplace_listing_reserved. As 'reserved' was, the value comes in a migration of its own:
-- PostgreSQL refuses to use a value in the transaction that adds it.

alter type public.product_status add value if not exists 'withdrawn' after 'sold';
