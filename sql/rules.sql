-- Rewrite rules (CREATE RULE) on tables and views in the selected schemas ($1). Not a
-- view's "_RETURN" rule: that is the view's own query (views.sql). Not rules an extension
-- owns, nor rules on an extension's relations. pg_get_ruledef prints the whole CREATE RULE
-- with a trailing ';', names qualified under search_path = ''.
SELECT r.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       r.rulename AS name,
       pg_get_ruledef(r.oid, false) AS definition,
       r.ev_enabled::text AS enabled
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid)
                         OR (d.classid = 'pg_class'::regclass AND d.objid = c.oid)))
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", r.rulename COLLATE "C"
