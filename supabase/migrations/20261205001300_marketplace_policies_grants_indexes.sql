-- What Supabase's database linter (the dashboard's Security and Performance Advisors) found in
-- the marketplace tables, fixed: one SELECT policy per role on products, and explicit grants to
-- service_role. (The messaging side is in messaging_foreign_key_indexes, shipped with the
-- module.) Depends on marketplace. tests/db/advisor.test.ts keeps all of this true for later
-- migrations.

-- Products: who reads which rows, one permissive policy per role. PostgreSQL evaluates every
-- permissive policy of a role for every row and ORs them, so the two SELECT policies signed-in
-- users had cost two checks per row; each role's single policy below is that same OR.
drop policy "active products are readable by everyone" on public.products;
drop policy "sellers read their own products" on public.products;

-- Visitors read the catalogue: active products only.
create policy "visitors read active products"
  on public.products for select to anon
  using (status = 'active');

-- Signed-in users read active products, and their own products whatever their status.
create policy "users read active products and their own"
  on public.products for select to authenticated
  using (status = 'active' or (select auth.uid()) = seller_id);

-- Grants: new Supabase projects give the API roles nothing on new tables, so every role a table
-- needs gets it here. anon and authenticated have theirs (marketplace); service_role, the
-- operator's key that bypasses RLS, gets what it has on every messaging table.
grant select, insert, update, delete on public.profiles, public.products to service_role;
