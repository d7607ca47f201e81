import pg from 'pg';

/*
 * A database's schema read from the catalogue, for comparing two databases where pg_dump is not
 * at hand: every object outside PostgreSQL's own schemas and the migration history, as plain
 * rows in a fixed order, so one toEqual shows exactly what differs. Objects that belong to an
 * extension are left out (the extension's name and version stand for them).
 */

const ownSchemas = (column: string) =>
	`${column} not in ('pg_catalog', 'information_schema', 'supabase_migrations') and ${column} !~ '^pg_(toast|temp_)'`;

const notFromExtension = (catalog: string, oid: string) =>
	`not exists (select from pg_depend e where e.classid = '${catalog}'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

// One "grantee privilege" per line, sorted; a null ACL is spelled out as the owner's default.
const grants = (acl: string, kind: string, owner: string) => `(
	select array_agg(g order by g) from (
	  select case a.grantee when 0 then 'PUBLIC' else a.grantee::regrole::text end || ' ' || a.privilege_type
	         || case when a.is_grantable then ' with grant option' else '' end as g
	    from aclexplode(coalesce(${acl}, acldefault(${kind}, ${owner}))) a) grants)`;

const QUERIES = {
	schemas: `
		select n.nspname as name, pg_get_userbyid(n.nspowner) as owner, ${grants('n.nspacl', `'n'`, 'n.nspowner')} as grants,
		       obj_description(n.oid, 'pg_namespace') as comment
		  from pg_namespace n
		 where ${ownSchemas('n.nspname')}
		 order by 1`,
	extensions: `
		select x.extname as name, x.extnamespace::regnamespace::text as schema, x.extversion as version
		  from pg_extension x
		 order by 1`,
	types: `
		select t.oid::regtype::text as name, t.typtype as kind, pg_get_userbyid(t.typowner) as owner,
		       (select array_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) as labels,
		       nullif(format_type(t.typbasetype, t.typtypmod), '-') as base, t.typnotnull as not_null, t.typdefault as "default",
		       ${grants('t.typacl', `'T'`, 't.typowner')} as grants
		  from pg_type t join pg_namespace n on n.oid = t.typnamespace
		 where t.typtype in ('e', 'd', 'r') and ${ownSchemas('n.nspname')} and ${notFromExtension('pg_type', 't.oid')}
		 order by 1`,
	relations: `
		select c.oid::regclass::text as name, c.relkind as kind, pg_get_userbyid(c.relowner) as owner,
		       c.relrowsecurity as row_security, c.relforcerowsecurity as force_row_security, c.reloptions as options,
		       ${grants('c.relacl', `(case c.relkind when 'S' then 's' else 'r' end)::"char"`, 'c.relowner')} as grants,
		       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as view_definition,
		       obj_description(c.oid, 'pg_class') as comment
		  from pg_class c join pg_namespace n on n.oid = c.relnamespace
		 where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c') and ${ownSchemas('n.nspname')}
		   and ${notFromExtension('pg_class', 'c.oid')}
		 order by 1`,
	columns: `
		select c.oid::regclass::text as relation, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
		       a.attnotnull as not_null, pg_get_expr(d.adbin, d.adrelid) as "default", a.attidentity as identity,
		       a.attgenerated as generated, nullif(a.attcollation, t.typcollation)::regcollation::text as collation,
		       (select array_agg(g order by g) from (
		          select x.grantee::regrole::text || ' ' || x.privilege_type as g from aclexplode(a.attacl) x) grants) as column_grants,
		       col_description(c.oid, a.attnum) as comment
		  from pg_attribute a
		  join pg_class c on c.oid = a.attrelid
		  join pg_namespace n on n.oid = c.relnamespace
		  join pg_type t on t.oid = a.atttypid
		  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
		 where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
		   and ${ownSchemas('n.nspname')} and ${notFromExtension('pg_class', 'c.oid')}
		 order by 1, a.attnum`,
	constraints: `
		select coalesce(k.conrelid::regclass::text, k.contypid::regtype::text) as relation, k.conname as name,
		       pg_get_constraintdef(k.oid) as definition
		  from pg_constraint k join pg_namespace n on n.oid = k.connamespace
		 where ${ownSchemas('n.nspname')}
		 order by 1, 2`,
	indexes: `
		select i.schemaname || '.' || i.indexname as name, i.indexdef as definition
		  from pg_indexes i
		 where ${ownSchemas('i.schemaname')}
		 order by 1`,
	sequences: `
		select s.schemaname || '.' || s.sequencename as name, s.data_type::text as type, s.start_value, s.min_value,
		       s.max_value, s.increment_by, s.cycle, s.cache_size
		  from pg_sequences s
		 where ${ownSchemas('s.schemaname')}
		 order by 1`,
	functions: `
		select n.nspname || '.' || p.proname as name, pg_get_function_identity_arguments(p.oid) as arguments,
		       pg_get_function_result(p.oid) as result, p.prokind as kind, l.lanname as language,
		       p.provolatile as volatility, p.prosecdef as security_definer, p.proisstrict as strict,
		       p.proleakproof as leakproof, p.proparallel as parallel, p.proconfig as config,
		       pg_get_userbyid(p.proowner) as owner, ${grants('p.proacl', `'f'`, 'p.proowner')} as grants,
		       coalesce(pg_get_function_sqlbody(p.oid), p.prosrc) as body, obj_description(p.oid, 'pg_proc') as comment
		  from pg_proc p
		  join pg_namespace n on n.oid = p.pronamespace
		  join pg_language l on l.oid = p.prolang
		 where ${ownSchemas('n.nspname')} and ${notFromExtension('pg_proc', 'p.oid')}
		 order by 1, 2`,
	triggers: `
		select t.tgrelid::regclass::text as relation, t.tgname as name, pg_get_triggerdef(t.oid) as definition,
		       t.tgenabled as enabled
		  from pg_trigger t
		  join pg_class c on c.oid = t.tgrelid
		  join pg_namespace n on n.oid = c.relnamespace
		 where not t.tgisinternal and ${ownSchemas('n.nspname')}
		 order by 1, 2`,
	policies: `
		select p.schemaname || '.' || p.tablename as relation, p.policyname as name, p.permissive, p.roles, p.cmd,
		       p.qual, p.with_check
		  from pg_policies p
		 where ${ownSchemas('p.schemaname')}
		 order by 1, 2`,
	defaultPrivileges: `
		select pg_get_userbyid(d.defaclrole) as role, d.defaclnamespace::regnamespace::text as schema,
		       d.defaclobjtype as kind, ${grants('d.defaclacl', 'd.defaclobjtype', 'd.defaclrole')} as grants
		  from pg_default_acl d
		 order by 1, 2, 3`,
	publications: `
		select p.pubname as name, p.schemaname || '.' || p.tablename as relation
		  from pg_publication_tables p
		 order by 1, 2`,
	eventTriggers: `
		select e.evtname as name, e.evtevent as event, e.evtfoid::regproc::text as function, e.evtenabled as enabled,
		       e.evttags as tags
		  from pg_event_trigger e
		 order by 1`
};

export type SchemaSnapshot = Record<keyof typeof QUERIES, Record<string, unknown>[]>;

/** The schema of the database at `url`, every name schema-qualified (search_path is pg_catalog only). */
export async function schemaSnapshot(url: string): Promise<SchemaSnapshot> {
	const client = new pg.Client({ connectionString: url, options: '-c search_path=pg_catalog' });
	await client.connect();
	try {
		const snapshot: Partial<SchemaSnapshot> = {};
		for (const [part, sql] of Object.entries(QUERIES)) {
			snapshot[part as keyof SchemaSnapshot] = (await client.query(sql)).rows;
		}
		return snapshot as SchemaSnapshot;
	} finally {
		await client.end();
	}
}
