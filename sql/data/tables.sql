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
                      'collatable', a.attcollation <> 0)
                  ORDER BY a.attnum)
           FROM pg_attribute a
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                      'name', ic.relname::text,
                      'primary', i.indisprimary,
                      'immediate', i.indimmediate,
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
