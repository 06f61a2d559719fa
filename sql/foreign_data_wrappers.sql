-- Foreign-data wrappers that no extension owns (CREATE EXTENSION postgres_fdw brings its
-- own). Wrappers belong to no schema: they are read whatever schemas are selected ($1 is
-- taken, like every kind's query, and bounds nothing here). Handler and validator are
-- regproc text, schema-qualified under search_path = ''. Options are sorted by name, as
-- pg_dump prints them; an option whose name contains "password" is never read, only named
-- (secret_options), so no secret reaches pgsyncer.
SELECT w.oid,
       w.fdwname AS name,
       CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::regproc::text END AS handler,
       CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::regproc::text END AS validator,
       coalesce((SELECT jsonb_agg(jsonb_build_array(o.option_name, o.option_value)
                                  ORDER BY o.option_name COLLATE "C")
                 FROM pg_options_to_table(w.fdwoptions) o
                 WHERE o.option_name NOT ILIKE '%password%'), '[]'::jsonb) AS options,
       array(SELECT o.option_name FROM pg_options_to_table(w.fdwoptions) o
             WHERE o.option_name ILIKE '%password%'
             ORDER BY o.option_name COLLATE "C") AS secret_options
FROM pg_foreign_data_wrapper w
WHERE cardinality($1::oid[]) >= 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_foreign_data_wrapper'::regclass AND d.objid = w.oid
                    AND d.deptype = 'e')
ORDER BY w.fdwname COLLATE "C"
