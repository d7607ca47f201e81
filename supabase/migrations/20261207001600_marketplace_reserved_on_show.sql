-- Marketplace: a reserved listing stays on the home page, with its badge, as
-- marketplace_reserved_listings meant ("still on show ... it may come back if the deal falls
-- through"): the list read active listings only, so a listing left it the moment an offer was
-- accepted, for its seller too, who had no other page listing it. Sold ones still leave it.
-- Depends on marketplace (the index replaced). Not part of the messaging module.

drop index public.products_active_recent_idx;
-- The home page's query: listings on show, newest first.
create index products_on_show_recent_idx on public.products (created_at desc) where status in ('active', 'reserved');
