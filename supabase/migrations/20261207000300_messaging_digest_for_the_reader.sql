-- A digest words a deal's news for its reader, as the app does. Depends on messaging_digests
-- (digest_content) and messaging_offers (the payload of cards and system messages).
--
-- The email showed each message's stored sentence, which is neutral so that previews, search and
-- every member can use it: Ben read "Sam Seller accepted Ben Buyer's offer of €141.00" about his
-- own offer, where the app says "Sam Seller accepted your offer of €141.00". The app words it from
-- the message's payload and who reads it; digest_content now gives the email each message's
-- payload too.

-- messaging_digests' digest_content, with each message's payload; otherwise unchanged, grants
-- included:
--
-- What the digest's email says, read when it is sent: the recipient's address and name, an
-- unsubscribe token, and per conversation (newest activity first) the other member's name, the
-- listing's title (null for a general conversation), the conversation key from the recipient's
-- side, and the digest's messages that are still worth mailing (digestible_messages, read now:
-- still unread, not deleted, not muted or archived since, the member not back online since) with
-- sender name, stored body (as the recipient sees it: masked where contact masking hid
-- something), kind, payload (what a card or an update about the deal is worded from), time and
-- photo count, oldest first. Null when nothing is left to send or the member switched digests
-- off. service_role only (the worker).
create or replace function public.digest_content(p_digest uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  digest private.digests;
  conversations jsonb;
begin
  select * into digest from private.digests d where d.id = p_digest;
  if not found or not private.digests_wanted(digest.user_id) then
    return null;
  end if;

  select jsonb_agg(c.conversation order by c.newest desc) into conversations
    from (
      select max(x.created_at) as newest, jsonb_build_object(
               'conversation_id', m.conversation_id,
               'key', m.other_user_id::text || '__' || coalesce(m.product_id::text, 'general'),
               'other_name', private.display_name(m.other_user_id),
               'product_title', (select p.title from public.products p where p.id = m.product_id),
               'messages', jsonb_agg(jsonb_build_object(
                 'id', x.id,
                 'sender_name', private.display_name(x.sender_id),
                 'body', x.body,
                 'kind', x.kind,
                 'payload', x.payload,
                 'created_at', x.created_at,
                 'photo_count', jsonb_array_length(x.attachments)
               ) order by x.created_at, x.id)) as conversation
        from private.digestible_messages(digest.user_id, '-infinity', '00000000-0000-0000-0000-000000000000', 'infinity', digest.message_ids) d
        join public.messages x on x.id = d.id
        join public.conversation_members m on m.conversation_id = x.conversation_id and m.user_id = digest.user_id
       group by m.conversation_id, m.other_user_id, m.product_id
    ) c;
  if conversations is null then
    return null;
  end if;

  return (
    select jsonb_build_object(
      'id', digest.id,
      'user_id', digest.user_id,
      'email', u.email,
      'display_name', p.display_name,
      'unsubscribe_token', private.unsubscribe_signature(digest.user_id),
      'conversations', conversations)
      from auth.users u
      join public.profiles p on p.id = u.id
     where u.id = digest.user_id
  );
end;
$$;
revoke all on function public.digest_content(uuid) from public, anon, authenticated;
grant execute on function public.digest_content(uuid) to service_role;
