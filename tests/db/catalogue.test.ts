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
});
