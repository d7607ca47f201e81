// The demo marketplace's catalogue reads as the viewer, through statements prepared once per
// connection: one connection serving a visitor, a seller and a visitor again must show each of
// them what the products policies allow them, and nothing cached for another.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../src/lib/server/db/pool.ts';
import { postgresCatalogue } from '../../src/lib/server/catalogue/postgres-catalogue.ts';
import { claimsFor, testPool } from '../support/database.ts';
import { createProduct, createUser } from '../support/factories.ts';

const db = testPool();
const oneConnection = createPool(inject('databaseUrl'), { max: 1 });
afterAll(() => oneConnection.end());

describe('catalogue on one connection', () => {
	it('shows a sold listing to its seller only, turn after turn', async () => {
		const seller = await createUser(db);
		const sold = await createProduct(db, seller.id, { status: 'sold' });
		const active = await createProduct(db, seller.id);
		const visitor = postgresCatalogue(oneConnection, null);
		const owner = postgresCatalogue(oneConnection, claimsFor(seller.id, seller.email));

		for (let turn = 0; turn < 7; turn++) {
			expect(await visitor.getProduct(sold.id), `turn ${turn}`).toBeNull();
			expect((await owner.getProduct(sold.id))?.id, `turn ${turn}`).toBe(sold.id);
			expect((await visitor.getProduct(active.id))?.title, `turn ${turn}`).toBe(active.title);
		}
		const listed = (await visitor.listProducts()).map((product) => product.id);
		expect(listed).toContain(active.id);
		expect(listed).not.toContain(sold.id);
	});

	it('lists the listings on show: active and reserved ones (with their status), not sold or withdrawn ones, to visitors and members alike', async () => {
		const seller = await createUser(db);
		const member = await createUser(db);
		const active = await createProduct(db, seller.id);
		const reserved = await createProduct(db, seller.id, { status: 'reserved' });
		const sold = await createProduct(db, seller.id, { status: 'sold' });
		const withdrawn = await createProduct(db, seller.id);
		await db.query(`update public.products set status = 'withdrawn' where id = $1`, [withdrawn.id]);
		for (const viewer of [postgresCatalogue(oneConnection, null), postgresCatalogue(oneConnection, claimsFor(member.id, member.email)), postgresCatalogue(oneConnection, claimsFor(seller.id, seller.email))]) {
			const listed = new Map((await viewer.listProducts()).map((product) => [product.id, product.status]));
			expect(listed.get(active.id)).toBe('active');
			expect(listed.get(reserved.id)).toBe('reserved');
			expect(listed.has(sold.id)).toBe(false);
			expect(listed.has(withdrawn.id)).toBe(false);
		}
		// Newest first, read in order from the index made for it (a table this small the planner may scan instead).
		const client = await db.connect();
		try {
			await client.query('begin');
			await client.query('set local enable_seqscan = off; set local enable_bitmapscan = off');
			const { rows } = await client.query(`explain select id from public.products where status in ('active', 'reserved') order by created_at desc limit 100`);
			const plan = rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
			expect(plan).toContain('Index Scan using products_on_show_recent_idx');
			expect(plan).not.toContain('Sort');
		} finally {
			await client.query('rollback');
			client.release();
		}
	});
});
