-- Text search dictionaries in the selected schemas ($1): the template (often in
-- pg_catalog) and the options as the server stores them, `name = value, …` (names quoted
-- as identifiers, strings as literals, numbers bare), or NULL when there are none.
SELECT d.oid,
       n.nspname AS schema,
       d.dictname AS name,
       tn.nspname AS template_schema,
       t.tmplname AS template_name,
       d.dictinitoption AS options
FROM pg_ts_dict d
JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate
JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE d.dictnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep
                  WHERE dep.classid = 'pg_ts_dict'::regclass AND dep.objid = d.oid AND dep.deptype = 'e')
ORDER BY n.nspname COLLATE "C", d.dictname COLLATE "C"
