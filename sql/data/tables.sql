-- Tables for the data sync: one row per ordinary or partitioned table (partitions are reached
-- through their parent) in the selected schemas ($1, NULL = every non-system schema), with
-- its columns, candidate keys (primary key, then unique indexes over NOT NULL columns without
-- predicate or expression), foreign keys and user triggers, as JSON. One query for all tables.
SELECT n.nspname::text AS schema_name,
       c.relname::text AS table_name,
       c.relkind::text AS kind,
       c.reltuples::float8 AS estimated_rows,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                      'name', a.attname::text,
                      'type', format_type(a.atttypid, a.atttypmod),
                      'builtin', a.atttypid < 16384,
                      'generated', a.attgenerated <> '',
                      'identity', a.attidentity::text,
                      'collatable', a.attcollation <> 0,
                      -- Two values this column's equality calls equal have the same text:
                      -- types known to compare so, under a deterministic collation. Not
                      -- citext, numeric (1.0 = 1.00), floats (-0 = 0), bpchar, jsonb,
                      -- interval, domains, arrays or anything else unknown.
                      'exact', (a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype,
                                               'oid'::regtype, 'bool'::regtype, 'text'::regtype,
                                               'varchar'::regtype, 'bytea'::regtype, 'uuid'::regtype,
                                               'date'::regtype, 'time'::regtype, 'timestamp'::regtype,
                                               'timestamptz'::regtype, 'inet'::regtype, 'cidr'::regtype,
                                               'macaddr'::regtype, 'macaddr8'::regtype)
                                OR EXISTS (SELECT 1 FROM pg_type t WHERE t.oid = a.atttypid AND t.typtype = 'e'))
                               AND NOT EXISTS (SELECT 1 FROM pg_collation co
                                               WHERE co.oid = a.attcollation AND NOT co.collisdeterministic))
                  ORDER BY a.attnum)
           FROM pg_attribute a
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                      'name', ic.relname::text,
                      'primary', i.indisprimary,
                      'immediate', i.indimmediate,
                      -- No nondeterministic collation of the index's own ('abc' = 'ABC').
                      'deterministic', NOT EXISTS (
                          SELECT 1 FROM unnest(i.indcollation::oid[]) AS ic_coll(oid)
                          JOIN pg_collation co ON co.oid = ic_coll.oid
                          WHERE NOT co.collisdeterministic),
                      'columns', (SELECT jsonb_agg(a.attname::text ORDER BY k.ord)
                                  FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                                  WHERE k.ord <= i.indnkeyatts))
                  ORDER BY NOT i.indisprimary, ic.relname)
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid
             AND i.indpred IS NULL AND i.indexprs IS NULL
             AND NOT EXISTS (
                 SELECT 1
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                 WHERE k.ord <= i.indnkeyatts AND NOT a.attnotnull)), '[]') AS keys,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                      'name', con.conname::text,
                      'ref_schema', rn.nspname::text,
                      'ref_table', rc.relname::text,
                      'deferrable', con.condeferrable)
                  ORDER BY con.conname)
           FROM pg_constraint con
           JOIN pg_class rc ON rc.oid = con.confrelid
           JOIN pg_namespace rn ON rn.oid = rc.relnamespace
           WHERE con.conrelid = c.oid AND con.contype = 'f' AND con.conparentid = 0), '[]') AS foreign_keys,
       (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)::int8 AS user_triggers
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
ORDER BY 1, 2
