-- Range types in the selected schemas ($1). rngmultitypid exists from 14 on (to_jsonb).
SELECT t.oid,
       t.typarray AS array_oid,
       n.nspname AS schema,
       t.typname AS name,
       format_type(r.rngsubtype, NULL) AS subtype,
       CASE WHEN NOT opc.opcdefault THEN opn.nspname END AS opclass_schema,
       CASE WHEN NOT opc.opcdefault THEN opc.opcname END AS opclass_name,
       cn.nspname AS collation_schema,
       co.collname AS collation_name,
       CASE WHEN r.rngcanonical::oid <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
       CASE WHEN r.rngsubdiff::oid <> 0 THEN r.rngsubdiff::regproc::text END AS subtype_diff,
       (to_jsonb(r) ->> 'rngmultitypid')::oid AS multirange_oid,
       mt.typname AS multirange_name,
       mn.nspname AS multirange_schema
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_range r ON r.rngtypid = t.oid
JOIN pg_type st ON st.oid = r.rngsubtype
JOIN pg_opclass opc ON opc.oid = r.rngsubopc
JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
LEFT JOIN pg_collation co ON co.oid = r.rngcollation AND r.rngcollation <> st.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_type mt ON mt.oid = (to_jsonb(r) ->> 'rngmultitypid')::oid
LEFT JOIN pg_namespace mn ON mn.oid = mt.typnamespace
WHERE t.typtype = 'r'
  AND t.typnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", t.typname COLLATE "C"
