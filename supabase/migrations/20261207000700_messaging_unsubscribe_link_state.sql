-- An unsubscribe link opened again says digests are off. Depends on messaging_digests
-- (the link's signature) and messaging_member_preferences.
--
-- Reopened from the mail after its button was pressed, the page asked "Stop getting emails…?"
-- again, as if the first press had done nothing.

-- Whether digests are on for the member a signed unsubscribe link names: true or false, or null
-- for a link whose signature is not ours or whose member is gone (the page then shows its button,
-- and the POST says why). It only reads. Anyone may call it, as unsubscribe_digests: the
-- signature is the permission, and without the key nobody can sign a link. Compared as
-- unsubscribe_digests compares, through another HMAC.
create function public.digests_on_for_link(p_user_id uuid, p_token text) returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  key bytea := convert_to((select k.key from private.digest_signing k), 'UTF8');
begin
  if p_user_id is null or p_token is null
     or extensions.hmac(convert_to(lower(p_token), 'UTF8'), key, 'sha256')
        <> extensions.hmac(convert_to(private.unsubscribe_signature(p_user_id), 'UTF8'), key, 'sha256')
     or not exists (select from public.profiles p where p.id = p_user_id) then
    return null;
  end if;
  return coalesce((select mp.email_digests from public.messaging_preferences mp where mp.user_id = p_user_id), true);
end;
$$;
revoke all on function public.digests_on_for_link(uuid, text) from public, anon, authenticated;
grant execute on function public.digests_on_for_link(uuid, text) to anon, authenticated, service_role;
