-- A link to a conversation about someone else's listing says what to do, in the member's words.
-- Depends on messaging_offers (locate_conversation).
--
-- "A conversation about a product must include its seller." was the rule as a developer states
-- it; a member who followed such a link (Ana, to Lee about Sam's camera) read it on a 404 page.
-- It now says "Lee Seller does not sell this listing: message its seller from the listing's page."

-- messaging_offers' locate_conversation, with that sentence. Otherwise unchanged:
-- finds the conversation of (me, other, product) without creating it; checks that it could
-- exist: the other user exists and is not me, and a product conversation includes its seller.
-- Returns the seller id (null for a general conversation) and the conversation id if any.
create or replace function private.locate_conversation(me uuid, other uuid, product uuid, out seller uuid, out conversation uuid)
language plpgsql
stable
set search_path = ''
as $$
begin
  if other is null then
    perform private.fail('invalid_input', 'Choose who to message.');
  end if;
  if other = me then
    perform private.fail('self_conversation', 'You can’t message yourself.');
  end if;
  if not exists (select from public.profiles p where p.id = other) then
    perform private.fail('not_found', 'This user does not exist.');
  end if;
  if product is not null then
    select p.seller_id into seller from public.products p where p.id = product;
    if not found then
      perform private.fail('not_found', 'This product does not exist.');
    end if;
    if seller not in (me, other) then
      perform private.fail('product_seller_mismatch',
        format('%s does not sell this listing: message its seller from the listing''s page.', private.display_name(other)));
    end if;
  end if;
  -- Two branches rather than "is not distinct from", which the unique key cannot serve.
  if product is null then
    select c.id into conversation from public.conversations c
     where c.user_low = least(me, other) and c.user_high = greatest(me, other) and c.product_id is null;
  else
    select c.id into conversation from public.conversations c
     where c.user_low = least(me, other) and c.user_high = greatest(me, other) and c.product_id = product;
  end if;
  -- A sold product is its seller's business: nobody else starts a conversation about it
  -- (or learns its details through one); existing conversations carry on.
  if conversation is null and product is not null and seller <> me
     and not exists (select from public.products p where p.id = product and p.status in ('active', 'reserved')) then
    perform private.fail('not_found', 'This product is no longer available.');
  end if;
end;
$$;

