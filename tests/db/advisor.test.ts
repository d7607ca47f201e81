// Our own guard for what Supabase's database linter (the dashboard's Security and Performance
// Advisors) checks, written against pg_catalog so a schema change that would make the advisor
// complain fails here first. Scope: the schemas our migrations own, public and private.
import { describe, expect, it } from 'vitest';
import { testPool } from '../support/database.ts';

const db = testPool();

describe('Supabase advisor guard', () => {
	it('every foreign key has an index that starts with its columns, so deletes and cascades never scan the referencing table', async () => {
		const { rows } = await db.query<{ fk: string }>(`
			select c.conrelid::regclass || ' ' || c.conname as fk
			  from pg_constraint c
			 where c.contype = 'f'
			   and c.connamespace in ('public'::regnamespace, 'private'::regnamespace)
			   and not exists (
			         select from pg_index i
			          where i.indrelid = c.conrelid and i.indisvalid
			            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
			 order by 1`);
		expect(rows.map((r) => r.fk)).toEqual([]);
	});

	it('at most one permissive policy per table, API role and command, so no row is checked twice', async () => {
		const { rows } = await db.query<{ overlap: string }>(`
			with applies as (
			  select p.polrelid::regclass::text as relation, r.rolname as role, cmd, p.polname
			    from pg_policy p
			    join pg_class c on c.oid = p.polrelid
			    join pg_roles r on r.rolname in ('anon', 'authenticated')
			                   and (p.polroles @> array[r.oid] or p.polroles = '{0}')
			   cross join lateral unnest(case p.polcmd when '*' then array['r', 'a', 'w', 'd'] else array[p.polcmd::text] end) cmd
			   where p.polpermissive
			     and c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
			)
			select relation || ' ' || role || ' ' || cmd || ': ' || string_agg(polname, ', ' order by polname) as overlap
			  from applies
			 group by relation, role, cmd
			having count(*) > 1
			 order by 1`);
		expect(rows.map((r) => r.overlap)).toEqual([]);
	});

	it('every security definer function runs with an empty search_path', async () => {
		const { rows } = await db.query<{ fn: string }>(`
			select p.oid::regprocedure::text as fn
			  from pg_proc p
			 where p.prosecdef
			   and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
			   and not coalesce('search_path=""' = any(p.proconfig), false)
			 order by 1`);
		expect(rows.map((r) => r.fn)).toEqual([]);
	});

	it('every table in public has row-level security enabled', async () => {
		const { rows } = await db.query<{ relname: string }>(`
			select c.relname
			  from pg_class c
			 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity
			 order by 1`);
		expect(rows.map((r) => r.relname)).toEqual([]);
	});

	// New Supabase projects grant nothing on new tables; the operator's service_role key works
	// only where a migration granted it (the shim mirrors that, so a missing grant shows here).
	it('service_role reads and writes every public table, and reads every public view, through explicit grants', async () => {
		const { rows } = await db.query<{ relation: string; missing: string }>(`
			select c.relname as relation, p.privilege as missing
			  from pg_class c
			 cross join lateral unnest(case when c.relkind in ('r', 'p') then array['select', 'insert', 'update', 'delete']
			                               else array['select'] end) p(privilege)
			 where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
			   and not has_table_privilege('service_role', c.oid, p.privilege)
			 order by 1, 2`);
		expect(rows).toEqual([]);
		const { rows: sequences } = await db.query<{ relname: string }>(`
			select c.relname from pg_class c
			 where c.relnamespace = 'public'::regnamespace
			   and case when c.relkind = 'S' then not has_sequence_privilege('service_role', c.oid, 'usage') end
			 order by 1`);
		expect(sequences).toEqual([]);
	});
});
