-- Schemas to introspect. $1: every non-system schema; $2: otherwise exactly these names.
-- Schemas an extension created are left out (CREATE EXTENSION makes them), and so is
-- pgsyncer's own state on a standin.
SELECT n.oid,
       n.nspname AS name,
       pg_get_userbyid(n.nspowner) AS owner
FROM pg_namespace n
WHERE CASE WHEN $1::bool
           THEN n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\_toast%'
                AND n.nspname NOT LIKE 'pg\_temp\_%'
                -- pgsyncer's own state on a standin (sync watermarks, --fdw-mode staging)
                AND n.nspname <> 'pgsyncer'
                AND n.nspname NOT LIKE 'pgsyncer\_fdw\_%'
           ELSE n.nspname = ANY ($2::text[])
      END
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C"
