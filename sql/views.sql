-- Views in the selected schemas ($1): the server's deparsed query, options, column names
-- and types (CREATE OR REPLACE VIEW cannot change a column's type), column defaults.
SELECT c.oid,
       c.reltype AS type_oid,
       n.nspname AS schema,
       c.relname AS name,
       pg_get_viewdef(c.oid) AS definition,
       coalesce(c.reloptions, '{}'::text[]) AS options,
       array(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS columns,
       array(SELECT format_type(a.atttypid, a.atttypmod)
                    || CASE WHEN a.attcollation <> 0 THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
             FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS column_types,
       array(SELECT a.attname::text FROM pg_attrdef ad
             JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
             WHERE ad.adrelid = c.oid ORDER BY ad.adnum) AS default_columns,
       array(SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attrdef ad
             WHERE ad.adrelid = c.oid ORDER BY ad.adnum) AS default_exprs
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v'
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
