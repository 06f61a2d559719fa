-- Casts created by users (oid >= 16384, FirstNormalObjectId), not by an extension, that
-- touch the selected schemas ($1): the source or target type, or the function, lives in
-- one. Casts belong to no schema. Types through format_type and the function as
-- regprocedure, both run with search_path = '' so names outside pg_catalog are qualified.
SELECT c.oid,
       format_type(c.castsource, NULL) AS source,
       format_type(c.casttarget, NULL) AS target,
       CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END AS function,
       c.castmethod::text AS method,
       c.castcontext::text AS context
FROM pg_cast c
JOIN pg_type s ON s.oid = c.castsource
JOIN pg_type t ON t.oid = c.casttarget
LEFT JOIN pg_proc p ON p.oid = c.castfunc
WHERE c.oid >= 16384
  AND (s.typnamespace = ANY ($1::oid[]) OR t.typnamespace = ANY ($1::oid[])
       OR p.pronamespace = ANY ($1::oid[]))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
ORDER BY format_type(c.castsource, NULL) COLLATE "C", format_type(c.casttarget, NULL) COLLATE "C"
