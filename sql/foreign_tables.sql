-- Foreign tables in the selected schemas ($1), partitions of a partitioned table included.
-- Columns in attnum order with their options (attfdwoptions) and what CREATE FOREIGN TABLE
-- can say of them (type, collation when not the type's, NOT NULL, default or generated
-- expression, 's'tored or 'v'irtual (18), whether the table declares it itself:
-- attislocal); CHECK constraints the
-- table declares itself (a partition's copies of its parent's are not). Options sorted by
-- name, as pg_dump prints them.
SELECT c.oid,
       c.reltype AS type_oid,
       n.nspname AS schema,
       c.relname AS name,
       s.srvname AS server,
       coalesce((SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value)
                                  ORDER BY o.option_name COLLATE "C")
                 FROM pg_options_to_table(ft.ftoptions) o), '[]'::jsonb) AS options,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'name', a.attname,
                     'data_type', format_type(a.atttypid, a.atttypmod),
                     'collation_schema', cn.nspname,
                     'collation_name', co.collname,
                     'not_null', a.attnotnull,
                     'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
                     'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
                     'generated_kind', a.attgenerated::text,
                     'is_local', a.attislocal,
                     'options', coalesce((SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value)
                                                           ORDER BY o.option_name COLLATE "C")
                                          FROM pg_options_to_table(a.attfdwoptions) o), '[]'::jsonb))
                     ORDER BY a.attnum)
                 FROM pg_attribute a
                 JOIN pg_type t ON t.oid = a.atttypid
                 LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
                 LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::jsonb) AS columns,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'name', con.conname,
                     'definition', pg_get_constraintdef(con.oid))
                     ORDER BY con.conname COLLATE "C")
                 FROM pg_constraint con
                 WHERE con.conrelid = c.oid AND con.contype = 'c' AND con.conislocal), '[]'::jsonb) AS checks,
       coalesce((SELECT json_agg(json_build_array(pn.nspname, p.relname) ORDER BY i.inhseqno)
                 FROM pg_inherits i
                 JOIN pg_class p ON p.oid = i.inhparent
                 JOIN pg_namespace pn ON pn.oid = p.relnamespace
                 WHERE i.inhrelid = c.oid AND NOT c.relispartition), '[]'::json) AS inherits,
       pp.schema AS parent_schema,
       pp.name AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
JOIN pg_foreign_server s ON s.oid = ft.ftserver
LEFT JOIN LATERAL (
    SELECT pn.nspname AS schema, p.relname AS name
    FROM pg_inherits i
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE i.inhrelid = c.oid AND c.relispartition
) pp ON true
WHERE c.relkind = 'f'
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
