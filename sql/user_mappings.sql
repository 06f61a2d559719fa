-- User mappings, whatever schemas are selected ($1 bounds nothing here), through the
-- pg_user_mappings view: pg_user_mapping itself is readable by superusers only, and the
-- view shows a mapping's options only to those allowed to see them (NULL otherwise, read
-- as none). umuser = 0 is the mapping FOR PUBLIC. Options sorted by name; an option whose
-- name contains "password" is never read, only named (secret_options): a secret is never
-- copied. Mappings on a server an extension owns are left out with it; the loader leaves
-- out those on pgsyncer's own --fdw-mode server.
SELECT m.umid AS oid,
       m.srvname AS server,
       CASE WHEN m.umuser <> 0 THEN m.usename END AS role,
       coalesce((SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value)
                                  ORDER BY o.option_name COLLATE "C")
                 FROM pg_options_to_table(m.umoptions) o
                 WHERE o.option_name NOT ILIKE '%password%'), '[]'::jsonb) AS options,
       array(SELECT o.option_name FROM pg_options_to_table(m.umoptions) o
             WHERE o.option_name ILIKE '%password%'
             ORDER BY o.option_name COLLATE "C") AS secret_options
FROM pg_user_mappings m
WHERE cardinality($1::oid[]) >= 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_foreign_server'::regclass AND d.objid = m.srvid
                    AND d.deptype = 'e')
ORDER BY m.srvname COLLATE "C", m.umuser <> 0, m.usename COLLATE "C"
