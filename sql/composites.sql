-- Free-standing composite types in the selected schemas ($1) with their attributes.
SELECT t.oid,
       t.typarray AS array_oid,
       t.typrelid AS class_oid,
       n.nspname AS schema,
       t.typname AS name,
       coalesce((SELECT json_agg(json_build_object(
                          'name', a.attname,
                          'data_type', format_type(a.atttypid, a.atttypmod),
                          'collation_schema', cn.nspname,
                          'collation_name', co.collname)
                        ORDER BY a.attnum)
                 FROM pg_attribute a
                 JOIN pg_type at ON at.oid = a.atttypid
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> at.typcollation
                 LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                 WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
                '[]'::json) AS attributes
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c'
  AND c.relkind = 'c'
  AND t.typnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"
