-- Marketplace: what a reserved listing means for the catalogue, now that 'reserved' is committed
-- (marketplace_listing_reserved). Depends on marketplace_listing_reserved and
-- marketplace_policies_grants_indexes. Not part of the messaging module (hosts keep their own).

-- Only a reserved listing names who it is reserved for, only a sold one who bought it. (A buyer's
-- erased account sets them null; the status stays.)
alter table public.products
  add constraint products_reserved_for_when_reserved check (reserved_for is null or status = 'reserved'),
  add constraint products_sold_to_when_sold check (sold_to is null or status = 'sold');

-- A reserved listing is still on show (with its badge, and "Message seller" still there): it may
-- come back if the deal falls through. A sold one leaves the catalogue, but whoever talked with
-- the seller about it still opens its page (with its "Sold" badge) from their conversation. One
-- permissive policy per role, as before (marketplace_policies_grants_indexes); the names stay.
drop policy "visitors read active products" on public.products;
drop policy "users read active products and their own" on public.products;

-- Visitors read the catalogue: active and reserved products.
create policy "visitors read active products"
  on public.products for select to anon
  using (status in ('active', 'reserved'));

-- Signed-in users read active and reserved products, their own products whatever their status,
-- and a sold product they have a conversation about.
create policy "users read active products and their own"
  on public.products for select to authenticated
  using (
    status in ('active', 'reserved')
    or (select auth.uid()) = seller_id
    or exists (
      select from public.conversation_members m
       where m.user_id = (select auth.uid()) and m.product_id = products.id
    )
  );
