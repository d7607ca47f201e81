-- Marketplace: a listing can be reserved for one buyer (after the seller accepts an offer) and
-- is sold to one buyer. Depends on marketplace and marketplace_policies_grants_indexes. Not part
-- of the messaging module: a host marketplace whose products lack these adds them (README); the
-- messaging RPCs (messaging_offers, messaging_listing_status) are what set them.
--
-- The new enum value has its own migration: PostgreSQL refuses to use a value in the
-- transaction that adds it, so what compares with 'reserved' (checks, policies) comes in
-- marketplace_reserved_listings, after this one commits.

alter type public.product_status add value if not exists 'reserved' after 'active';

-- Who the listing is reserved for, or was sold to; null otherwise, and when that account is erased.
alter table public.products
  add column reserved_for uuid references public.profiles (id) on delete set null,
  add column sold_to uuid references public.profiles (id) on delete set null;

comment on column public.products.reserved_for is 'The buyer whose accepted offer reserved the listing; set by the messaging RPCs only.';
comment on column public.products.sold_to is 'The buyer the seller marked the listing sold to; set by the messaging RPCs only.';

-- What erasing a buyer's account sets null: few products are reserved or sold to anyone at a time.
create index products_reserved_for_idx on public.products (reserved_for) where reserved_for is not null;
create index products_sold_to_idx on public.products (sold_to) where sold_to is not null;

-- Who reserved or bought what is the seller's and that buyer's business: visitors and other
-- users read a product's public columns only (the system messages tell the two of them). A
-- table-wide select right would carry every future column too, so it becomes a column list.
revoke select on public.products from anon, authenticated;
grant select (id, seller_id, title, description, price_cents, currency, image_url, status, created_at)
  on public.products to anon, authenticated;

-- A listing's status changes only through the messaging RPCs, which also tell every
-- conversation about it (set_listing_status, respond_to_offer); sellers still edit the rest.
revoke insert (status), update (status) on public.products from authenticated;
