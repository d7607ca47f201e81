// The Postgres adapter writes text arguments as SQL literals. Whatever the text, PostgreSQL must
// read back exactly what was written, and the literal must be pg.escapeLiteral's, character for character.
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqlText } from '../../src/lib/server/messaging/backend/sql-text.ts';
import { testPool } from '../support/database.ts';

const TRICKY = [
	'',
	"'",
	"''",
	'\\',
	"\\'",
	"It's 20% off \\ final",
	'E\'\\x41\'',
	"'); drop table public.messages; --",
	'Grüße aus München 📷',
	'line one\nline two\ttab',
	'{"sub":"a","role":"authenticated"}'
];

describe('text arguments as SQL literals', () => {
	const db = testPool();

	it('reads back exactly as written, for tricky and for random text, and equals pg.escapeLiteral', async () => {
		const random = fc.sample(fc.string({ unit: fc.constantFrom('a', "'", '\\', '"', ' ', 'é', '😀', '\n', 'E', '$'), maxLength: 40 }), { numRuns: 300, seed: 20261206 });
		const texts = [...TRICKY, ...random];
		for (const text of texts) expect(sqlText(text), JSON.stringify(text)).toBe(pg.escapeLiteral(text));
		const { rows } = await db.query<{ values: string[] }>(`select array[${texts.map(sqlText).join(', ')}]::text[] as values`);
		expect(rows[0].values).toEqual(texts);
	});
});
