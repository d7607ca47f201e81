-- A seller who deletes their account takes their listings off sale. Depends on
-- marketplace_listing_withdrawn, marketplace_reserved_listings (the products policies) and
-- messaging_account_data (erased_accounts, refuse_erased_account).
--
-- Their listings stayed on the home page, "Sold by Deleted user", with "Message seller" and
-- "Make an offer" leading to a conversation nobody could write in; one reserved for a buyer
-- stayed reserved for them for good. Now every listing of theirs not sold is withdrawn as the
-- account is erased: the products policies show it to nobody but the buyers who have a
-- conversation about it, whose threads and inbox say "Withdrawn". One sold stays sold.

-- messaging_account_data's refuse_erased_account, letting the withdrawal through: a listing of
-- an erased account may change to withdrawn, and nothing else of it may change. Otherwise
-- unchanged: the profile and the listings of an erased account change no more (a token issued
-- before the erase still passes PostgREST until it expires). Security definer: it reads the
-- marks, which the updating role cannot; it refuses only rows of an erased account.
create or replace function private.refuse_erased_account() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'profiles' then
    if exists (select from private.erased_accounts e where e.user_id = old.id) then
      raise exception 'This account was deleted.' using errcode = '42501';
    end if;
  elsif exists (select from private.erased_accounts e where e.user_id = new.seller_id)
        and not (tg_op = 'UPDATE' and new.status = 'withdrawn' and new.reserved_for is null
                 and (new.id, new.seller_id, new.title, new.description, new.price_cents, new.currency, new.image_url, new.sold_to, new.created_at)
                     is not distinct from
                     (old.id, old.seller_id, old.title, old.description, old.price_cents, old.currency, old.image_url, old.sold_to, old.created_at)) then
    raise exception 'This account was deleted.' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke all on function private.refuse_erased_account() from public, anon, authenticated;

-- Withdraws the erased member's listings that are for sale or reserved, as erase_account marks
-- the account (the mark's insert is its last write): the reservation goes with it. Internal.
create function private.withdraw_erased_listings() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.products p set status = 'withdrawn', reserved_for = null
   where p.seller_id = new.user_id and p.status in ('active', 'reserved');
  return null;
end;
$$;
revoke all on function private.withdraw_erased_listings() from public, anon, authenticated;

create trigger erased_accounts_withdraw_listings
  after insert on private.erased_accounts
  for each row execute function private.withdraw_erased_listings();

-- Sellers erased before this migration: their listings go now.
update public.products p set status = 'withdrawn', reserved_for = null
 where p.status in ('active', 'reserved')
   and exists (select from private.erased_accounts e where e.user_id = p.seller_id);
