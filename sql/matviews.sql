-- Materialized views in the selected schemas ($1).
SELECT c.oid,
       c.reltype AS type_oid,
       n.nspname AS schema,
       c.relname AS name,
       pg_get_viewdef(c.oid) AS definition,
       coalesce(c.reloptions, '{}'::text[]) AS options,
       CASE WHEN am.amname <> 'heap' THEN am.amname END AS access_method,
       c.relispopulated AS populated,
       array(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_am am ON am.oid = c.relam
WHERE c.relkind = 'm'
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
