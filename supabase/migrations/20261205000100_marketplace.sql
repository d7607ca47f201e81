-- The demo marketplace the messaging module lives in: profiles of users and the products sellers list.
-- Depends on auth.users (Supabase Auth, or supabase/shim on plain PostgreSQL). Not part of the
-- messaging module: a host marketplace keeps its own profiles and products.

create type public.profile_tier as enum ('free', 'privileged', 'privileged_plus');
create type public.product_status as enum ('active', 'sold');

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text not null unique
    check (username ~ '^[a-z0-9_]{3,32}$'),
  display_name text not null
    check (char_length(btrim(display_name)) between 1 and 80),
  -- Same-site paths or https only: another user's browser loads it, so no plain-http trackers.
  avatar_url text check (avatar_url ~ '^(/[^/]|https://)'),
  tier public.profile_tier not null default 'free',
  created_at timestamptz not null default now()
);

comment on table public.profiles is 'Public identity of a user. tier drives message retention.';

create table public.products (
  id uuid primary key default gen_random_uuid(),
  seller_id uuid not null references public.profiles (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 120),
  description text not null default '' check (char_length(description) <= 4000),
  price_cents integer not null check (price_cents >= 0),
  currency char(3) not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
  image_url text check (image_url ~ '^(/[^/]|https://)'),
  status public.product_status not null default 'active',
  created_at timestamptz not null default now()
);

create index products_seller_idx on public.products (seller_id);
create index products_active_recent_idx on public.products (created_at desc) where status = 'active';

-- A profile for every new auth user, named from the sign-up metadata (Supabase's usual pattern).
-- security definer: runs as the owner because the inserting role (supabase_auth_admin) cannot write profiles.
create function public.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  base text := lower(regexp_replace(coalesce(new.raw_user_meta_data ->> 'username', split_part(new.email, '@', 1), 'user'), '[^a-zA-Z0-9_]', '', 'g'));
begin
  if char_length(base) < 3 then
    base := base || substr(replace(new.id::text, '-', ''), 1, 6);
  end if;
  insert into public.profiles (id, username, display_name, avatar_url)
  values (
    new.id,
    case when exists (select from public.profiles where username = left(base, 32))
      then left(base, 25) || '_' || substr(replace(new.id::text, '-', ''), 1, 6)
      else left(base, 32) end,
    coalesce(nullif(btrim(new.raw_user_meta_data ->> 'display_name'), ''), split_part(new.email, '@', 1), 'User'),
    -- Anything else would fail the column's check and with it the whole sign-up.
    case when new.raw_user_meta_data ->> 'avatar_url' ~ '^(/[^/]|https://)' then new.raw_user_meta_data ->> 'avatar_url' end
  );
  return new;
end;
$$;

revoke execute on function public.handle_new_user() from public, anon, authenticated;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function public.handle_new_user();

alter table public.profiles enable row level security;
alter table public.products enable row level security;

-- Identity is public inside the marketplace; the catalogue is public to visitors too,
-- who see names and avatars of sellers but not their tier.
revoke all on public.profiles from anon, authenticated;
grant select (id, username, display_name, avatar_url, created_at) on public.profiles to anon;
grant select on public.profiles to authenticated;
grant update (display_name, avatar_url) on public.profiles to authenticated;

create policy "profiles are readable by everyone"
  on public.profiles for select to anon, authenticated
  using (true);

create policy "users update their own profile"
  on public.profiles for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

revoke all on public.products from anon, authenticated;
grant select on public.products to anon, authenticated;
grant insert (title, description, price_cents, currency, image_url, status, seller_id),
      update (title, description, price_cents, currency, image_url, status),
      delete
  on public.products to authenticated;

create policy "active products are readable by everyone"
  on public.products for select to anon, authenticated
  using (status = 'active');

create policy "sellers read their own products"
  on public.products for select to authenticated
  using ((select auth.uid()) = seller_id);

create policy "sellers list products as themselves"
  on public.products for insert to authenticated
  with check ((select auth.uid()) = seller_id);

create policy "sellers update their own products"
  on public.products for update to authenticated
  using ((select auth.uid()) = seller_id)
  with check ((select auth.uid()) = seller_id);

create policy "sellers delete their own products"
  on public.products for delete to authenticated
  using ((select auth.uid()) = seller_id);
