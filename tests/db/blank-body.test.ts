// The composer refuses a blank message up front (isBlankBody); the database refuses it as
// body_empty. The two rules must agree, or the composer lets through a message that can never be
// sent ("Not sent: Write a message before sending.", for good) or refuses one the server takes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBlankBody } from '../../src/lib/messaging/schemas/body.ts';
import { testPool } from '../support/database.ts';

const CHOSEN = [
	'',
	' ',
	'\t\r\n',
	'\u200b\u2060\u200b',
	'\u200b\u200b\u200d\ufeff',
	' \u200d\u2060 ',
	'\u00ad',
	'\u00a0\u3000\u2028',
	'\u0001\u0007 \u001b\u007f\u0085',
	'\ufe0f',
	'\u3164\uffa0',
	'a',
	'\u200ba\u200b',
	'😀',
	'\u200d😀',
	'\u0007x',
	'\u{e0001}',
	'\u{1d173}'
];

// Every character the rule might disagree about lies in the Basic Multilingual Plane; a
// surrogate alone is not text, and PostgreSQL takes no NUL.
const EVERY_BMP_CHARACTER = Array.from({ length: 0xffff }, (_, i) => i + 1)
	.filter((code) => code < 0xd800 || code > 0xdfff)
	.map((code) => String.fromCharCode(code));

const MIXES = fc.sample(
	fc.string({
		unit: fc.constantFrom('a', ' ', '\t', '\n', '\u00a0', '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u0001', '\u0085', '\u3000', '\u180e', '\ufe0f', '\u202e', 'é', '😀'),
		maxLength: 6
	}),
	{ numRuns: 500, seed: 20261207 }
);

describe('a blank message body', () => {
	const db = testPool();

	it('the composer calls a body blank exactly when send_message refuses it as empty', async () => {
		const bodies = [...CHOSEN, ...EVERY_BMP_CHARACTER, ...MIXES];
		const client = await db.connect();
		try {
			// What a send without photos stores (body_to_store), asked of every body in one round trip.
			await client.query(`
				create function pg_temp.refused_as_empty(body text) returns boolean language plpgsql as $$
				declare kind text;
				begin
				  perform private.body_to_store(body, '{}'::uuid[]);
				  return false;
				exception when sqlstate 'BZ001' then
				  get stacked diagnostics kind = pg_exception_hint;
				  return kind = 'body_empty';
				end $$`);
			const { rows } = await client.query<{ empty: boolean[] }>('select array_agg(pg_temp.refused_as_empty(b) order by n) as empty from unnest($1::text[]) with ordinality as t(b, n)', [bodies]);
			const disagreements = bodies
				.map((body, i) => ({ body, database: rows[0].empty[i], composer: isBlankBody(body) }))
				.filter(({ database, composer }) => database !== composer)
				.map(({ body, database }) => `${[...body].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ') || '(nothing)'}: database says ${database ? 'empty' : 'not empty'}`);
			expect(disagreements).toEqual([]);
			// The rule is not vacuous: the tester's zero-width texts are among the empty ones.
			expect(isBlankBody('\u200b\u2060\u200b')).toBe(true);
			expect(isBlankBody('\u200ba\u200b')).toBe(false);
		} finally {
			client.release();
		}
	});
});
