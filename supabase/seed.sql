-- Demo marketplace: two buyers, two sellers, their products. Every login's password is password123.
-- Idempotent: running it again changes nothing.

-- Complete Supabase Auth rows, so `supabase db reset` gives logins that work: Supabase Auth
-- finds a user by instance_id (all zeros), email and aud, refuses an unconfirmed email, and reads
-- the token columns into plain strings (a NULL there fails every sign-in: supabase/auth#1940).
-- On plain PostgreSQL the shim has the same columns and local sign-in reads email and password.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  email_change_token_current, phone_change, phone_change_token, reauthentication_token
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       extensions.crypt('password123', extensions.gen_salt('bf', 8)), now(),
       '{"provider": "email", "providers": ["email"]}', u.meta, now(), now(),
       '', '', '', '', '', '', '', ''
  from (values
    ('11111111-1111-4111-8111-111111111111'::uuid, 'ana@example.com',
     '{"username": "ana", "display_name": "Ana Buyer", "avatar_url": "/avatars/ana.svg"}'::jsonb),
    ('22222222-2222-4222-8222-222222222222', 'ben@example.com',
     '{"username": "ben", "display_name": "Ben Buyer", "avatar_url": "/avatars/ben.svg"}'),
    ('33333333-3333-4333-8333-333333333333', 'sam@example.com',
     '{"username": "sam", "display_name": "Sam Seller", "avatar_url": "/avatars/sam.svg"}'),
    ('44444444-4444-4444-8444-444444444444', 'lee@example.com',
     '{"username": "lee", "display_name": "Lee Seller", "avatar_url": "/avatars/lee.svg"}')
  ) as u(id, email, meta)
 -- A demo member who deleted their account keeps a profile saying so (messaging_account_data):
 -- they stay deleted, rather than the next start failing on that profile's id.
 where not exists (select from public.profiles p where p.id = u.id)
on conflict (id) do nothing;

-- Each login's email identity, as Supabase Auth writes it at sign-up: the provider id is the user id.
insert into auth.identities (provider_id, user_id, provider, identity_data, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id, 'email',
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       now(), now(), now()
  from auth.users u
 where u.id in ('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222',
                '33333333-3333-4333-8333-333333333333', '44444444-4444-4444-8444-444444444444')
on conflict (provider_id, provider) do nothing;

update public.profiles set tier = 'privileged' where id = '33333333-3333-4333-8333-333333333333' and tier <> 'privileged';
update public.profiles set tier = 'privileged_plus' where id = '44444444-4444-4444-8444-444444444444' and tier <> 'privileged_plus';

insert into public.products (id, seller_id, title, description, price_cents, currency, image_url, status, created_at)
values
  ('a0000000-0000-4000-8000-000000000001', '33333333-3333-4333-8333-333333333333', 'Vintage film camera',
   'A 1978 35 mm rangefinder, light meter working, fresh light seals. Comes with the original leather case.',
   14900, 'EUR', '/products/camera.svg', 'active', '2026-11-01 10:00+00'),
  ('a0000000-0000-4000-8000-000000000002', '33333333-3333-4333-8333-333333333333', 'Leather backpack',
   'Hand-stitched, full-grain leather, fits a 15" laptop. Barely used.',
   8900, 'EUR', '/products/backpack.svg', 'active', '2026-11-02 10:00+00'),
  ('a0000000-0000-4000-8000-000000000003', '33333333-3333-4333-8333-333333333333', 'Record player',
   'Belt-drive turntable with a new stylus. Plays 33 and 45.',
   12000, 'EUR', '/products/turntable.svg', 'active', '2026-11-03 10:00+00'),
  ('a0000000-0000-4000-8000-000000000004', '44444444-4444-4444-8444-444444444444', 'Road bike, 56 cm',
   'Aluminium frame, carbon fork, 2x11 gears. Serviced last month.',
   45000, 'EUR', '/products/bike.svg', 'active', '2026-11-04 10:00+00'),
  ('a0000000-0000-4000-8000-000000000005', '44444444-4444-4444-8444-444444444444', 'Oak desk lamp',
   'Solid oak base, linen shade, warm LED bulb included.',
   3900, 'EUR', '/products/lamp.svg', 'active', '2026-11-05 10:00+00'),
  ('a0000000-0000-4000-8000-000000000006', '44444444-4444-4444-8444-444444444444', 'Ceramic mug set',
   'Four hand-thrown stoneware mugs, dishwasher safe.',
   2800, 'EUR', '/products/mugs.svg', 'active', '2026-11-06 10:00+00'),
  ('a0000000-0000-4000-8000-000000000007', '44444444-4444-4444-8444-444444444444', 'Mechanical keyboard',
   'Tenkeyless, brown switches, PBT keycaps.',
   6500, 'EUR', '/products/keyboard.svg', 'sold', '2026-10-20 10:00+00')
on conflict (id) do nothing;

-- A few conversations, written through send_message as their senders, so triggers, previews
-- and unread counts are exactly what the app would produce. Fixed message ids make this
-- idempotent: a message already there is not sent again, and none is sent between members one
-- of whom deleted their account (send_message refuses an erased sender).
do $$
declare
  m record;
begin
  for m in
    select * from (values
      ('b0000000-0000-4000-8000-000000000001'::uuid, '11111111-1111-4111-8111-111111111111'::uuid,
       'Hi Sam! Is the film camera still available?', '33333333-3333-4333-8333-333333333333'::uuid,
       'a0000000-0000-4000-8000-000000000001'::uuid),
      ('b0000000-0000-4000-8000-000000000002', '33333333-3333-4333-8333-333333333333',
       'Hi Ana, yes it is. The light meter works too.', '11111111-1111-4111-8111-111111111111',
       'a0000000-0000-4000-8000-000000000001'),
      ('b0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222',
       'Would you take 420 for the bike?', '44444444-4444-4444-8444-444444444444',
       'a0000000-0000-4000-8000-000000000004'),
      ('b0000000-0000-4000-8000-000000000004', '44444444-4444-4444-8444-444444444444',
       'Hello Ana, thanks for buying the mugs last month! I have a new set coming.',
       '11111111-1111-4111-8111-111111111111', null)
    ) as s(id, sender, body, other, product)
  loop
    continue when exists (select from public.messages x where x.id = m.id)
      or exists (select from private.erased_accounts e where e.user_id in (m.sender, m.other));
    perform set_config('request.jwt.claims', jsonb_build_object('sub', m.sender, 'role', 'authenticated')::text, true);
    perform public.send_message(m.id, m.body, p_other_user_id => m.other, p_product_id => m.product);
  end loop;
  perform set_config('request.jwt.claims', '', true);
end
$$;
