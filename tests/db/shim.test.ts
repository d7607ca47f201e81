import { describe, expect, it } from 'vitest';
import { claimsFor, sqlAs, testPool } from '../support/database.ts';
import { asUser } from '../../src/lib/server/messaging/backend/request-scope.ts';

const db = testPool();

describe('Supabase shim', () => {
	it('auth.uid(), auth.role() and auth.jwt() follow the request claims', async () => {
		const id = '5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11';
		const [row] = await sqlAs(db, id, 'select auth.uid() as uid, auth.role() as role, auth.jwt() ->> $1 as email, current_user as who', ['email']);
		expect(row).toEqual({ uid: id, role: 'authenticated', email: `${id}@example.test`, who: 'authenticated' });
	});

	it('a visitor without a session is anon with no uid', async () => {
		const [row] = await sqlAs(db, null, 'select auth.uid() as uid, auth.role() as role, current_user as who');
		expect(row).toEqual({ uid: null, role: 'anon', who: 'anon' });
	});

	it('the claims do not outlive the transaction that set them', async () => {
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claimsFor('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11'))]);
			expect((await client.query('select auth.uid() as uid')).rows[0].uid).toBe('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11');
			await client.query('commit');
			expect((await client.query('select auth.uid() as uid, current_user as who')).rows[0]).toEqual({ uid: null, who: 'postgres' });
		} finally {
			client.release();
		}
	});

	it('a failing request leaves the pooled connection clean for the next one', async () => {
		await expect(
			asUser(db, claimsFor('5b0f3f1e-8a6f-4b8e-9f59-3f5f1d8c0a11'), (c) => c.query('select * from auth.users'))
		).rejects.toThrow('permission denied for table users');
		const rows = await Promise.all(Array.from({ length: 8 }, () => db.query('select current_user as who, auth.uid() as uid')));
		expect(rows.map((r) => r.rows[0])).toEqual(Array(8).fill({ who: 'postgres', uid: null }));
	});

	it('the API roles exist with Supabase-like powers', async () => {
		const { rows } = await db.query(
			`select rolname, rolcanlogin, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by 1`
		);
		expect(rows).toEqual([
			{ rolname: 'anon', rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'authenticated', rolcanlogin: false, rolbypassrls: false },
			{ rolname: 'service_role', rolcanlogin: false, rolbypassrls: true }
		]);
	});
});
