-- Messaging: offers are messages of their own kind, 'offer' (the card showing an offer, with
-- its state; see messaging_offers). Its own migration: PostgreSQL refuses to use an enum value
-- in the transaction that adds it. Depends on messaging_schema.

alter type public.message_kind add value if not exists 'offer';
