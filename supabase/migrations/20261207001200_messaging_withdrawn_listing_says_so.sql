-- A listing withdrawn with its seller's account says so in every conversation about it. Depends
-- on messaging_seller_erase_withdraws_listings (withdraw_erased_listings) and
-- messaging_listing_status (announce_to_listing).
--
-- Erasing a seller's account withdrew their listings and told nobody: a buyer's inbox showed the
-- "Withdrawn" badge beside the conversation's last update, such as "Available again", and the
-- thread ended on it too. Now each conversation about a withdrawn listing gets "No longer for
-- sale: the seller deleted their account" (event listing.withdrawn), as reserving, selling and
-- making available again post their own updates, so the preview, the thread and the badge agree.
-- It names nobody, and is posted as the seller, as every update about a listing is: the sender
-- is the erased account's renamed profile ("Deleted user"), which the updates they posted before
-- already are (messages.sender_id is kept by the erase for system messages). The posts are made
-- inside erase_account, at the mark's insert, while the seller is still a member of those
-- conversations, whose rows, member rows and event counters erase_account has already locked;
-- the erase then removes the seller's member rows, so the buyer alone keeps the unread update.

-- messaging_seller_erase_withdraws_listings' withdraw_erased_listings, posting the update into
-- every conversation about each listing it withdraws, oldest conversation first; otherwise
-- unchanged:
--
-- Withdraws the erased member's listings that are for sale or reserved, as erase_account marks
-- the account (the mark's insert is its last write): the reservation goes with it. Internal: the
-- trigger on private.erased_accounts alone calls it (nobody has execute on it).
create or replace function private.withdraw_erased_listings() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  withdrawn uuid;
begin
  for withdrawn in
    update public.products p set status = 'withdrawn', reserved_for = null
     where p.seller_id = new.user_id and p.status in ('active', 'reserved')
    returning p.id
  loop
    perform private.announce_to_listing(withdrawn, new.user_id, null,
      'No longer for sale: the seller deleted their account',
      jsonb_build_object('event', 'listing.withdrawn', 'actor_id', new.user_id));
  end loop;
  return null;
end;
$$;
revoke all on function private.withdraw_erased_listings() from public, anon, authenticated;

-- Sellers erased before this migration: their listings were withdrawn in silence. Each
-- conversation about one that has not said so is told now, as the seller.
insert into public.messages (id, conversation_id, sender_id, kind, body, payload, expires_at)
select gen_random_uuid(), c.id, p.seller_id, 'system', 'No longer for sale: the seller deleted their account',
       jsonb_build_object('event', 'listing.withdrawn', 'actor_id', p.seller_id), now() + private.retention_of(p.seller_id)
  from public.products p
  join private.erased_accounts e on e.user_id = p.seller_id
  join public.conversations c on c.product_id = p.id
 where p.status = 'withdrawn'
   and not exists (select from public.messages m
                    where m.conversation_id = c.id and m.kind = 'system' and m.payload ->> 'event' = 'listing.withdrawn')
 order by c.created_at, c.id;
