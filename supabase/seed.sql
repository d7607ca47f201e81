-- Demo marketplace: two buyers, two sellers, their products. Every login's password is password123.
-- Idempotent: running it again changes nothing.

insert into auth.users (id, email, encrypted_password, raw_user_meta_data)
values
  ('11111111-1111-4111-8111-111111111111', 'ana@example.com', extensions.crypt('password123', extensions.gen_salt('bf', 8)),
   '{"username": "ana", "display_name": "Ana Buyer", "avatar_url": "/avatars/ana.svg"}'),
  ('22222222-2222-4222-8222-222222222222', 'ben@example.com', extensions.crypt('password123', extensions.gen_salt('bf', 8)),
   '{"username": "ben", "display_name": "Ben Buyer", "avatar_url": "/avatars/ben.svg"}'),
  ('33333333-3333-4333-8333-333333333333', 'sam@example.com', extensions.crypt('password123', extensions.gen_salt('bf', 8)),
   '{"username": "sam", "display_name": "Sam Seller", "avatar_url": "/avatars/sam.svg"}'),
  ('44444444-4444-4444-8444-444444444444', 'lee@example.com', extensions.crypt('password123', extensions.gen_salt('bf', 8)),
   '{"username": "lee", "display_name": "Lee Seller", "avatar_url": "/avatars/lee.svg"}')
on conflict (id) do nothing;

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
