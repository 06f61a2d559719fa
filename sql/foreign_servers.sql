-- Foreign servers that no extension owns, whatever schemas are selected (servers belong
-- to no schema; $1 bounds nothing here). TYPE and VERSION as given, options sorted by name
-- as pg_dump prints them; an option whose name contains "password" is never read, only
-- named (secret_options). The loader leaves out pgsyncer's own --fdw-mode server. A wrapper
-- an extension owns (postgres_fdw) is named with its extension (wrapper_extension), so
-- the server's pg_depend row on the wrapper orders it after that extension.
SELECT s.oid,
       s.srvname AS name,
       w.fdwname AS wrapper,
       w.oid AS wrapper_oid,
       (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
        WHERE d.classid = 'pg_foreign_data_wrapper'::regclass AND d.objid = w.oid
          AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') AS wrapper_extension,
       s.srvtype AS server_type,
       s.srvversion AS version,
       coalesce((SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value)
                                  ORDER BY o.option_name COLLATE "C")
                 FROM pg_options_to_table(s.srvoptions) o
                 WHERE o.option_name NOT ILIKE '%password%'), '[]'::jsonb) AS options,
       array(SELECT o.option_name FROM pg_options_to_table(s.srvoptions) o
             WHERE o.option_name ILIKE '%password%'
             ORDER BY o.option_name COLLATE "C") AS secret_options
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE cardinality($1::oid[]) >= 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_foreign_server'::regclass AND d.objid = s.oid
                    AND d.deptype = 'e')
ORDER BY s.srvname COLLATE "C"
