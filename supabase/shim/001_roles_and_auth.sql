-- What Supabase provides and plain PostgreSQL lacks, so the migrations apply unchanged.
-- Applied before the migrations on plain PostgreSQL only; never on a Supabase project.
-- Idempotent: it runs at every start.

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

-- The server connects as the owner and switches role per request, as PostgREST's authenticator does.
grant anon, authenticated, service_role to current_user;

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

-- Supabase's default privileges as new projects have them (since 2026-05-30, and on every project
-- from 2026-10-30): the API roles may use the public schema and run its new functions (each
-- migration revokes what it must), but reach a new table or sequence only through an explicit
-- grant. The revokes also undo the table and sequence defaults an earlier shim set.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- The columns of Supabase Auth's auth.users that our code and the seed use, and those Supabase
-- requires non-null, with Supabase's names and types. A database made by an earlier shim gets
-- the missing ones added in place.
create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  email varchar(255) unique,
  encrypted_password varchar(255),
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

do $$
begin
  -- An earlier shim made these two text.
  if (select atttypid from pg_attribute where attrelid = 'auth.users'::regclass and attname = 'email') = 'text'::regtype then
    alter table auth.users alter column email type varchar(255);
  end if;
  if (select atttypid from pg_attribute where attrelid = 'auth.users'::regclass and attname = 'encrypted_password') = 'text'::regtype then
    alter table auth.users alter column encrypted_password type varchar(255);
  end if;
end
$$;

alter table auth.users
  add column if not exists instance_id uuid,
  add column if not exists aud varchar(255),
  add column if not exists role varchar(255),
  add column if not exists email_confirmed_at timestamptz,
  -- Supabase Auth reads the token columns into plain strings: a NULL there fails every sign-in.
  add column if not exists confirmation_token varchar(255),
  add column if not exists recovery_token varchar(255),
  add column if not exists email_change_token_new varchar(255),
  add column if not exists email_change varchar(255),
  add column if not exists email_change_token_current varchar(255) default '',
  add column if not exists phone_change text default '',
  add column if not exists phone_change_token varchar(255) default '',
  add column if not exists reauthentication_token varchar(255) default '',
  add column if not exists raw_app_meta_data jsonb,
  add column if not exists updated_at timestamptz,
  add column if not exists is_sso_user boolean not null default false,
  add column if not exists is_anonymous boolean not null default false;

-- How each user signs in: one row per (provider, id at that provider); for email sign-in the
-- provider id is the user id. Supabase's columns and keys, without its generated email column.
create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  id uuid primary key default gen_random_uuid(),
  constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

-- Signed-in sessions, as Supabase Auth keeps them (its columns and types, without MFA's): the local
-- mode's server refreshes a member's short-lived token only while the row lives, and signing out
-- deletes it. Only the server reads it (no grants to the API roles).
create table if not exists auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  not_after timestamptz,
  refreshed_at timestamp without time zone,
  user_agent text,
  ip inet
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);

-- The claims of the current request, exactly as PostgREST sets them: a JSON text in
-- request.jwt.claims (and, for old clients, request.jwt.claim.<name>).
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

grant execute on function auth.jwt(), auth.uid(), auth.role() to anon, authenticated, service_role;
