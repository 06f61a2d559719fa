-- Collations in the selected schemas ($1). Columns that moved between versions are read
-- through to_jsonb(row): colliculocale (15-16) became colllocale (17), collicurules (16+).
SELECT c.oid,
       n.nspname AS schema,
       c.collname AS name,
       c.collprovider::text AS provider,
       CASE WHEN c.collprovider = 'c' THEN to_jsonb(c) ->> 'collcollate'
            ELSE coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale',
                          to_jsonb(c) ->> 'collcollate')
       END AS collate,
       CASE WHEN c.collprovider = 'c' THEN to_jsonb(c) ->> 'collctype' END AS ctype,
       c.collisdeterministic AS deterministic,
       to_jsonb(c) ->> 'collicurules' AS rules
FROM pg_collation c
JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE c.collnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_collation'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.collname COLLATE "C"
