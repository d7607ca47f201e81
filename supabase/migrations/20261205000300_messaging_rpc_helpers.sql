-- Messaging RPC helpers: the private schema and what every messaging RPC builds on (user
-- errors, the caller's id, membership, the keyset order). Depends on messaging_schema.
--
-- The messaging API is one function per operation, one round trip each, spread over the
-- migrations that follow by concern. Every RPC is security definer (it writes tables clients
-- cannot), runs with an empty search_path, and starts from auth.uid(): it refuses when there
-- is none, and checks membership, blocks and limits itself. User mistakes raise SQLSTATE
-- 'BZ001' with a message a person understands and a machine-readable kind in HINT; PostgREST
-- passes both through, and the TypeScript backends turn them into typed errors.
--
-- Clients reach the RPCs only: beneath each function PUBLIC's default execute right (and
-- Supabase's default grants to anon) are taken back, and only its callers get execute.
--
-- Cursors are (created_at or last_message_at, id) pairs. After five calls PL/pgSQL (and, since
-- PostgreSQL 18, SQL functions) switch to a generic plan, cached per connection. The hot reads
-- are written so that plan is the right one: a page's ids come from one range scan of an index
-- in the page's order, and the rows to render are then joined to those ids. Nothing pays for
-- planning on every call (re-planning the inbox's six-relation join cost ~9 ms).

-- Internals (helpers, trigger functions, the preview view) live here, out of clients' reach.
create schema if not exists private;
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;

-- Raises a user error. Kinds: not_authenticated, invalid_input, body_empty, body_too_long,
-- not_found, not_member, not_allowed, self_conversation, product_seller_mismatch, blocked,
-- you_blocked, rate_limited, message_deleted, conflict.
create function private.fail(kind text, message text) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = 'BZ001', message = message, hint = kind;
end;
$$;
revoke all on function private.fail(text, text) from public, anon, authenticated;

-- The caller's user id; refuses anonymous callers.
create function private.current_user_id() returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    perform private.fail('not_authenticated', 'Sign in to use messages.');
  end if;
  return me;
end;
$$;
revoke all on function private.current_user_id() from public, anon, authenticated;

-- The caller's membership row of a conversation; refuses non-members.
create function private.membership(conversation uuid, me uuid) returns public.conversation_members
language plpgsql
stable
set search_path = ''
as $$
declare
  member public.conversation_members;
begin
  select * into member from public.conversation_members m where m.conversation_id = conversation and m.user_id = me;
  if not found then
    perform private.fail('not_member', 'This conversation does not exist or you are not part of it.');
  end if;
  return member;
end;
$$;
revoke all on function private.membership(uuid, uuid) from public, anon, authenticated;

-- Whether (at, id) comes strictly before (other_at, other_id) in the (time, id) order of
-- keyset cursors, read positions and previews. Plain SQL, immutable and without settings so
-- the planner inlines it: the caller's query keeps a row comparison an index scan starts from.
-- A search_path setting would prevent that; none is needed, as the body names no object and
-- pg_catalog's operators come first whatever the path (Supabase's linter still flags it).
create function private.precedes(at timestamptz, id uuid, other_at timestamptz, other_id uuid) returns boolean
language sql
immutable
as $$
  select (at, id) < (other_at, other_id)
$$;
revoke all on function private.precedes(timestamptz, uuid, timestamptz, uuid) from public, anon, authenticated;
