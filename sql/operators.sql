-- Operators in the selected schemas ($1), not shells (oprcode = 0: made by another
-- operator's COMMUTATOR or NEGATOR, and filled or made again the same way). Argument types
-- through format_type, NONE for a prefix operator's left (and, before 14, a postfix
-- operator's right); functions by schema and name; the commutator and negator in
-- OPERATOR(schema.name) form. Run with search_path = '' so type names come out qualified.
SELECT o.oid,
       n.nspname AS schema,
       o.oprname AS name,
       CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left_type,
       CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END AS right_type,
       pn.nspname AS function_schema,
       p.proname AS function_name,
       CASE WHEN o.oprcom <> 0
            THEN 'OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')' END AS commutator,
       CASE WHEN o.oprnegate <> 0
            THEN 'OPERATOR(' || quote_ident(ngn.nspname) || '.' || ng.oprname || ')' END AS negator,
       rn.nspname AS restrict_schema,
       r.proname AS restrict_name,
       jn.nspname AS join_schema,
       j.proname AS join_name,
       o.oprcanhash AS hashes,
       o.oprcanmerge AS merges
FROM pg_operator o
JOIN pg_namespace n ON n.oid = o.oprnamespace
JOIN pg_proc p ON p.oid = o.oprcode
JOIN pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_operator c ON c.oid = o.oprcom
LEFT JOIN pg_namespace cn ON cn.oid = c.oprnamespace
LEFT JOIN pg_operator ng ON ng.oid = o.oprnegate
LEFT JOIN pg_namespace ngn ON ngn.oid = ng.oprnamespace
LEFT JOIN pg_proc r ON r.oid = o.oprrest
LEFT JOIN pg_namespace rn ON rn.oid = r.pronamespace
LEFT JOIN pg_proc j ON j.oid = o.oprjoin
LEFT JOIN pg_namespace jn ON jn.oid = j.pronamespace
WHERE o.oprnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", o.oprname COLLATE "C",
         format_type(o.oprleft, NULL) COLLATE "C", format_type(o.oprright, NULL) COLLATE "C"
