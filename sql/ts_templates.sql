-- Text search templates in the selected schemas ($1): their functions by schema and name
-- (INIT is optional: tmplinit = 0).
SELECT t.oid,
       n.nspname AS schema,
       t.tmplname AS name,
       inn.nspname AS init_schema, i.proname AS init_name,
       ln.nspname AS lexize_schema, l.proname AS lexize_name
FROM pg_ts_template t
JOIN pg_namespace n ON n.oid = t.tmplnamespace
LEFT JOIN pg_proc i ON i.oid = t.tmplinit
LEFT JOIN pg_namespace inn ON inn.oid = i.pronamespace
JOIN pg_proc l ON l.oid = t.tmpllexize
JOIN pg_namespace ln ON ln.oid = l.pronamespace
WHERE t.tmplnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_ts_template'::regclass AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", t.tmplname COLLATE "C"
