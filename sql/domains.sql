-- Domains in the selected schemas ($1) with their CHECK constraints (as JSON).
SELECT t.oid,
       t.typarray AS array_oid,
       n.nspname AS schema,
       t.typname AS name,
       format_type(t.typbasetype, t.typtypmod) AS base_type,
       cn.nspname AS collation_schema,
       co.collname AS collation_name,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       t.typnotnull AS not_null,
       coalesce((SELECT json_agg(json_build_object('oid', c.oid::bigint,
                                                   'name', c.conname,
                                                   'definition', pg_get_constraintdef(c.oid),
                                                   'validated', c.convalidated)
                                 ORDER BY c.conname COLLATE "C")
                 FROM pg_constraint c
                 WHERE c.contypid = t.oid AND c.contype = 'c'), '[]'::json) AS constraints
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typcollation <> bt.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd'
  AND t.typnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"
