import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProduct, createUser } from '../support/factories.ts';
import { sqlAs, testPool } from '../support/database.ts';

const db = testPool();

describe('profiles and products row-level security', () => {
	it('a new auth user gets a profile named from the sign-up metadata', async () => {
		const user = await createUser(db);
		const [profile] = await sqlAs(db, user.id, 'select username, display_name, tier from public.profiles where id = $1', [user.id]);
		expect(profile).toEqual({ username: user.username, display_name: user.username, tier: 'free' });
	});

	it('signed-in users read every profile; visitors read names but not tiers', async () => {
		const [a, b] = [await createUser(db), await createUser(db)];
		expect(await sqlAs(db, a.id, 'select tier from public.profiles where id = $1', [b.id])).toEqual([{ tier: 'free' }]);
		expect(await sqlAs(db, null, 'select username from public.profiles where id = $1', [b.id])).toEqual([{ username: b.username }]);
		await expect(sqlAs(db, null, 'select tier from public.profiles where id = $1', [b.id])).rejects.toThrow(
			'permission denied for table profiles'
		);
	});

	it('users update their own profile and nobody else’s, and never their tier', async () => {
		const [a, b] = [await createUser(db), await createUser(db)];
		expect(await sqlAs(db, a.id, `update public.profiles set display_name = 'Mine' where id = $1 returning id`, [a.id])).toHaveLength(1);
		expect(await sqlAs(db, a.id, `update public.profiles set display_name = 'Yours' where id = $1 returning id`, [b.id])).toHaveLength(0);
		await expect(sqlAs(db, a.id, `update public.profiles set tier = 'privileged_plus' where id = $1`, [a.id])).rejects.toThrow(
			'permission denied for table profiles'
		);
		await expect(sqlAs(db, a.id, 'delete from public.profiles where id = $1', [a.id])).rejects.toThrow('permission denied');
		const { rows } = await db.query('select id, display_name, tier from public.profiles where id = any($1) order by display_name', [[a.id, b.id]]);
		expect(rows.map((r) => [r.display_name, r.tier])).toEqual([['Mine', 'free'], [b.username, 'free']]);
	});

	it('active products are public, sold ones only visible to their seller', async () => {
		const [seller, other] = [await createUser(db), await createUser(db)];
		const active = await createProduct(db, seller.id);
		const sold = await createProduct(db, seller.id, { status: 'sold' });
		const ids = [active.id, sold.id];
		const visible = async (userId: string | null) =>
			(await sqlAs<{ id: string }>(db, userId, 'select id from public.products where id = any($1)', [ids])).map((r) => r.id).sort();
		expect(await visible(null)).toEqual([active.id]);
		expect(await visible(other.id)).toEqual([active.id]);
		expect(await visible(seller.id)).toEqual([...ids].sort());
	});

	it('each seller sees their own sold products and nobody else’s, visitors and other users only active ones', async () => {
		const [a, b, other] = [await createUser(db), await createUser(db), await createUser(db)];
		const aActive = await createProduct(db, a.id);
		const aSold = await createProduct(db, a.id, { status: 'sold' });
		const bSold = await createProduct(db, b.id, { status: 'sold' });
		const ids = [aActive.id, aSold.id, bSold.id];
		const visible = async (userId: string | null) =>
			(await sqlAs<{ id: string }>(db, userId, 'select id from public.products where id = any($1)', [ids])).map((r) => r.id).sort();
		expect(await visible(null)).toEqual([aActive.id]);
		expect(await visible(other.id)).toEqual([aActive.id]);
		expect(await visible(a.id)).toEqual([aActive.id, aSold.id].sort());
		expect(await visible(b.id)).toEqual([aActive.id, bSold.id].sort());
		// One policy per role and command: the advisor's multiple_permissive_policies stays quiet.
		const { rows } = await db.query(
			`select polname, polroles::regrole[]::text[] as roles from pg_policy
			  where polrelid = 'public.products'::regclass and polcmd = 'r' order by 1`
		);
		expect(rows).toEqual([
			{ polname: 'users read active products and their own', roles: ['authenticated'] },
			{ polname: 'visitors read active products', roles: ['anon'] }
		]);
	});

	it('a sold product stays readable to whoever has a conversation about it, and to nobody else but its seller', async () => {
		const [seller, buyer, other] = [await createUser(db), await createUser(db), await createUser(db)];
		const product = await createProduct(db, seller.id);
		await sqlAs(db, buyer.id, `select public.send_message($1, 'Still available?', p_other_user_id => $2, p_product_id => $3)`, [
			randomUUID(),
			seller.id,
			product.id
		]);
		await db.query(`update public.products set status = 'sold' where id = $1`, [product.id]);
		const sees = async (userId: string | null) =>
			(await sqlAs<{ id: string }>(db, userId, 'select id from public.products where id = $1', [product.id])).length === 1;
		expect([await sees(seller.id), await sees(buyer.id), await sees(other.id), await sees(null)]).toEqual([true, true, false, false]);
	});

	it('sellers list, change and delete only their own products', async () => {
		const [seller, other] = [await createUser(db), await createUser(db)];
		const product = await createProduct(db, seller.id);
		await expect(
			sqlAs(db, other.id, `insert into public.products (seller_id, title, price_cents) values ($1, 'Fake', 1)`, [seller.id])
		).rejects.toThrow('new row violates row-level security policy');
		expect(await sqlAs(db, other.id, `update public.products set price_cents = 1 where id = $1 returning id`, [product.id])).toHaveLength(0);
		expect(await sqlAs(db, other.id, 'delete from public.products where id = $1 returning id', [product.id])).toHaveLength(0);
		await expect(
			sqlAs(db, seller.id, 'update public.products set seller_id = $2 where id = $1', [product.id, other.id])
		).rejects.toThrow('permission denied');
		await expect(sqlAs(db, null, `insert into public.products (seller_id, title, price_cents) values ($1, 'Anon', 1)`, [seller.id])).rejects.toThrow(
			'permission denied'
		);
		expect(await sqlAs(db, seller.id, `update public.products set price_cents = 555 where id = $1 returning price_cents`, [product.id])).toEqual([
			{ price_cents: 555 }
		]);
		const [mine] = await sqlAs<{ id: string }>(db, seller.id, `insert into public.products (seller_id, title, price_cents) values ($1, 'Mine', 100) returning id`, [seller.id]);
		expect(await sqlAs(db, seller.id, 'delete from public.products where id = $1 returning id', [mine.id])).toEqual([{ id: mine.id }]);
	});

	it('avatars and product images are same-site paths or https, never plain http or other schemes', async () => {
		const user = await createUser(db);
		for (const url of ['http://tracker.example/pixel.gif', 'javascript:alert(1)', '//tracker.example/p.gif']) {
			await expect(sqlAs(db, user.id, 'update public.profiles set avatar_url = $2 where id = $1', [user.id, url])).rejects.toThrow('violates check constraint');
		}
		expect(await sqlAs(db, user.id, `update public.profiles set avatar_url = 'https://cdn.example/a.png' where id = $1 returning avatar_url`, [user.id])).toEqual([
			{ avatar_url: 'https://cdn.example/a.png' }
		]);
	});

	it('nobody but the server reads auth.users', async () => {
		const user = await createUser(db);
		await expect(sqlAs(db, user.id, 'select email from auth.users')).rejects.toThrow('permission denied for table users');
		await expect(sqlAs(db, null, 'select email from auth.users')).rejects.toThrow('permission denied for table users');
	});

	it('nobody but the server reads auth.identities', async () => {
		const user = await createUser(db);
		await expect(sqlAs(db, user.id, 'select identity_data from auth.identities')).rejects.toThrow('permission denied for table identities');
		await expect(sqlAs(db, null, 'select identity_data from auth.identities')).rejects.toThrow('permission denied for table identities');
	});

	it('nobody but the server reads or ends sessions in auth.sessions', async () => {
		const user = await createUser(db);
		for (const sql of ['select id from auth.sessions', 'delete from auth.sessions', `update auth.sessions set not_after = now() + interval '10 years'`]) {
			await expect(sqlAs(db, user.id, sql)).rejects.toThrow('permission denied for table sessions');
			await expect(sqlAs(db, null, sql)).rejects.toThrow('permission denied for table sessions');
		}
		await expect(
			sqlAs(db, user.id, 'insert into auth.sessions (user_id) values ($1)', [user.id])
		).rejects.toThrow('permission denied for table sessions');
	});
});
