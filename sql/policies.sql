-- Row-level security policies on tables in the selected schemas ($1).
SELECT pol.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       pol.polname AS name,
       pol.polpermissive AS permissive,
       pol.polcmd::text AS command,
       array(SELECT x.role FROM (SELECT CASE WHEN r = 0 THEN 'public'
                                             ELSE pg_get_userbyid(r)::text END AS role
                                 FROM unnest(pol.polroles) r) x
             ORDER BY x.role COLLATE "C") AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", pol.polname COLLATE "C"
