-- Comments on user objects (oid >= 16384, FirstNormalObjectId) and on the selected schemas
-- ($1: namespace oids) whatever their oid: initdb creates `public`, and a user may comment
-- on it. The loader keeps those on objects it read and maps them to identities. Column
-- comments come with the column name.
SELECT d.classoid::regclass::text AS class,
       d.objoid AS oid,
       a.attname AS column_name,
       d.description
FROM pg_description d
LEFT JOIN pg_attribute a ON d.classoid = 'pg_class'::regclass AND d.objsubid > 0
     AND a.attrelid = d.objoid AND a.attnum = d.objsubid
WHERE (d.objoid >= 16384
       OR (d.classoid = 'pg_namespace'::regclass AND d.objoid = ANY ($1::oid[])))
  AND d.classoid IN ('pg_namespace'::regclass, 'pg_extension'::regclass,
                     'pg_collation'::regclass, 'pg_type'::regclass, 'pg_class'::regclass,
                     'pg_proc'::regclass, 'pg_constraint'::regclass,
                     'pg_trigger'::regclass, 'pg_policy'::regclass,
                     'pg_foreign_data_wrapper'::regclass, 'pg_foreign_server'::regclass,
                     'pg_publication'::regclass,
                     'pg_ts_parser'::regclass, 'pg_ts_template'::regclass,
                     'pg_ts_dict'::regclass, 'pg_ts_config'::regclass,
                     'pg_cast'::regclass, 'pg_conversion'::regclass,
                     'pg_operator'::regclass,
                     'pg_statistic_ext'::regclass, 'pg_rewrite'::regclass,
                     'pg_event_trigger'::regclass)
