-- A listing that goes to another buyer withdraws its seller's open counter-offers, rather than
-- declining them as the buyers' offers. Depends on messaging_listing_status (decline_open_offers)
-- and messaging_counter_is_one_message (system_body).
--
-- Ben offered €30, Lee countered €37, then Lee accepted Ana's €35: Ben read "Your offer of €37.00
-- was declined: the listing went to another buyer", though he never offered €37, and Lee's own
-- "You countered €37.00" card read "Declined", as if Ben had turned it down. An offer waiting for
-- its buyer has the seller's counter on the table: closing it now says so ('countered' in the
-- payload, for the reader's sentence) and marks it withdrawn, as a seller's account erasure does.

-- messaging_listing_status' decline_open_offers, with a counter withdrawn; otherwise unchanged.
create or replace function private.decline_open_offers(product uuid, seller uuid) returns void
language plpgsql
set search_path = ''
as $$
declare
  declined public.offers;
  countered boolean;
begin
  for declined in
    select * from public.offers o where o.product_id = product and o.status = 'open' order by o.id
  loop
    countered := declined.awaiting = 'buyer';
    update public.offers o
       set status = case when countered then 'withdrawn'::public.offer_status else 'declined'::public.offer_status end,
           awaiting = null, updated_at = now()
     where o.id = declined.id;
    perform private.post_system_message(
      declined.conversation_id, seller,
      case when countered
        then format('%s''s counter-offer of %s was withdrawn automatically',
                    private.display_name(seller), private.format_money(declined.amount_cents, declined.currency))
        else format('%s''s offer of %s was declined automatically',
                    private.display_name(declined.buyer_id), private.format_money(declined.amount_cents, declined.currency)) end,
      jsonb_build_object('event', 'offer.auto_declined', 'actor_id', seller, 'buyer_id', declined.buyer_id,
                         'amount_cents', declined.amount_cents, 'currency', declined.currency)
        || case when countered then '{"countered": true}'::jsonb else '{}'::jsonb end);
    perform private.publish_offer_cards(declined.id);
  end loop;
end;
$$;
revoke all on function private.decline_open_offers(uuid, uuid) from public, anon, authenticated;

-- messaging_counter_is_one_message's system_body, naming a withdrawn counter as its sentence above
-- does; otherwise unchanged.
create or replace function private.system_body(message public.messages) returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  p jsonb := message.payload;
  actor uuid;
  buyer uuid;
  other uuid;
  money text;
begin
  if p is null or message.kind = 'text' then
    return message.body;
  end if;
  if p ? 'amount_cents' and p ? 'currency' then
    money := private.format_money((p ->> 'amount_cents')::bigint, p ->> 'currency');
  end if;
  if message.kind = 'offer' then
    return case when money is null then message.body
                else btrim(format('%s %s %s', private.display_name(message.sender_id),
                                  private.offer_card_verb(message.sender_id, (p ->> 'offer_id')::uuid), money)) end;
  end if;
  actor := (p ->> 'actor_id')::uuid;
  buyer := (p ->> 'buyer_id')::uuid;
  select case when c.user_low = actor then c.user_high else c.user_low end into other
    from public.conversations c where c.id = message.conversation_id;
  return coalesce(btrim(case p ->> 'event'
    when 'offer.accepted' then
      case when money is not null then format('%s accepted %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.declined' then
      case when money is not null then format('%s declined %s''s offer of %s', private.display_name(actor), private.display_name(other), money) end
    when 'offer.withdrawn' then
      case when money is not null then format('%s withdrew their offer of %s', private.display_name(actor), money) end
    when 'offer.countered' then
      case when money is not null then format('%s countered with %s', private.display_name(actor), money) end
    when 'offer.auto_declined' then
      case when money is null then null
           when (p ->> 'countered')::boolean then format('%s''s counter-offer of %s was withdrawn automatically', private.display_name(actor), money)
           when buyer is not null then format('%s''s offer of %s was declined automatically', private.display_name(buyer), money) end
    when 'listing.sold' then
      case when buyer is not null then format('Sold to %s', private.display_name(buyer)) end
  end), message.body);
end;
$$;
revoke all on function private.system_body(public.messages) from public, anon, authenticated;
