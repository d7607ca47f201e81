-- A listing reserved for a member who deletes their account is for sale again, and says so.
-- Depends on messaging_account_data (erase_account) and messaging_listing_status
-- (post_system_message, announce_to_listing).
--
-- Erasing set such a listing active and told nobody: its seller's last line in the conversation
-- still read "You accepted ...'s offer", and every other buyer who had asked about it still read
-- "Reserved for another buyer", so neither learnt it could be sold again. Now the seller reads
-- "Available again: the buyer it was reserved for deleted their account" in the conversation
-- with the erased member, and every other conversation about the listing gets "Available again"
-- (event listing.released, posted as the seller, as set_listing_status posts its own), which
-- names nobody. Those conversations are locked with the erased member's own, in the order every
-- writer takes them (see messaging_account_data's Locks), before anything is written.

-- messaging_account_data's erase_account, telling the conversations about a listing reserved for
-- the member that it is for sale again. Otherwise unchanged.
create or replace function private.erase_account(member uuid) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  done timestamptz;
  conversations uuid[];
  partners uuid[];
  touched uuid[];
  reacted uuid[];
  closed uuid[];
  released uuid[];
  told uuid[];
  listing record;
  changed uuid[];
  photos integer;
  erased integer;
  reactions integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('account:' || member::text, 0));
  select e.erased_at into done from private.erased_accounts e where e.user_id = member;
  if found then
    return jsonb_build_object('erased_at', done, 'messages', 0, 'photos', 0, 'reactions', 0, 'conversations', 0);
  end if;
  if not exists (select from public.profiles p where p.id = member) then
    return null;
  end if;

  -- Locks, before anything is written (see the top of this file). The digest claim holds a
  -- member's cursor and then inserts their digest: its cursor first.
  perform from private.digest_cursors k where k.user_id = member for update;
  select coalesce(array_agg(m.conversation_id order by m.conversation_id), '{}') into conversations
    from public.conversation_members m where m.user_id = member;
  perform from public.products p
   where p.id in (select o.product_id from public.offers o where (o.buyer_id = member or o.seller_id = member) and o.status = 'open')
      or p.reserved_for = member or p.sold_to = member
   order by p.id for update;
  select coalesce(array_agg(p.id order by p.id), '{}') into released
    from public.products p where p.reserved_for = member and p.status = 'reserved';
  -- Every conversation about those listings hears that they are for sale again.
  select coalesce(array_agg(c.id), '{}') into told
    from public.conversations c where c.product_id = any(released) and c.id <> all(conversations);
  perform from public.offers o where (o.buyer_id = member or o.seller_id = member) and o.status = 'open' order by o.id for update;
  select coalesce(array_agg(distinct x.id), '{}') into touched from (
    select m.id from public.messages m where m.sender_id = member and m.kind = 'text' and m.deleted_at is null
    union all
    select r.message_id from public.message_reactions r where r.user_id = member
    union all
    select m.id from public.messages m where m.conversation_id = any(conversations) and m.kind <> 'text' and m.deleted_at is null
  ) x;
  perform from unnest(touched) as t(id) join public.messages m on m.id = t.id order by m.id for update of m;
  perform from public.conversations c where c.id = any(conversations || told) order by c.id for update;
  perform from public.conversation_members m where m.conversation_id = any(conversations || told)
   order by m.conversation_id, m.user_id for update;
  select coalesce(array_agg(distinct m.user_id), '{}') into partners
    from public.conversation_members m where m.conversation_id = any(conversations || told) and m.user_id <> member;
  insert into public.messaging_event_counters (user_id) select u.id from unnest(partners) as u(id) order by 1
  on conflict (user_id) do nothing;
  perform from public.messaging_event_counters e where e.user_id = any(partners) order by e.user_id for update;

  -- Renamed, then marked (after which the profile changes no more): what follows publishes
  -- nothing to the account (publish_block_change).
  update public.profiles p
     set display_name = 'Deleted user',
         avatar_url = null,
         -- Unique while the id is; someone who took that name beforehand cannot stop an erase.
         username = case when exists (select from public.profiles t where t.username = 'deleted_' || left(replace(member::text, '-', ''), 24) and t.id <> member)
                         then 'deleted_' || left(replace(gen_random_uuid()::text, '-', ''), 24)
                         else 'deleted_' || left(replace(member::text, '-', ''), 24) end
   where p.id = member;
  insert into private.erased_accounts (user_id) values (member) returning erased_at into done;

  -- No longer a member of anything: what follows is published to the other members only, and
  -- nobody still owes a deleted member a reply.
  delete from public.conversation_members m where m.user_id = member;
  update public.conversation_members m set awaiting_reply_since = null
   where m.conversation_id = any(conversations) and m.awaiting_reply_since is not null;
  -- Every message this changes is published at the end, at once (publish_updates).
  perform set_config('messaging.publish', 'deferred', true);

  -- Every text they sent, deleted as delete_message deletes (its triggers remove the photos and
  -- queue their files, remove the reactions and the text as written, and fix previews and
  -- unread counts).
  select count(*) into photos from public.attachments a where a.uploader_id = member;
  with gone as (
    update public.messages m set body = '', deleted_at = now()
     where m.sender_id = member and m.kind = 'text' and m.deleted_at is null
    returning m.id
  )
  select count(*), coalesce(array_agg(gone.id), '{}') into erased, changed from gone;
  delete from public.message_originals o where o.sender_id = member;
  delete from public.attachments a where a.uploader_id = member;

  -- Their reactions under the other member's messages, which then show them gone.
  with removed as (
    delete from public.message_reactions r where r.user_id = member returning r.message_id
  )
  select count(*), coalesce(array_agg(distinct removed.message_id), '{}') into reactions, reacted from removed;
  changed := changed || array(select m.id from public.messages m
                               where m.id = any(reacted) and m.deleted_at is null and m.conversation_id = any(conversations));

  -- Offers stay (the amounts are the other member's records too); open ones close, as a buyer
  -- withdrawing or a seller declining would, and their cards show it.
  with closing as (
    update public.offers o
       set status = case when o.buyer_id = member then 'withdrawn'::public.offer_status else 'declined'::public.offer_status end,
           awaiting = null, updated_at = now()
     where (o.buyer_id = member or o.seller_id = member) and o.status = 'open'
    returning o.id
  )
  select coalesce(array_agg(closing.id), '{}') into closed from closing;
  changed := changed || array(select m.id from public.messages m
                               where m.kind = 'offer' and (m.payload ->> 'offer_id')::uuid = any(closed));

  -- Updates about the listing keep their place, named anew ("Deleted user accepted ...").
  with renamed as (
    update public.messages m set body = private.system_body(m)
     where m.conversation_id = any(conversations) and m.kind <> 'text' and m.deleted_at is null
       and m.body is distinct from private.system_body(m)
    returning m.id
  )
  select changed || coalesce(array_agg(renamed.id), '{}') into changed from renamed;

  perform set_config('messaging.publish', '', true);
  perform private.publish_updates(conversations, array(select distinct x from unnest(changed) x));

  -- A listing reserved for them is for sale again, and its seller and every other buyer who
  -- asked about it are told so, as when the seller makes it available (set_listing_status),
  -- posted as the seller: the seller in the conversation with them, with the reason; the others
  -- as "Available again", which names nobody. One sold to them stays sold, to nobody named.
  for listing in
    select p.id, p.seller_id, c.id as conversation_id
      from public.products p
      left join public.conversations c on c.product_id = p.id and c.id = any(conversations)
     where p.id = any(released)
     order by p.id
  loop
    update public.products p set status = 'active', reserved_for = null where p.id = listing.id;
    if listing.conversation_id is not null then
      perform private.post_system_message(listing.conversation_id, listing.seller_id,
        'Available again: the buyer it was reserved for deleted their account',
        jsonb_build_object('event', 'listing.released', 'actor_id', listing.seller_id));
    end if;
    perform private.announce_to_listing(listing.id, listing.seller_id, listing.conversation_id, 'Available again',
      jsonb_build_object('event', 'listing.released', 'actor_id', listing.seller_id));
  end loop;
  update public.products p set sold_to = null where p.sold_to = member;

  delete from public.user_blocks b where b.blocker_id = member;
  delete from public.message_reports r where r.reporter_id = member;
  update public.message_reports r set body_snapshot = '' where r.reported_user_id = member and r.body_snapshot <> '';
  delete from public.quick_replies q where q.user_id = member;
  delete from public.messaging_preferences p where p.user_id = member;
  delete from private.member_activity a where a.user_id = member;
  delete from private.reaction_toggles t where t.user_id = member;
  delete from private.deal_actions a where a.user_id = member;
  delete from private.first_replies f where f.user_id = member;
  delete from private.digests d where d.user_id = member;
  delete from private.digest_cursors k where k.user_id = member;
  delete from private.data_exports x where x.user_id = member;

  -- Last, after everything above that could have been published: their event log, and on
  -- Supabase what Realtime stored for their topics.
  delete from public.messaging_events e where e.user_id = member;
  delete from public.messaging_event_counters c where c.user_id = member;
  if to_regclass('realtime.messages') is not null then
    execute 'delete from realtime.messages m where m.topic = any($1)'
      using array['user:' || member::text, 'presence:' || member::text];
  end if;

  return jsonb_build_object('erased_at', done, 'messages', erased, 'photos', photos, 'reactions', reactions,
                            'conversations', cardinality(conversations));
end;
$$;
revoke all on function private.erase_account(uuid) from public, anon, authenticated;
