import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface TestUser {
	id: string;
	email: string;
	username: string;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A user in auth.users (its profile comes from the sign-up trigger), with password `password123`. */
export async function createUser(
	db: pg.Pool,
	overrides: { username?: string; tier?: 'free' | 'privileged' | 'privileged_plus'; password?: string } = {}
): Promise<TestUser> {
	const username = overrides.username ?? `u_${unique()}`;
	const email = `${username}@example.test`;
	const id = randomUUID();
	await db.query(
		`insert into auth.users (id, email, encrypted_password, raw_user_meta_data)
		 values ($1, $2, extensions.crypt($3, extensions.gen_salt('bf', 4)), $4)`,
		[id, email, overrides.password ?? 'password123', { username, display_name: username }]
	);
	if (overrides.tier) await db.query('update public.profiles set tier = $2 where id = $1', [id, overrides.tier]);
	return { id, email, username };
}

export async function createProduct(
	db: pg.Pool,
	sellerId: string,
	overrides: { title?: string; status?: 'active' | 'reserved' | 'sold'; price_cents?: number } = {}
): Promise<{ id: string; seller_id: string; title: string }> {
	const { rows } = await db.query(
		`insert into public.products (seller_id, title, price_cents, status, image_url)
		 values ($1, $2, $3, $4, '/products/camera.svg') returning id, seller_id, title`,
		[sellerId, overrides.title ?? `Product ${unique()}`, overrides.price_cents ?? 1000, overrides.status ?? 'active']
	);
	return rows[0];
}
