-- Indexes no constraint owns (no 'i' dependency on a pg_constraint row), on tables,
-- partitioned tables and materialized views in the selected schemas ($1).
SELECT ic.oid,
       n.nspname AS schema,
       ic.relname AS name,
       c.relname AS table_name,
       pg_get_indexdef(i.indexrelid) AS definition,
       i.indisunique AS is_unique,
       am.amname AS method,
       pn.nspname AS parent_schema,
       pc.relname AS parent_name,
       i.indisclustered AS clustered,
       i.indisvalid AS valid,
       coalesce(ic.reloptions, '{}'::text[]) AS options,
       -- Statistics targets set on expression columns (attstattarget: NULL from 17, -1
       -- before, when not set).
       array(SELECT a.attnum::int FROM pg_attribute a
             WHERE a.attrelid = i.indexrelid
               AND (to_jsonb(a) ->> 'attstattarget')::int >= 0
             ORDER BY a.attnum) AS stat_columns,
       array(SELECT (to_jsonb(a) ->> 'attstattarget')::int FROM pg_attribute a
             WHERE a.attrelid = i.indexrelid
               AND (to_jsonb(a) ->> 'attstattarget')::int >= 0
             ORDER BY a.attnum) AS stat_targets
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_inherits inh ON inh.inhrelid = ic.oid
LEFT JOIN pg_class pc ON pc.oid = inh.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                    AND (d.deptype = 'e' OR (d.deptype = 'i' AND d.refclassid = 'pg_constraint'::regclass)))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", ic.relname COLLATE "C"
